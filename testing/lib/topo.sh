# Building topologies out of network namespaces, veth pairs and bridges.
#
#   node NAME...                 create hosts (namespaces), lo up, forwarding on
#   link A:IFA B:IFB             veth pair between two hosts
#   lan NAME A:IF B:IF ...       shared segment: a bridge in a switch-only host
#   addr HOST IF ADDR/LEN...     add addresses (IPv6 with nodad, pitfall 13)
#   route HOST ROUTE-ARGS...     ip route add (IPv6 detected from the prefix)
#   ingress_filter HOST IF PREFIX...
#                                BCP38 on a router's access link: drop packets
#                                arriving on IF from sources outside PREFIXes
#
# Standard topology (topo_standard), used by scenarios with TOPOLOGY=standard:
#
#   wlan link 10.1.0.0/24 fd01::/64
#  +----+ wlan0 .10          .1 eth0 +----+ eth1 .2
#  |    |----------------------------| rw |--------+   core segment
#  |    |                            +----+        |   10.0.0.0/24 fd00::/64
#  | mn |                                        [sw]---------+ eth0 .1
#  |    |                            +----+        |        +----+ eth1 .1        .2 eth0 +----+
#  |    |----------------------------| rl |--------+        | gw |--------------------------| cn |
#  +----+ lte0 .10           .1 eth0 +----+ eth1 .3         +----+  home 10.8.0.0/24        +----+
#   lte link 10.2.0.0/24 fd02::/64                                        fd08::/64
#
#  mn: default via rw (wlan0, metric 100) and via rl (lte0, metric 200)
#  rw, rl: default via gw; gw: routes to the wlan/lte nets via rw/rl
#  cn: default via gw. Host part .N is ::N on IPv6 (10.1.0.10 = fd01::10).
#  rw and rl drop packets from mn whose source is not of their own access
#  net (ingress filtering, as real access networks do), so ESP with a stale
#  outer source does not sneak through the other link before MOBIKE moved
#  the SA.
#  Virtual IP pools by convention: 10.99.0.0/24, fd99::/120.

# The builders only queue commands; topo_apply (called by run-scenario
# after the topology function) runs them as one `ip -batch` in the guest's
# namespace (namespaces, veth pairs) and one per host: a process per
# command would cost 0.3 s each under TCG. Forwarding, no DAD, no RA and
# loose rp_filter come from the guest's defaults, which new namespaces
# inherit (net.core.devconf_inherit_init_net=1, set by guest-main).
MIF_TOPO=$MIF_STATE/topo

_q()
{
	[ -d "$MIF_TOPO" ] || mkdir -p "$MIF_TOPO"
	echo "${*:2}" >> "$MIF_TOPO/$1.batch"
}

node()
{
	local n
	for n in "$@"; do
		[ -d "$MIF_STATE/hosts/$n/run" ] || mkdir -p "$MIF_STATE/hosts/$n/run"
		_q _root netns add "$n"
		_q "$n" link set lo up
	done
}

link()
{
	local a=${1%%:*} ia=${1#*:} b=${2%%:*} ib=${2#*:}
	_q _root link add "$ia" netns "$a" type veth peer name "$ib" netns "$b"
	_q "$a" link set "$ia" up
	_q "$b" link set "$ib" up
}

lan()
{
	local name=$1 ep i=0
	shift
	node "$name"
	_q "$name" link add br0 type bridge
	_q "$name" link set br0 up
	for ep in "$@"; do
		link "$ep" "$name:p$i"
		_q "$name" link set "p$i" master br0
		i=$((i + 1))
	done
}

addr()
{
	local h=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		case $a in
		*:*) _q "$h" addr add "$a" dev "$dev" nodad ;;
		*) _q "$h" addr add "$a" dev "$dev" ;;
		esac
	done
}

route()
{
	local h=$1
	shift
	# batch lines take no -6: name the family through the prefix
	case "$*" in
	default\ *:*) shift; _q "$h" route add ::/0 "$@" ;;
	*) _q "$h" route add "$@" ;;
	esac
}

ingress_filter()
{
	local h=$1 dev=$2 p pref=10
	shift 2
	_qt "$h" qdisc add dev "$dev" clsact
	# link-local IPv6 (neighbour discovery, MLD) is always fine
	for p in "$@" fe80::/10; do
		case $p in
		*:*) _qt "$h" filter add dev "$dev" ingress pref $pref protocol ipv6 flower src_ip "$p" action pass ;;
		*) _qt "$h" filter add dev "$dev" ingress pref $pref protocol ip flower src_ip "$p" action pass ;;
		esac
		pref=$((pref + 1))
	done
	_qt "$h" filter add dev "$dev" ingress pref 90 protocol ip matchall action drop
	_qt "$h" filter add dev "$dev" ingress pref 91 protocol ipv6 matchall action drop
}

