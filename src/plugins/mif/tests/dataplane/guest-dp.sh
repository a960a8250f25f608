#!/bin/sh
# mif_dataplane against a real kernel (root, XFRM + ESP + GRE), e.g. inside
# the test VM: two namespaces a and b joined by two veth pairs, each running
# dp_test; the paths' ESP transport SAs (proto GRE) are set up by hand as
# charon would negotiate them, dp_test installs policies, the GRE device
# the IPv4 paths share (metadata mode; routes over them carry the path's
# GRE encapsulation), the IPv6 path's own ip6gre device, rules and routes. Prints PASS/FAIL per check, exits non-zero on failure.
#
#   a: inner 10.99.0.1, fd99::1  (lo)     b: inner 10.20.0.2, fd20::2
#   path 2: 10.1.0.1 <-> 10.1.0.2   (va1/vb1)  reqid 5, SPIs 0x100 a->b, 0x200
#   path 3: 10.2.0.1 <-> 10.2.0.2   (va2/vb2)  reqid 6, SPIs 0x300, 0x400
#   path 4: fd00:1::1 <-> fd00:1::2 (va1/vb1)  reqid 7, SPIs 0x500, 0x600

DIR=$(cd "$(dirname "$0")" && pwd)
# a dp_test that died must fail checks, not kill this script by SIGPIPE
trap '' PIPE
DP=${DP_TEST:-$DIR/dp_test}
W=/tmp/dp-guest
FAILS=0
A="ip netns exec a"
B="ip netns exec b"

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
check() { # check DESCRIPTION COMMAND..., shows the command's output on failure
	d=$1; shift
	if "$@" > $W/check.out 2>&1; then
		pass "$d"
	else
		fail "$d"; sed 's/^/    /' $W/check.out
	fi
}

for m in xfrm_user esp4 esp6 ip_gre ip6_gre gre authenc cbc aes_generic \
		sha256_generic hmac veth; do
	modprobe $m 2>/dev/null
done
rm -rf $W; mkdir -p $W

# --- topology ---------------------------------------------------------------
ip netns add a; ip netns add b
ip link add va1 netns a type veth peer name vb1 netns b
ip link add va2 netns a type veth peer name vb2 netns b
for N in a b; do
	ip netns exec $N ip link set lo up
	ip netns exec $N sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
done
$A ip addr add 10.1.0.1/24 dev va1; $A ip addr add 10.2.0.1/24 dev va2
$B ip addr add 10.1.0.2/24 dev vb1; $B ip addr add 10.2.0.2/24 dev vb2
$A ip addr add fd00:1::1/64 dev va1 nodad; $B ip addr add fd00:1::2/64 dev vb1 nodad
for N in a b; do for i in 1 2; do
	ip netns exec $N ip link set v${N}$i up
done; done
# multipath hash policies as found, to be restored: not the kernel default
for N in a b; do
	ip netns exec $N sysctl -qw net.ipv4.fib_multipath_hash_policy=2 \
		net.ipv6.fib_multipath_hash_policy=0
done
$A ip addr add 10.99.0.1/32 dev lo; $A ip addr add fd99::1/128 dev lo
$B ip addr add 10.20.0.2/32 dev lo; $B ip addr add fd20::2/128 dev lo

# the IKE SA's own CHILD SA covering the inner traffic, without SAs: what
# it catches is lost, so inner packets must bypass it over the paths
ipol() { # ns dir src dst
	ip netns exec $1 ip xfrm policy add dir $2 src $3 dst $4 \
		tmpl src 10.1.0.${5} dst 10.1.0.${6} proto esp mode tunnel reqid 1
}
ipol a out 10.99.0.1/32 10.20.0.2/32 1 2; ipol a in 10.20.0.2/32 10.99.0.1/32 2 1
ipol b out 10.20.0.2/32 10.99.0.1/32 2 1; ipol b in 10.99.0.1/32 10.20.0.2/32 1 2
# and its routes (charon's table 220 in real life; kept in main here)
$A ip route add 10.20.0.2/32 via 10.1.0.2 src 10.99.0.1
$B ip route add 10.99.0.1/32 via 10.1.0.1 src 10.20.0.2

