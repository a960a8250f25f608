#!/bin/bash
# gremd-proof.sh: the kernel mechanics of the device-less GRE data plane
# (doc/protocol.md 7.5), run as root on the test kernel (scenario
# bench-gremd). Two namespaces joined by two links (path 1 over IPv4
# 10.1.0.0/24, path 2 over IPv6 fd02::/64); a GRE device per outer family
# in metadata mode (`external`) on each side; per path ESP transport SAs
# and out/in policies for GRE between the path addresses (fixed test keys);
# inner addresses 10.99.0.1 / 10.20.0.2 (and 10.20.0.9) and fd99::1 /
# fd20::2.
#  - IPv4 outer: a multipath route whose next hops carry `encap ip`, inner
#    IPv4 and IPv6 through it, ESP counted on the path's SA (asserted);
#  - IPv6 outer: ip6gre in metadata mode with `encap ip6` (reported: on
#    Linux 6.1 the outer flow has no source address, so the path's
#    host-to-host policy does not match and no ESP is counted; why IPv6
#    paths keep their own device).
# Prints PASS/FAIL/INFO lines and "fails=N".
set -u
A="ip netns exec mda" B="ip netns exec mdb"
fails=0
ok() { if "$@" > /tmp/gremd.out 2>&1; then echo "PASS: $D"; else echo "FAIL: $D"; sed 's/^/    /' /tmp/gremd.out | tail -n 8; fails=$((fails + 1)); fi; }
cleanup() { ip netns del mda 2>/dev/null; ip netns del mdb 2>/dev/null; }
cleanup
trap cleanup EXIT
modprobe -a ip_gre ip6_gre esp4 esp6 xfrm_user 2>/dev/null
ip netns add mda; ip netns add mdb
ip link add p1a netns mda type veth peer name p1b netns mdb
ip link add p2a netns mda type veth peer name p2b netns mdb
for n in mda mdb; do
	ip -n $n link set lo up
	ip netns exec $n sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1
done
ip -n mda addr add 10.1.0.10/24 dev p1a; ip -n mdb addr add 10.1.0.1/24 dev p1b
ip -n mda addr add fd02::10/64 dev p2a nodad; ip -n mdb addr add fd02::1/64 dev p2b nodad
ip -n mda addr add 10.99.0.1/32 dev lo; ip -n mda addr add fd99::1/128 dev lo
ip -n mdb addr add 10.20.0.2/32 dev lo; ip -n mdb addr add fd20::2/128 dev lo
ip -n mdb addr add 10.20.0.9/32 dev lo
for d in p1a p2a; do ip -n mda link set $d up; done
for d in p1b p2b; do ip -n mdb link set $d up; done

KE=0x000102030405060708090a0b0c0d0e0f
KA=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
# sa NS SRC DST SPI REQID
xfrm_path()
{
	local ns=$1 l=$2 r=$3 so=$4 si=$5 q=$6 b
	case $l in *:*) b=128 ;; *) b=32 ;; esac
	ip -n $ns xfrm state add src $l dst $r proto esp spi $so reqid $q mode transport \
		sel src $l/$b dst $r/$b proto gre enc 'cbc(aes)' $KE auth 'hmac(sha256)' $KA
	ip -n $ns xfrm state add src $r dst $l proto esp spi $si reqid $q mode transport \
		sel src $r/$b dst $l/$b proto gre enc 'cbc(aes)' $KE auth 'hmac(sha256)' $KA
	ip -n $ns xfrm policy add src $l/$b dst $r/$b proto gre dir out tmpl src $l dst $r proto esp reqid $q mode transport
	ip -n $ns xfrm policy add src $r/$b dst $l/$b proto gre dir in tmpl src $r dst $l proto esp reqid $q mode transport
}
xfrm_path mda 10.1.0.10 10.1.0.1 0x1001 0x1002 1
xfrm_path mdb 10.1.0.1 10.1.0.10 0x1002 0x1001 1
xfrm_path mda fd02::10 fd02::1 0x2001 0x2002 2
xfrm_path mdb fd02::1 fd02::10 0x2002 0x2001 2
# the IKE SA's own CHILD SA (a tunnel policy for all inner IPv4 traffic),
# which must not catch what is routed over the paths (IPv6 has no
# disable_xfrm: an IPv6 one would, doc/protocol.md 7.5)
ip -n mda xfrm policy add src 10.99.0.1/32 dst 0.0.0.0/0 dir out tmpl src 10.1.0.10 dst 10.1.0.1 proto esp reqid 9 mode tunnel

