#!/bin/bash
# mif-dpcost.sh [-o FILE] [-v VARIANTS] N...: kernel cost per path of the
# gateway's data plane, today's design against the one issue 14 proposes.
#
# Runs as root on a test kernel (the qemu guest: testing/scenarios/
# bench-dpcost, see bench/README.md), in a network namespace of its own
# that it deletes afterwards. For each N and variant it creates the
# per-path kernel objects of N paths (N/2 mobile nodes with two paths
# each) with one `ip -batch`/`nft -f`, reads /proc/meminfo before and
# after, deletes them, and prints one line per phase:
#
#   dpcost n=N variant=V create_ms=.. per_path_create_ms=.. delete_ms=..
#          per_path_delete_ms=.. kb_per_path=.. slab_kb_per_path=..
#          sunreclaim_kb_per_path=.. percpu_kb_per_path=..
#
# kb_per_path is the growth of MemTotal-MemFree-Buffers-Cached (all
# kernel memory, slab, percpu, vmalloc and page tables included) after
# `drop_caches`, divided by N. Variants (the gateway side of a path):
#
#   gre       today's per-path objects beyond XFRM: a GRE device local
#             gateway remote MN-path-address, disable_xfrm/disable_policy,
#             up, and the MN's share of one table-210 multipath route to
#             its virtual IP over its two path devices (doc/protocol.md
#             §7.5); deleted one device at a time (what the plugin does)
#   gre-group the same objects deleted with one `ip link del group`
#             (unregister_netdevice_many: one RCU grace period per batch)
#   gre-xfrm  today's per-path XFRM objects: two transport-mode SAs and
#             out/in policies for GRE between the path addresses
#   mark      the proposed design's XFRM objects: two tunnel-mode SAs
#             with the main CHILD SA's selectors (the outbound SA marked,
#             the inbound SA setting the same output mark), out/in/fwd
#             policies with that mark (same selectors as the main CHILD
#             SA, told apart only by the mark); no device, route or rule
#   nftmap    the proposed design's steering state per path: one element
#             of an nftables map MN-address . path-index -> mark (added
#             and deleted as one transaction each)
#   ifid      the if_id variant: the same SAs and policies keyed by if_id,
#             and the xfrm interface per path that if_id steering needs
#   gremd     today's transport kept, the devices gone: one shared GRE
#             device in metadata mode (`external`, made once, not
#             counted) and per MN the table-210 multipath route to its
#             virtual IP whose two nexthops carry a lightweight-tunnel
#             encapsulation each (`encap ip dst PATH-ADDR src GW`): per
#             path one encapsulating nexthop instead of a device; the GRE
#             XFRM objects are those of gre-xfrm
#
# XFRM SAs use fixed test keys (aes128-cbc/hmac-sha256); nothing is sent.
set -u
OUT=/dev/stdout
VARIANTS="gre gre-group gre-xfrm mark nftmap ifid gremd"
while getopts o:v: o; do
	case $o in
	o) OUT=$OPTARG ;;
	v) VARIANTS=$OPTARG ;;
	*) echo "usage: $0 [-o FILE] [-v VARIANTS] N..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- 1000
NS=dpcost$$
TMP=$(mktemp -d)
trap 'ip netns del $NS 2>/dev/null; rm -rf "$TMP"' EXIT

GW=10.0.0.1
KEY_E=0x000102030405060708090a0b0c0d0e0f
KEY_A=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

# path i (0-based) of MN m = i/2: MN path address 10.(64+i/65536).x.y,
# virtual IP 10.128.m/..; mark / if_id 0x1000+i
paddr() { local i=$1; echo "10.$((64 + i / 65536)).$(( (i / 256) % 256 )).$((i % 256 + 0))"; }
vip() { local m=$1; echo "10.$((128 + m / 65536)).$(( (m / 256) % 256 )).$((m % 256))"; }