# the paths' CHILD SAs as charon installs them: ESP transport, GRE selector
K1=0x0102030405060708090a0b0c0d0e0f10
K2=0x0102030405060708090a0b0c0d0e0f100102030405060708090a0b0c0d0e0f10
sa() { # ns src dst spi reqid
	ip netns exec $1 ip xfrm state add src $2 dst $3 proto esp spi $4 \
		mode transport reqid $5 enc 'cbc(aes)' $K1 auth 'hmac(sha256)' $K2 \
		sel src $2 dst $3 proto gre
}
for N in a b; do
	sa $N 10.1.0.1 10.1.0.2 0x100 5; sa $N 10.1.0.2 10.1.0.1 0x200 5
	sa $N 10.2.0.1 10.2.0.2 0x300 6; sa $N 10.2.0.2 10.2.0.1 0x400 6
	sa $N fd00:1::1 fd00:1::2 0x500 7; sa $N fd00:1::2 fd00:1::1 0x600 7
done

# packets through an SA: pkts NS SRC DST SPI
pkts() {
	ip netns exec $1 ip -s xfrm state get src $2 dst $3 proto esp spi $4 |
		sed -n 's/.*(bytes), *\([0-9]*\)(packets).*/\1/p' | head -1
}
xstat() { # ns counter
	ip netns exec $1 awk -v c=$2 '$1 == c { print $2 }' /proc/net/xfrm_stat
}

# --- dp_test drivers --------------------------------------------------------
# dp_test reads commands from a FIFO, answers "ok|FAIL <cmd>" on its output
start_dp() { # ns fd
	[ -p $W/$1.in ] || mkfifo $W/$1.in
	ip netns exec $1 env DP_TEST_HASH_STATE=$W/$1.hash "$DP" \
		< $W/$1.in > $W/$1.out 2>> $W/$1.log &
	eval "DPPID_$1=$!"
	eval "exec $2> $W/$1.in"
	for i in $(seq 50); do
		grep -q '^ready\|^FAIL create' $W/$1.out && break; sleep 0.1
	done
	grep -q '^ready' $W/$1.out && return 0
	echo "  dp_test in $1 not ready; its output and log:"
	sed 's/^/    /' $W/$1.out $W/$1.log | tail -n 30
	return 1
}
dp() { # ns cmd...
	n=$1; shift
	fd=3; [ $n = b ] && fd=4
	before=$(grep -c '^ok \|^FAIL ' $W/$n.out)
	echo "$*" >&$fd
	for i in $(seq 100); do
		[ $(grep -c '^ok \|^FAIL ' $W/$n.out) -gt $before ] && break
		sleep 0.1
	done
	last=$(grep '^ok \|^FAIL ' $W/$n.out | tail -1)
	echo "  [$n] $last"
	case "$last" in "ok "*) return 0;; *) return 1;; esac
}
dp2() { # same command on both sides, with a's and b's addresses swapped
	dp a "$1"; ra=$?; dp b "$2"; rb=$?
	[ $ra = 0 ] && [ $rb = 0 ]
}

echo "=== start dp_test in a and b"
start_dp a 3; check "dp_test starts in a" grep -q '^ready' $W/a.out
start_dp b 4; check "dp_test starts in b" grep -q '^ready' $W/b.out

$A ip -d link show mifgre4
check "the shared device mifgre4 exists from the start: gre, external (metadata mode), up" \
	sh -c "$A ip -d link show mifgre4 | grep -q 'gre external' && $A ip link show mifgre4 | grep -q ',UP'"
check "disable_xfrm/disable_policy set on mifgre4" \
	sh -c "[ \$($A cat /proc/sys/net/ipv4/conf/mifgre4/disable_xfrm) = 1 ] && [ \$($A cat /proc/sys/net/ipv4/conf/mifgre4/disable_policy) = 1 ]"
check "no IPv6 link-local on mifgre4" \
	sh -c "! $A ip -6 addr show dev mifgre4 | grep -q inet6"