# tc commands, applied after the ip commands
_qt()
{
	[ -d "$MIF_TOPO" ] || mkdir -p "$MIF_TOPO"
	echo "${*:2}" >> "$MIF_TOPO/$1.tc"
}

# run what the builders queued; returns non-zero if a command failed
topo_apply()
{
	local f h rc=0 t0=$(now_ms)
	[ -d "$MIF_TOPO" ] || return 0
	if [ -f "$MIF_TOPO/_root.batch" ]; then
		ip -batch "$MIF_TOPO/_root.batch" || rc=1
		cat "$MIF_TOPO/_root.batch" >> "$MIF_R/topology.txt"
		rm -f "$MIF_TOPO/_root.batch"
	fi
	for f in "$MIF_TOPO"/*.batch; do
		[ -f "$f" ] || continue
		h=$(basename "$f" .batch)
		ip -n "$h" -batch "$f" || { say "topology commands failed in $h"; rc=1; }
		sed "s/^/$h: /" "$f" >> "$MIF_R/topology.txt"
		rm -f "$f"
	done
	for f in "$MIF_TOPO"/*.tc; do
		[ -f "$f" ] || continue
		h=$(basename "$f" .tc)
		tc -n "$h" -batch "$f" || { say "tc commands failed in $h"; rc=1; }
		sed "s/^/$h: tc /" "$f" >> "$MIF_R/topology.txt"
		rm -f "$f"
	done
	say "topology applied in $(( $(now_ms) - t0 )) ms"
	return $rc
}

topo_standard()
{
	node mn rw rl gw cn || return 1
	link mn:wlan0 rw:eth0
	link mn:lte0 rl:eth0
	lan sw rw:eth1 rl:eth1 gw:eth0
	link gw:eth1 cn:eth0

	addr mn wlan0 10.1.0.10/24 fd01::10/64
	addr mn lte0 10.2.0.10/24 fd02::10/64
	addr rw eth0 10.1.0.1/24 fd01::1/64
	addr rw eth1 10.0.0.2/24 fd00::2/64
	addr rl eth0 10.2.0.1/24 fd02::1/64
	addr rl eth1 10.0.0.3/24 fd00::3/64
	addr gw eth0 10.0.0.1/24 fd00::1/64
	addr gw eth1 10.8.0.1/24 fd08::1/64
	addr cn eth0 10.8.0.2/24 fd08::2/64

	route mn default via 10.1.0.1 dev wlan0 metric 100
	route mn default via 10.2.0.1 dev lte0 metric 200
	route mn default via fd01::1 dev wlan0 metric 100
	route mn default via fd02::1 dev lte0 metric 200
	local r
	for r in rw rl; do
		route $r default via 10.0.0.1
		route $r default via fd00::1
	done
	route gw 10.1.0.0/24 via 10.0.0.2
	route gw 10.2.0.0/24 via 10.0.0.3
	route gw fd01::/64 via fd00::2
	route gw fd02::/64 via fd00::3
	route cn default via 10.8.0.1
	route cn default via fd08::1

	ingress_filter rw eth0 10.1.0.0/24 fd01::/64
	ingress_filter rl eth0 10.2.0.0/24 fd02::/64
}

# pids of all processes living in one of the harness's namespaces
# (builtins only: test -ef compares the nsfs inodes)
_ns_pids()
{
	local p n
	for p in /proc/[0-9]*; do
		for n in /run/netns/*; do
			[ -e "$n" ] || continue
			if [ "$p/ns/net" -ef "$n" ]; then
				echo "${p#/proc/}"
				break
			fi
		done
	done 2>/dev/null
}

# tear down every host: kill what runs inside, delete the namespaces
topo_cleanup()
{
	local pids n batch=
	pids=$(_ns_pids)
	if [ -n "$pids" ]; then
		kill -TERM $pids 2>/dev/null
		for _ in {1..25}; do
			pids=$(_ns_pids)
			[ -z "$pids" ] && break
			msleep 0.2
		done
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	fi
	for n in /run/netns/*; do
		[ -e "$n" ] && batch+="netns del ${n##*/}"$'\n'
	done
	[ -n "$batch" ] && ip -batch - <<< "$batch" 2>/dev/null
	rm -rf "$MIF_STATE/hosts" "$MIF_TOPO" "$MIF_STATE"/*.pid "$MIF_STATE"/*.err "$MIF_STATE"/esp-*
	return 0
}
