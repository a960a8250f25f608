# Packet captures into $MIF_R/<name>.pcap (text dump <name>.txt at collect).
#
#   capture_start NAME HOST IF [DIR] [FILTER]   DIR: out (default) | in | inout
#   capture_sync                 wait until all started captures listen
#                                (traffic helpers call it themselves)
#   capture_stop NAME...
#   capture_count NAME FILTER    packets in the capture matching FILTER
#   check_capture_esp NAME [MIN] [PLAIN]
#       at least MIN (default 1) ESP packets (plain or UDP-encapsulated) and
#       no packet matching PLAIN (default: anything that is not ESP, IKE or
#       neighbour discovery/ARP, i.e. leaked plaintext)
#
# Capture with DIR out on an endpoint: on the receiving side tcpdump also
# sees the decrypted inner packet of tunnel mode (pitfall 9, testing/README.md).
# On a router between the peers any direction shows what is on the wire.

MIF_ESP_FILTER='esp or (ip and udp port 4500 and udp[8:4] != 0)'
# control traffic that is never inner traffic: IKE, probes, ARP, ND and MLD
# (MLD reports carry a hop-by-hop header, after which ip6[40] is ICMPv6's
# next header 58: a link coming up sends them), and ICMPv6 errors (types
# below 128), which the stack sends about other packets: in one mobike-v6
# run mn reported "address unreachable" for an outer packet to fd00::1
# while wlan0 went down (a leaked inner packet shows up as itself)
MIF_CTRL_FILTER='udp port 500 or udp port 4500 or udp port 4501 or arp or (icmp6 and (ip6[40] >= 130 and ip6[40] <= 143)) or (ip6[6] == 0 and ip6[40] == 58) or (ip6[6] == 58 and ip6[40] < 128)'
_MIF_CAP_PENDING=

capture_start()
{
	local name=$1 h=$2 dev=$3 dir=${4:-out} filter=${5:-}
	# --immediate-mode: with TPACKET_V3 libpcap hands packets over only
	# when a ring block fills or after a 1 s timeout, and tcpdump drops
	# what is still in the ring when it is stopped.
	# tcpdump takes seconds to start under TCG: start them all, then sync.
	# mif-hostexec, not the hx function: in the background a function runs
	# in a subshell, $! would be that subshell and killing it would leave
	# tcpdump running
	mif-hostexec "$h" tcpdump -n -U --immediate-mode -s 200 -i "$dev" -Q "$dir" -w "$MIF_R/$name.pcap" $filter \
		2> "$MIF_STATE/cap-$name.err" &
	echo $! > "$MIF_STATE/cap-$name.pid"
	_MIF_CAP_PENDING+=" $name"
	say "capture $name on $h:$dev ($dir) starting"
}

capture_sync()
{
	local name rc=0
	for name in $_MIF_CAP_PENDING; do
		if ! wait_for 15 grep -q "listening on" "$MIF_STATE/cap-$name.err"; then
			say "capture $name did not start: $(< "$MIF_STATE/cap-$name.err")"
			rc=1
		fi
	done
	_MIF_CAP_PENDING=
	return $rc
}

capture_stop()
{
	local name pid pids=()
	capture_sync
	# let packets in flight reach the captures before stopping them
	msleep 0.2
	for name in "$@"; do
		pid=$(< "$MIF_STATE/cap-$name.pid") || continue
		kill -TERM "$pid" 2>/dev/null
		pids+=("$pid")
	done
	[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}" 2>/dev/null
	for name in "$@"; do
		rm -f "$MIF_STATE/cap-$name.pid"
		say "capture $name stopped: $(grep -h 'captured' "$MIF_STATE/cap-$name.err")"
	done
}

capture_count()
{
	# --count skips formatting every packet, which is slow under TCG
	local out
	out=$(tcpdump -n -r "$MIF_R/$1.pcap" --count "$2" 2>/dev/null)
	echo "${out%% *}"
}

check_capture_esp()
{
	local name=$1 min=${2:-1} plain=${3:-"not ($MIF_ESP_FILTER) and not ($MIF_CTRL_FILTER)"}
	local esp leak
	esp=$(capture_count "$name" "$MIF_ESP_FILTER")
	leak=$(capture_count "$name" "$plain")
	check "capture $name: >= $min ESP packets (got $esp)" test "$esp" -ge "$min"
	[ "$leak" -eq 0 ] ||
		leak="$leak: $(tcpdump -n -r "$MIF_R/$name.pcap" "$plain" 2>/dev/null | head -n 3 | tr '\n' '|')"
	check "capture $name: no plaintext (got $leak)" test "${leak%%:*}" -eq 0
}