for n in mda mdb; do
	ip -n $n link add mifgre4 type gre external
	ip -n $n link add mifgre6 type ip6gre external
	ip netns exec $n sh -c 'for d in mifgre4 mifgre6; do
		echo 1 > /proc/sys/net/ipv4/conf/$d/disable_xfrm
		echo 1 > /proc/sys/net/ipv4/conf/$d/disable_policy
		echo 1 > /proc/sys/net/ipv6/conf/$d/disable_policy 2>/dev/null
		echo 1 > /proc/sys/net/ipv6/conf/$d/addr_gen_mode; done'
	ip -n $n link set mifgre4 up mtu 1400
	ip -n $n link set mifgre6 up mtu 1380
	ip -n $n rule add pref 210 lookup 210
	ip -n $n -6 rule add pref 210 lookup 210
done
# 10.20.0.9 over path 1 alone: the pings; 10.20.0.2 over both paths: the
# flows (a ping to it is one flow and may hash onto the IPv6 next hop,
# which carries nothing on 6.1)
D="a: route 10.20.0.9 over path 1 (encap ip)"
ok ip -n mda route add 10.20.0.9/32 table 210 src 10.99.0.1 \
	encap ip dst 10.1.0.1 src 10.1.0.10 ttl 64 dev mifgre4
D="a: multipath route 10.20.0.2 over both paths (encap ip / encap ip6)"
ok ip -n mda route add 10.20.0.2/32 table 210 src 10.99.0.1 \
	nexthop encap ip dst 10.1.0.1 src 10.1.0.10 ttl 64 dev mifgre4 weight 1 \
	nexthop encap ip6 dst fd02::1 src fd02::10 hoplimit 64 dev mifgre6 weight 1
D="a: route fd20::2 over path 1 (inner IPv6, IPv4 outer)"
ok ip -n mda -6 route add fd20::2/128 table 210 src fd99::1 \
	encap ip dst 10.1.0.1 src 10.1.0.10 ttl 64 dev mifgre4
D="b: route back 10.99.0.1 over path 1"
ok ip -n mdb route add 10.99.0.1/32 table 210 src 10.20.0.2 encap ip dst 10.1.0.10 src 10.1.0.1 ttl 64 dev mifgre4
D="b: route back fd99::1 over path 1"
ok ip -n mdb -6 route add fd99::1/128 table 210 src fd20::2 encap ip dst 10.1.0.10 src 10.1.0.1 ttl 64 dev mifgre4
ip -n mda route show table 210; ip -n mda -6 route show table 210

# packets through an SA of a
spkts() { ip -n mda -s xfrm state get src $1 dst $2 proto esp spi $3 | sed -n 's/.*(bytes), *\([0-9]*\)(packets).*/\1/p' | head -1; }
D="ping 10.20.0.9 from 10.99.0.1"; ok $A ping -c 3 -i 0.2 -W 2 -I 10.99.0.1 10.20.0.9
D="ping fd20::2 from fd99::1 (inner IPv6 over IPv4 GRE)"; ok $A ping -6 -c 3 -i 0.2 -W 2 -I fd99::1 fd20::2
# 32 UDP flows: both next hops used (one over each path)
p1=$(spkts 10.1.0.10 10.1.0.1 0x1001) p2=$(spkts fd02::10 fd02::1 0x2001)
for sp in $(seq 20001 20032); do echo x | $A nc -u -w 0 -s 10.99.0.1 -p $sp 10.20.0.2 7000 2>/dev/null; done
q1=$(spkts 10.1.0.10 10.1.0.1 0x1001) q2=$(spkts fd02::10 fd02::1 0x2001)
echo "32 flows: path 1 (gre, encap ip) SA +$((q1 - p1)), path 2 (ip6gre, encap ip6) SA +$((q2 - p2))"
D="flows over the IPv4 next hop counted by its ESP SA"; ok [ $((q1 - p1)) -ge 5 ]
if [ $((q2 - p2)) -eq 0 ]; then
	echo "INFO: ip6gre in metadata mode: no ESP on path 2 (the outer flow's source is unset, the host-to-host policy does not match)"
else
	echo "INFO: ip6gre in metadata mode: path 2's SA counted $((q2 - p2)) (this kernel sets the outer source)"
fi
echo "fails=$fails"