echo "=== path 2 (gre over 10.1.0.0/24)"
check "add_path 2" dp2 "add 1 2 10.1.0.1 10.1.0.2 5 0x200 0x100 1" \
	"add 1 2 10.1.0.2 10.1.0.1 5 0x100 0x200 1"
check "no device per path" sh -c "! $A ip -o link | grep -q 'mif1p'"
$A ip xfrm policy | grep -A2 'proto gre'
check "GRE policies out+in with reqid 5, and the block for plaintext GRE to 10.1.0.1" \
	sh -c "[ \$($A ip xfrm policy | grep -c 'proto gre') = 3 ] && $A ip xfrm policy | grep -q 'reqid 5 mode transport' && $A ip xfrm policy | grep -A1 'src 0.0.0.0/0 dst 10.1.0.1/32 proto gre' | grep -q 'dir in action block'"
$A ip rule
check "base rules: GRE/IKE skip, table 210, nop" \
	sh -c "$A ip rule | grep -q '^199:.*ipproto gre goto 211' && $A ip rule | grep -q '^199:.*sport 500' && $A ip rule | grep -q '^210:.*lookup 210' && $A ip rule | grep -q '^211:.*nop'"

echo "=== routes over path 2"
check "set_routes over 2" dp2 "routes 1 10.99.0.1 10.20.0.2/32 2" \
	"routes 1 10.20.0.2 10.99.0.1/32 2"
$A ip route show table 210
p0=$(pkts a 10.1.0.1 10.1.0.2 0x100)
$B tcpdump -ni vb1 -w $W/vb1.pcap 2>/dev/null & TP=$!
sleep 2
check "ping a->b inner over path 2" $A ping -c 3 -W 2 -I 10.99.0.1 10.20.0.2
sleep 0.5; kill $TP; wait $TP 2>/dev/null
p1=$(pkts a 10.1.0.1 10.1.0.2 0x100)
echo "  SA 0x100 packets: $p0 -> $p1"
check "SA 0x100 counted the pings" [ $((p1 - p0)) -ge 3 ]
esp=$(tcpdump -nr $W/vb1.pcap esp 2>/dev/null | wc -l)
gre=$(tcpdump -nr $W/vb1.pcap 'ip proto 47' 2>/dev/null | wc -l)
echo "  on the wire: $esp ESP, $gre plaintext GRE"
check "only ESP on the wire" [ $esp -ge 2 -a $gre = 0 ]
check "1300-byte ping fits (MTU left for ESP)" \
	$A ping -c 2 -W 2 -s 1300 -M do -I 10.99.0.1 10.20.0.2

echo "=== path 3 (weight 2, bound to va2/vb2) and a multipath route over 2,3"
check "add_path 3" dp2 "add 1 3 10.2.0.1 10.2.0.2 6 0x400 0x300 2" \
	"add 1 3 10.2.0.2 10.2.0.1 6 0x300 0x400 2"
check "set_routes over 2,3" dp2 "routes 1 10.99.0.1 10.20.0.2/32 2,3" \
	"routes 1 10.20.0.2 10.99.0.1/32 2,3"
$A ip route show table 210
check "multipath route with weights 1 and 2, src 10.99.0.1, a GRE encapsulation per path" \
	sh -c "$A ip route show table 210 | grep -q 'src 10.99.0.1' && $A ip route show table 210 | grep -q 'encap ip .*src 10.1.0.1 dst 10.1.0.2 .*dev mifgre4 weight 1' && $A ip route show table 210 | grep -q 'encap ip .*src 10.2.0.1 dst 10.2.0.2 .*dev mifgre4 weight 2'"
check "fib_multipath_hash_policy=1" \
	sh -c "[ \$($A sysctl -n net.ipv4.fib_multipath_hash_policy) = 1 ]"
