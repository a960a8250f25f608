# Link control for scenario steps. A link is named by one of its ends,
# HOST IF; shaping and cutting act on that end (egress, and for a cut also
# ingress), which is enough to affect the whole veth link.
#
#   link_shape HOST IF [delay MS] [jitter MS] [loss PCT] [rate RATE] [limit N]
#                                netem on egress (rate e.g. 10mbit)
#   link_tbf HOST IF RATE [BURST] [LATENCY]   token bucket instead of netem
#   link_clear HOST IF           remove shaping (and a cut)
#   link_down HOST IF / link_up HOST IF
#   addr_del HOST IF ADDR/LEN / addr_add HOST IF ADDR/LEN
#   link_cut HOST IF             silent cut: everything dropped both ways, the
#                                link stays up and keeps its addresses
#   link_restore HOST IF         undo link_cut (keeps other shaping)
#   nat_masquerade HOST OUTIF    nftables source NAT (masquerade) on HOST

link_shape()
{
	local h=$1 dev=$2 args=
	shift 2
	while [ $# -ge 2 ]; do
		case $1 in
		delay) args="$args delay ${2}ms" ;;
		jitter) args="$args ${2}ms" ;;
		loss) args="$args loss ${2}%" ;;
		rate) args="$args rate $2" ;;
		limit) args="$args limit $2" ;;
		*) say "link_shape: unknown option $1"; return 1 ;;
		esac
		shift 2
	done
	say "link $h:$dev shaped:$args"
	tc -n "$h" qdisc replace dev "$dev" root netem $args
}

link_tbf()
{
	local h=$1 dev=$2 rate=$3 burst=${4:-32kbit} lat=${5:-50ms}
	say "link $h:$dev tbf rate $rate burst $burst latency $lat"
	tc -n "$h" qdisc replace dev "$dev" root tbf rate "$rate" \
		burst "$burst" latency "$lat"
}

link_clear()
{
	local h=$1 dev=$2
	tc -n "$h" qdisc del dev "$dev" root 2>/dev/null
	tc -n "$h" -batch - <<TC 2>/dev/null
filter del dev $dev ingress pref 1
filter del dev $dev egress pref 1
TC
	say "link $h:$dev cleared"
	return 0
}

link_down()
{
	say "link $1:$2 down"
	ip -n "$1" link set "$2" down
}

link_up()
{
	say "link $1:$2 up"
	ip -n "$1" link set "$2" up
}

# std_if_conf DEV: what the standard topology (topo.sh) gives mn's DEV and
# the kernel drops when the link goes down: IF_V6 (address), IF_GW4,
# IF_GW6 (default routes' gateways) and IF_METRIC
std_if_conf()
{
	case $1 in
	wlan0) IF_V6=fd01::10/64 IF_GW4=10.1.0.1 IF_GW6=fd01::1 IF_METRIC=100 ;;
	lte0) IF_V6=fd02::10/64 IF_GW4=10.2.0.1 IF_GW6=fd02::1 IF_METRIC=200 ;;
	*) return 1 ;;
	esac
}

# mn_link_up DEV: mn's DEV of the standard topology up again, with its IPv6
# address and default routes, as a network manager would bring them back
mn_link_up()
{
	std_if_conf "$1" || return 1
	say "link mn:$1 up, with $IF_V6 and the default routes"
	ip -n mn -batch - <<IP
link set $1 up
address replace $IF_V6 dev $1 nodad
route replace default via $IF_GW4 dev $1 metric $IF_METRIC
route replace ::/0 via $IF_GW6 dev $1 metric $IF_METRIC
IP
}

addr_del()
{
	say "address $3 removed from $1:$2"
	ip -n "$1" addr del "$3" dev "$2"
}

addr_add()
{
	say "address $3 added to $1:$2"
	addr "$1" "$2" "$3"
	topo_apply
}

link_cut()
{
	local h=$1 dev=$2
	say "link $h:$dev cut silently"
	# clsact filters at pref 1 drop in both directions without touching the
	# root qdisc (shaping survives) or other filters (ingress filtering);
	# the interface stays up with its addresses and local UDP senders are
	# not told (no ENOBUFS for UDP sockets)
	tc -n "$h" qdisc add dev "$dev" clsact 2>/dev/null
	tc -n "$h" -batch - <<TC
filter add dev $dev ingress pref 1 matchall action drop
filter add dev $dev egress pref 1 matchall action drop
TC
}

link_restore()
{
	local h=$1 dev=$2
	tc -n "$h" -batch - <<TC 2>/dev/null
filter del dev $dev ingress pref 1
filter del dev $dev egress pref 1
TC
	say "link $h:$dev restored"
	return 0
}

nat_masquerade()
{
	local h=$1 dev=$2
	say "NAT: masquerade on $h:$dev"
	# not preloaded: conntrack in every namespace slows down all scenarios
	modprobe -a nf_tables nft_chain_nat nft_masq || return 1
	hx "$h" nft -f - <<NFT
table ip mif_nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "$dev" masquerade
	}
}
NFT
}