# meminfo values in kB, after dropping reclaimable caches
mem()
{
	sync
	echo 3 > /proc/sys/vm/drop_caches
	awk '/^(MemTotal|MemFree|Buffers|Cached|Slab|SUnreclaim|Percpu|VmallocUsed):/ { v[$1] = $2 }
		END { printf "%d %d %d %d %d\n", v["MemTotal:"] - v["MemFree:"] - v["Buffers:"] - v["Cached:"],
			v["Slab:"], v["SUnreclaim:"], v["Percpu:"], v["VmallocUsed:"] }' /proc/meminfo
}

now_us() { local t=${EPOCHREALTIME/./}; echo $((10#$t)); }

# gen_VARIANT N: the batch files create.ip (or .nft/.sh) and delete.*
gen_gre()
{
	local n=$1 i m
	: > "$TMP/create.ip"; : > "$TMP/up.ip"; : > "$TMP/delete.ip"
	for ((i = 0; i < n; i++)); do
		echo "link add mif$((i / 2))p$((i % 2 + 1)) group $((i % 2 + 1)) type gre local $GW remote $(paddr $i) ttl 64"
	done >> "$TMP/create.ip"
	for ((i = 0; i < n; i++)); do
		echo "link set mif$((i / 2))p$((i % 2 + 1)) up"
	done >> "$TMP/up.ip"
	for ((m = 0; m < n / 2; m++)); do
		echo "route add $(vip $m)/32 table 210 nexthop dev mif${m}p1 nexthop dev mif${m}p2"
	done >> "$TMP/up.ip"
	for ((i = 0; i < n; i++)); do
		echo "link del mif$((i / 2))p$((i % 2 + 1))"
	done >> "$TMP/delete.ip"
}

gen_gre_xfrm()
{
	local n=$1 i a
	: > "$TMP/create.ip"; : > "$TMP/delete.ip"
	for ((i = 0; i < n; i++)); do
		a=$(paddr $i)
		cat >> "$TMP/create.ip" <<EOF
xfrm state add src $GW dst $a proto esp spi $((0x10000 + i)) reqid $((1000 + i)) mode transport sel src $GW/32 dst $a/32 proto gre enc cbc(aes) $KEY_E auth hmac(sha256) $KEY_A
xfrm state add src $a dst $GW proto esp spi $((0x20000 + i)) reqid $((1000 + i)) mode transport sel src $a/32 dst $GW/32 proto gre enc cbc(aes) $KEY_E auth hmac(sha256) $KEY_A
xfrm policy add src $GW/32 dst $a/32 proto gre dir out tmpl src $GW dst $a proto esp reqid $((1000 + i)) mode transport
xfrm policy add src $a/32 dst $GW/32 proto gre dir in tmpl src $a dst $GW proto esp reqid $((1000 + i)) mode transport
EOF
		cat >> "$TMP/delete.ip" <<EOF
xfrm state delete src $GW dst $a proto esp spi $((0x10000 + i))
xfrm state delete src $a dst $GW proto esp spi $((0x20000 + i))
xfrm policy delete src $GW/32 dst $a/32 proto gre dir out
xfrm policy delete src $a/32 dst $GW/32 proto gre dir in
EOF
	done
}

gen_gremd()
{
	local n=$1 m
	: > "$TMP/create.ip"; : > "$TMP/delete.ip"
	for ((m = 0; m < n / 2; m++)); do
		echo "route add $(vip $m)/32 table 210 nexthop encap ip dst $(paddr $((2 * m))) src $GW ttl 64 dev mifgre4 nexthop encap ip dst $(paddr $((2 * m + 1))) src $GW ttl 64 dev mifgre4" >> "$TMP/create.ip"
		echo "route del $(vip $m)/32 table 210" >> "$TMP/delete.ip"
	done
}

# the proposed design: per path, SAs and policies with the main CHILD SA's
# selectors (MN virtual IP <-> any) told apart by a mark (or an if_id)
gen_keyed()
{
	local n=$1 how=$2 i a v k okey ikey
	: > "$TMP/create.ip"; : > "$TMP/delete.ip"; : > "$TMP/create.nft"; : > "$TMP/delete.nft"
	for ((i = 0; i < n; i++)); do
		a=$(paddr $i) v=$(vip $((i / 2))) k=$((0x1000 + i))
		if [ "$how" = mark ]; then
			okey="mark $k mask 0xffffffff" ikey="output-mark $k mask 0xffffffff"
			pkey="mark $k mask 0xffffffff"
		else
			okey="if_id $k" ikey="if_id $k" pkey="if_id $k"
			echo "link add mifx$i type xfrm dev lo if_id $k" >> "$TMP/create.ip"
			echo "link set mifx$i up" >> "$TMP/create.ip"
		fi
		cat >> "$TMP/create.ip" <<EOF
xfrm state add src $GW dst $a proto esp spi $((0x10000 + i)) reqid $((1000 + i)) mode tunnel $okey enc cbc(aes) $KEY_E auth hmac(sha256) $KEY_A
xfrm state add src $a dst $GW proto esp spi $((0x20000 + i)) reqid $((1000 + i)) mode tunnel $ikey enc cbc(aes) $KEY_E auth hmac(sha256) $KEY_A
xfrm policy add src 0.0.0.0/0 dst $v/32 dir out $pkey tmpl src $GW dst $a proto esp reqid $((1000 + i)) mode tunnel
xfrm policy add src $v/32 dst 0.0.0.0/0 dir in $pkey tmpl src $a dst $GW proto esp reqid $((1000 + i)) mode tunnel
xfrm policy add src $v/32 dst 0.0.0.0/0 dir fwd $pkey tmpl src $a dst $GW proto esp reqid $((1000 + i)) mode tunnel
EOF
		if [ "$how" = mark ]; then
			cat >> "$TMP/delete.ip" <<EOF
xfrm state delete src $GW dst $a proto esp spi $((0x10000 + i)) mark $k mask 0xffffffff
xfrm state delete src $a dst $GW proto esp spi $((0x20000 + i))
xfrm policy delete src 0.0.0.0/0 dst $v/32 dir out mark $k mask 0xffffffff
xfrm policy delete src $v/32 dst 0.0.0.0/0 dir in mark $k mask 0xffffffff
xfrm policy delete src $v/32 dst 0.0.0.0/0 dir fwd mark $k mask 0xffffffff
EOF
		else
			cat >> "$TMP/delete.ip" <<EOF
xfrm state delete src $GW dst $a proto esp spi $((0x10000 + i))
xfrm state delete src $a dst $GW proto esp spi $((0x20000 + i))
xfrm policy delete src 0.0.0.0/0 dst $v/32 dir out if_id $k
xfrm policy delete src $v/32 dst 0.0.0.0/0 dir in if_id $k
xfrm policy delete src $v/32 dst 0.0.0.0/0 dir fwd if_id $k
link del mifx$i
EOF
		fi
	done
}

gen_nftmap()
{
	local n=$1 i v k
	: > "$TMP/create.nft"; : > "$TMP/delete.nft"
	for ((i = 0; i < n; i++)); do
		v=$(vip $((i / 2))) k=$((0x1000 + i))
		echo "add element inet mifdp paths { $v . $((i % 2)) : $k }" >> "$TMP/create.nft"
		echo "delete element inet mifdp paths { $v . $((i % 2)) }" >> "$TMP/delete.nft"
	done
}

# ipb FILE: ip -batch in the namespace, returns its wall time in us
ipb()
{
	local t0 t1
	t0=$(now_us)
	ip -n $NS -force -batch "$1" > "$TMP/ip.err" 2>&1 || { echo "ip -batch $1 failed:" >&2; head -n 5 "$TMP/ip.err" >&2; }
	t1=$(now_us)
	echo $((t1 - t0))
}

nftf()
{
	local t0 t1
	t0=$(now_us)
	ip netns exec $NS nft -f "$1" > "$TMP/nft.err" 2>&1 || { echo "nft -f $1 failed:" >&2; head -n 5 "$TMP/nft.err" >&2; }
	t1=$(now_us)
	echo $((t1 - t0))
}

# sysctls of the GRE devices, written as the plugin does (one file each)
gre_sysctls()
{
	local n=$1 i t0 t1 d
	t0=$(now_us)
	ip netns exec $NS bash -c '
		for ((i = 0; i < '$n'; i++)); do
			d=mif$((i / 2))p$((i % 2 + 1))
			echo 1 > /proc/sys/net/ipv4/conf/$d/disable_xfrm
			echo 1 > /proc/sys/net/ipv4/conf/$d/disable_policy
		done'
	t1=$(now_us)
	echo $((t1 - t0))
}

ms() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }
per() { printf '%d.%03d' $(($1 / $2 / 1000)) $(($1 / $2 % 1000)); }

# kb per path with one decimal from a kB delta
kbp() { local d=$1 n=$2 s=; [ $d -lt 0 ] && { s=-; d=$((-d)); }; printf '%s%d.%d' "$s" $((d / n)) $(( (d * 10 / n) % 10 )); }

run_variant()
{
	local v=$1 n=$2 c=0 s=0 u=0 d=0 m0 m1 m2
	ip netns add $NS
	ip -n $NS link set lo up
	ip -n $NS link add dummy0 type dummy 2>/dev/null || ip -n $NS link add dummy0 type veth peer name dummy1
	ip -n $NS addr add $GW/8 dev dummy0
	ip -n $NS link set dummy0 up
	if [ "$v" = nftmap ]; then
		cat > "$TMP/base.nft" <<EOF
table inet mifdp {
	map paths { type ipv4_addr . mark : mark; }
}
EOF
		nftf "$TMP/base.nft" > /dev/null
	fi
	if [ "$v" = gremd ]; then
		ip -n $NS link add mifgre4 type gre external
		ip netns exec $NS sh -c 'echo 1 > /proc/sys/net/ipv4/conf/mifgre4/disable_xfrm;
			echo 1 > /proc/sys/net/ipv4/conf/mifgre4/disable_policy'
		ip -n $NS link set mifgre4 up
	fi
	case $v in
	gremd) gen_gremd $n ;;
	gre|gre-group) gen_gre $n ;;
	gre-xfrm) gen_gre_xfrm $n ;;
	mark|ifid) gen_keyed $n $v ;;
	nftmap) gen_nftmap $n ;;
	esac
	local l0
	l0=$(ip -n $NS -o link | wc -l)
	read -r m0 s0 r0 p0 v0 <<< "$(mem)"
	if [ "$v" = nftmap ]; then
		c=$(nftf "$TMP/create.nft")
	else
		c=$(ipb "$TMP/create.ip")
	fi
	case $v in
	gre|gre-group)
		s=$(gre_sysctls $n)
		u=$(ipb "$TMP/up.ip")
		;;
	esac
	read -r m1 s1 r1 p1 v1 <<< "$(mem)"
	case $v in
	gre-group)
		d=$(( $(ipb <(echo "link del group 1"; echo "link del group 2")) ))
		;;
	nftmap) d=$(nftf "$TMP/delete.nft") ;;
	*) d=$(ipb "$TMP/delete.ip") ;;
	esac
	read -r m2 s2 r2 p2 v2 <<< "$(mem)"
	local left
	left=$(( $(ip -n $NS -o link | wc -l) - l0 ))/$(ip -n $NS xfrm state | grep -c ^src)/$(ip -n $NS xfrm policy | grep -c ^src)
	ip netns del $NS
	echo "dpcost n=$n variant=$v create_ms=$(ms $((c + s + u))) per_path_create_ms=$(per $((c + s + u)) $n)" \
		"(objects $(ms $c), sysctls $(ms $s), up+routes $(ms $u))" \
		"delete_ms=$(ms $d) per_path_delete_ms=$(per $d $n)" \
		"kb_per_path=$(kbp $((m1 - m0)) $n) slab_kb_per_path=$(kbp $((s1 - s0)) $n)" \
		"sunreclaim_kb_per_path=$(kbp $((r1 - r0)) $n) percpu_kb_per_path=$(kbp $((p1 - p0)) $n) vmalloc_kb_per_path=$(kbp $((v1 - v0)) $n)" \
		"freed_kb_per_path=$(kbp $((m1 - m2)) $n) left(links/states/policies)=$left" >> "$OUT"
	# settle: deferred frees (RCU, netns cleanup) before the next variant
	sleep 2
}

for n in "$@"; do
	for v in $VARIANTS; do
		run_variant "$v" "$n"
	done
done