a0=$(pkts a 10.1.0.1 10.1.0.2 0x100); c0=$(pkts a 10.2.0.1 10.2.0.2 0x300)
$B iperf3 -s -1 -B 10.20.0.2 > $W/iperf-s.log 2>&1 & IP=$!
sleep 1
$A iperf3 -c 10.20.0.2 -B 10.99.0.1 -u -b 300K -l 400 -P 16 -t 3 \
	> $W/iperf-c.log 2>&1
check "iperf3 -u -P 16 over the paths" \
	grep -q 'receiver' $W/iperf-c.log
grep 'SUM.*receiver' $W/iperf-c.log
wait $IP
a1=$(pkts a 10.1.0.1 10.1.0.2 0x100); c1=$(pkts a 10.2.0.1 10.2.0.2 0x300)
echo "  packets over path 2: $((a1 - a0)), path 3: $((c1 - c0))"
check "16 flows used both paths" [ $((a1 - a0)) -ge 100 -a $((c1 - c0)) -ge 100 ]

echo "=== flow binding: udp to 10.20.0.2:7000-7001 over path 3 only"
check "set_flow 1 -> 3" dp a "flow 1 1 10.20.0.2/32 udp 7000-7001 3"
$A ip rule | grep 200:
check "flow rule: ipproto udp dport 7000-7001 lookup path table" \
	sh -c "$A ip rule | grep -q '^200:.*to 10.20.0.2 ipproto udp dport 7000-7001 lookup 21001'"
$A ip route show table 21001
a0=$(pkts a 10.1.0.1 10.1.0.2 0x100); c0=$(pkts a 10.2.0.1 10.2.0.2 0x300)
for sp in $(seq 20001 20030); do
	echo x | $A nc -u -w 0 -s 10.99.0.1 -p $sp 10.20.0.2 7000 2>/dev/null
done
a1=$(pkts a 10.1.0.1 10.1.0.2 0x100); c1=$(pkts a 10.2.0.1 10.2.0.2 0x300)
echo "  30 flows to port 7000: path 2 $((a1 - a0)), path 3 $((c1 - c0))"
check "all 30 flows on path 3" [ $((a1 - a0)) = 0 -a $((c1 - c0)) -ge 30 ]
check "set_flow 1 -> 0 removes the rule" dp a "flow 1 1 10.20.0.2/32 udp 7000-7001 0"
check "flow rule gone" sh -c "! $A ip rule | grep -q '^200:'"

echo "=== del_path 2 under a running ping"
$A ping -c 30 -i 0.2 -W 1 -I 10.99.0.1 10.20.0.2 > $W/ping.log 2>&1 & PP=$!
sleep 2
check "del_path 2" dp2 "del 1 2" "del 1 2"
wait $PP
grep 'transmitted' $W/ping.log
check "ping continued over path 3 (<= 3 of 30 lost)" \
	sh -c "[ \$(sed -n 's/.* \([0-9]*\) received.*/\1/p' $W/ping.log) -ge 27 ]"
$A ip route show table 210
check "route now only via path 3" \
	sh -c "$A ip route show table 210 | grep -q 'dst 10.2.0.2 .*dev mifgre4' && ! $A ip route show table 210 | grep -q 'dst 10.1.0.2'"
check "path 2's policies gone (with the block for 10.1.0.1, no other path uses it)" \
	sh -c "! $A ip xfrm policy | grep -q 'dst 10.1.0.2/32 proto gre' && ! $A ip xfrm policy | grep -q 'dst 10.1.0.1/32 proto gre'"
c0=$(pkts a 10.2.0.1 10.2.0.2 0x300)
check "ping over path 3" $A ping -c 2 -W 2 -I 10.99.0.1 10.20.0.2
c1=$(pkts a 10.2.0.1 10.2.0.2 0x300)
check "SA 0x300 counted them" [ $((c1 - c0)) -ge 2 ]

echo "=== path 4: ip6gre over fd00:1::/64 carrying inner IPv4 and IPv6"
check "add_path 4" dp2 "add 1 4 fd00:1::1 fd00:1::2 7 0x600 0x500" \
	"add 1 4 fd00:1::2 fd00:1::1 7 0x500 0x600"
