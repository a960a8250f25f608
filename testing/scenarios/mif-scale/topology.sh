# N mobile nodes (SCALE_N, test.sh) with two access links each, one gateway.
#
#   mn1..mnN, mnx  wlan0 10.1.A.B/16 ---[br0 in rw]--- rw eth1 10.0.0.2 -+
#                  lte0  10.2.A.B/16 ---[br0 in rl]--- rl eth1 10.0.0.3 -+- [sw] - gw eth0 10.0.0.1
#                  (A.B = i + 10; mnx is node 0)                           gw eth1 10.8.0.1 - cn 10.8.0.2
#
# mn: default via rw (wlan0, metric 100) and via rl (lte0, metric 200). Each
# node is a namespace with two veth pairs; the node side is configured by
# one `ip -batch` per node (the harness queues per host), the router side
# by one batch in rw and in rl.

# N comes from bench/guest-bench (SCALE_N) or is the CI default; test.sh
# reads the same
SCALE_N=20
[ -f "/out/.bench-env.$MIF_SCEN" ] && . "/out/.bench-env.$MIF_SCEN"

topology()
{
	local i h a
	node rw rl gw cn
	lan sw gw:eth0 rw:eth1 rl:eth1
	link gw:eth1 cn:eth0
	addr gw eth0 10.0.0.1/24
	addr gw eth1 10.8.0.1/24
	addr cn eth0 10.8.0.2/24
	addr rw eth1 10.0.0.2/24
	addr rl eth1 10.0.0.3/24
	route gw 10.1.0.0/16 via 10.0.0.2
	route gw 10.2.0.0/16 via 10.0.0.3
	route rw default via 10.0.0.1
	route rl default via 10.0.0.1
	route cn default via 10.8.0.1
	_q rw link add br0 type bridge
	_q rw link set br0 up
	_q rw addr add 10.1.0.1/16 dev br0
	_q rl link add br0 type bridge
	_q rl link set br0 up
	_q rl addr add 10.2.0.1/16 dev br0
	# the node dirs were made by scale.py (one process, not one per node)
	for ((i = 0; i <= SCALE_N; i++)); do
		h=mn$i
		[ $i -eq 0 ] && h=mnx
		_q _root netns add $h
		_q _root link add wlan0 netns $h type veth peer name w$i netns rw
		_q _root link add lte0 netns $h type veth peer name l$i netns rl
		_q rw link set w$i master br0 up
		_q rl link set l$i master br0 up
		_q $h link set lo up
		_q $h link set wlan0 up
		_q $h link set lte0 up
		a=$((a = i + 10, a >> 8)).$(( (i + 10) & 255))
		_q $h addr add 10.1.$a/16 dev wlan0
		_q $h addr add 10.2.$a/16 dev lte0
		_q $h route add default via 10.1.0.1 dev wlan0 metric 100
		_q $h route add default via 10.2.0.1 dev lte0 metric 200
	done
}