$A ip -d link show mif1p4 | head -3
check "an IPv6 path has its own device: mif1p4 is ip6gre fd00:1::1 -> fd00:1::2" \
	sh -c "$A ip -d link show mif1p4 | grep -q 'ip6gre remote fd00:1::2 local fd00:1::1'"
check "set_routes over 4 (v4 + v6 inner)" \
	dp2 "routes 1 10.99.0.1 10.20.0.2/32,fd20::2/128 4" \
	"routes 1 10.20.0.2 10.99.0.1/32,fd99::1/128 4"
$A ip route show table 210; $A ip -6 route show table 210
e0=$(pkts a fd00:1::1 fd00:1::2 0x500)
check "inner IPv4 ping over ip6gre path" $A ping -c 2 -W 2 -I 10.99.0.1 10.20.0.2
check "inner IPv6 ping over ip6gre path" \
	$A ping -6 -c 2 -W 2 -I fd99::1 fd20::2
e1=$(pkts a fd00:1::1 fd00:1::2 0x500)
echo "  SA 0x500 packets: $e0 -> $e1"
check "SA 0x500 counted them" [ $((e1 - e0)) -ge 4 ]

# known limitation, reported, not asserted: IPv6 has no disable_xfrm, so an
# IPv6 policy of the IKE SA's own CHILD SA covering the inner traffic
# would still catch packets routed into a path's device
echo "  ipv6 disable_policy on mif1p4: $($A cat /proc/sys/net/ipv6/conf/mif1p4/disable_policy 2>&1)"
$A ip -6 xfrm policy add dir out src fd99::1/128 dst fd20::2/128 \
	tmpl src fd00:1::1 dst fd00:1::2 proto esp mode tunnel reqid 1
if $A ping -6 -c 1 -W 2 -I fd99::1 fd20::2 >/dev/null 2>&1; then
	echo "INFO: inner IPv6 over a path bypasses an IPv6 IKE CHILD policy"
else
	echo "INFO: inner IPv6 over a path is caught by an IPv6 IKE CHILD policy (no IPv6 disable_xfrm)"
fi
$A ip -6 xfrm policy del dir out src fd99::1/128 dst fd20::2/128

echo "=== empty route set: fallback to the IKE SA's CHILD SA policies"
n0=$(xstat a XfrmOutNoStates)
check "set_routes with no paths" dp a "routes 1 - - -"
check "table 210 empty" sh -c "[ -z \"\$($A ip route show table 210)\" ]"
check "ping now hits the (SA-less) IKE CHILD policy and fails" \
	sh -c "! $A ping -c 1 -W 1 -I 10.99.0.1 10.20.0.2"
n1=$(xstat a XfrmOutNoStates)
echo "  XfrmOutNoStates: $n0 -> $n1"
check "caught by the IKE CHILD policy" [ $n1 -gt $n0 ]
check "routes back over 3" dp a "routes 1 10.99.0.1 10.20.0.2/32 3"

echo "=== plaintext GRE injected by b towards a's path 3 is dropped"
check "b flushes its state" dp b "flush 1"
check "b: no path routes or GRE policies left (the shared devices stay)" \
	sh -c "[ -z \"\$($B ip route show table 210; $B ip xfrm policy | grep 'proto gre')\" ]"
$B ip link add inj type gre local 10.2.0.2 remote 10.2.0.1
$B sysctl -qw net.ipv4.conf.inj.disable_xfrm=1 net.ipv4.conf.inj.disable_policy=1
$B ip link set inj up
$B ip route replace 10.99.0.1/32 dev inj src 10.20.0.2
m0=$(xstat a XfrmInTmplMismatch)
$A tcpdump -ni va2 -w $W/va2.pcap 2>/dev/null & TP=$!
sleep 2
check "ping b->a over plaintext GRE fails" \
	sh -c "! $B ping -c 3 -W 1 -I 10.20.0.2 10.99.0.1"
sleep 0.5; kill $TP; wait $TP 2>/dev/null
m1=$(xstat a XfrmInTmplMismatch)
gre=$(tcpdump -nr $W/va2.pcap 'ip proto 47' 2>/dev/null | wc -l)
echo "  plaintext GRE seen by a: $gre, XfrmInTmplMismatch: $m0 -> $m1"
check "a's inbound policy dropped them" [ $gre -ge 2 -a $((m1 - m0)) -ge 2 ]
$B ip link del inj
# from an address of no path: the shared device would take it, the block
# policy for GRE to a path's local address (a's path 3: 10.2.0.1) must not
$B ip addr add 10.2.0.7/24 dev vb2
$B ip link add inj type gre local 10.2.0.7 remote 10.2.0.1
$B sysctl -qw net.ipv4.conf.inj.disable_xfrm=1 net.ipv4.conf.inj.disable_policy=1
$B ip link set inj up
$B ip route replace 10.99.0.1/32 dev inj src 10.20.0.2
k0=$(xstat a XfrmInPolBlock)
r0=$($A ip -s link show mifgre4 | awk '/RX:/ { getline; print $2; exit }')
check "ping b->a over plaintext GRE from 10.2.0.7 (no path) fails" \
	sh -c "! $B ping -c 3 -W 1 -I 10.20.0.2 10.99.0.1"
k1=$(xstat a XfrmInPolBlock)
r1=$($A ip -s link show mifgre4 | awk '/RX:/ { getline; print $2; exit }')
echo "  XfrmInPolBlock: $k0 -> $k1, packets received on mifgre4: $r0 -> $r1"
check "a's block policy dropped them before mifgre4" [ $((k1 - k0)) -ge 3 -a "$r1" = "$r0" ]
$B ip link del inj
$B ip addr del 10.2.0.7/24 dev vb2

echo "=== kill -9 and restart: the new instance removes the old one's leftovers"
# the data plane's kernel objects in a namespace, comparable across restarts
dp_objs() { # ns
	ip netns exec $1 ip -o link | sed -n 's/^[0-9]*: \(mif[^:@]*\).*/dev \1/p' |
		grep -v '^dev mifgre4$'	# made anew at every start
	for f in -4 -6; do
		ip netns exec $1 ip $f rule | grep -E '^(199|200|210|211|212):' |
			sed "s/^/rule$f /"
		ip netns exec $1 ip $f -o route show table all |
			grep -E 'table (210|2100[0-9]|220[0-9][0-9]) ' | sed "s/^/route$f /"
	done
	ip netns exec $1 ip xfrm policy |
		awk '/proto gre/ { s = $2 " " $4; getline; print "pol " s " " $2 }'
}
restart_b_paths() {
	dp b "add 1 2 10.1.0.2 10.1.0.1 5 0x100 0x200 1" &&
	dp b "add 1 3 10.2.0.2 10.2.0.1 6 0x300 0x400 2" &&
	dp b "routes 1 10.20.0.2 10.99.0.1/32 2,3"
}
restart_a_routes() {
	dp a "routes 1 10.99.0.1 10.20.0.2/32 2,3" &&
	dp a "flow 1 1 10.20.0.2/32 udp 7000-7001 3"
}
restart_a_paths() {
	dp a "add 1 2 10.1.0.1 10.1.0.2 5 0x200 0x100 1" &&
	dp a "add 1 3 10.2.0.1 10.2.0.2 6 0x400 0x300 2" &&
	dp a "add 1 4 fd00:1::1 fd00:1::2 7 0x600 0x500"
}
check "b: paths 2, 3 and routes over them again" restart_b_paths
check "a: path 2 again" dp a "add 1 2 10.1.0.1 10.1.0.2 5 0x200 0x100 1"
check "a: multipath over 2,3 and a flow on 3" restart_a_routes
dp_objs a | sort > $W/a.before-kill
cat $W/a.before-kill
check "a: hash policy 1 for the multipath route" \
	sh -c "[ \$($A sysctl -n net.ipv4.fib_multipath_hash_policy) = 1 ]"
kill -9 $DPPID_a; wait $DPPID_a 2>/dev/null
exec 3>&-
F=$W/a.before-kill
check "a: devices, rules, routes, GRE policies and a path table in place" \
	sh -c "grep -q 'dev mif1p4' $F && grep -q 'lookup 210' $F && grep -q '^route-4 ' $F && grep -q '^pol ' $F && grep -q 'table 2100' $F"
dp_objs a | sort > $W/a.after-kill
check "a: the kernel objects stay after the kill" \
	diff $W/a.before-kill $W/a.after-kill
rm -f $W/a.out
start_dp a 3; check "dp_test restarts in a" grep -q '^ready' $W/a.out
L=$(dp_objs a); echo "$L"
check "a: nothing of the killed instance left" [ -z "$L" ]
check "a: hash policy restored to 2" \
	sh -c "[ \$($A sysctl -n net.ipv4.fib_multipath_hash_policy) = 2 ]"
check "a: the same paths again (device names reused)" restart_a_paths
check "a: multipath over 2,3 and the flow again" restart_a_routes
dp_objs a | sort > $W/a.after-restart
check "a: the same kernel objects as before the kill, no more" \
	diff $W/a.before-kill $W/a.after-restart
a0=$(pkts a 10.1.0.1 10.1.0.2 0x100); c0=$(pkts a 10.2.0.1 10.2.0.2 0x300)
for sp in $(seq 20001 20016); do
	echo x | $A nc -u -w 0 -s 10.99.0.1 -p $sp 10.20.0.2 5000 2>/dev/null
done
check "a: ping over the paths after the restart" \
	$A ping -c 3 -W 2 -I 10.99.0.1 10.20.0.2
a1=$(pkts a 10.1.0.1 10.1.0.2 0x100); c1=$(pkts a 10.2.0.1 10.2.0.2 0x300)
echo "  after restart: path 2 $((a1 - a0)), path 3 $((c1 - c0)) packets"
check "a: traffic on paths 2 and 3" [ $((a1 - a0)) -ge 1 -a $((c1 - c0)) -ge 1 ]
check "b: flush 1" dp b "flush 1"

echo "=== flush and destroy leave nothing behind"
check "a: set_flow again (per-path table)" dp a "flow 1 2 10.20.0.0/24 any - 3"
check "a: flush 1" dp a "flush 1"
leftovers() { # ns [flushed]: after a flush the shared devices stay
	if [ -n "${2:-}" ]; then
		ip netns exec $1 ip -o link | grep mif | grep -v ' mifgre4[:@]'
	else
		ip netns exec $1 ip -o link | grep mif
	fi
	ip netns exec $1 ip rule | grep -E '^(199|200|210|211):'
	ip netns exec $1 ip route show table 210
	ip netns exec $1 ip -6 route show table 210
	ip netns exec $1 ip route show table all | grep -E 'table (210|2100[0-9])'
	ip netns exec $1 ip xfrm policy | grep 'proto gre'
}
L=$(leftovers a flushed); echo "$L"
check "a: nothing left after flush but the shared devices" [ -z "$L" ]
echo quit >&3; echo quit >&4
wait $DPPID_a $DPPID_b
L=$(leftovers a; leftovers b; $A ip rule | grep '^220:'; $B ip rule | grep '^220:')
echo "$L"
check "a, b: nothing left after destroy (incl. charon's rule 220)" [ -z "$L" ]
check "a, b: multipath hash policies restored, state files gone" \
	sh -c "[ \"\$($A sysctl -n net.ipv4.fib_multipath_hash_policy net.ipv6.fib_multipath_hash_policy | tr '\n' ' ')\" = '2 0 ' ] && [ \"\$($B sysctl -n net.ipv4.fib_multipath_hash_policy net.ipv6.fib_multipath_hash_policy | tr '\n' ' ')\" = '2 0 ' ] && [ ! -e $W/a.hash ] && [ ! -e $W/b.hash ]"

echo "=== dp_test output (log and failed commands)"
echo "--- a"; grep -v '^ok ' $W/a.out; cat $W/a.log
echo "--- b"; grep -v '^ok ' $W/b.out; cat $W/b.log
echo "=== $FAILS failure(s)"
[ $FAILS = 0 ]
