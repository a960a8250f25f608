. ../hostile-common.sh
LTE=10.2.0.10

# state of gw's path to ADDR ("none" if there is none)
gw_path_state()
{
	local s
	s=$(hx gw mifctl --json list | jq -r --arg a "$1" \
		'[.paths[] | select(.remote == $a) | .state][0] // "none"')
	echo "${s:-none}"
}

victim_up "$LTE"
msleep 2

# 16 UDP flows cn -> mn's virtual IP: gw hashes them over both paths
mif-hostexec cn "$MIF_FLOOD" --plain -d 10.99.0.1 -p 9 -P 16 -r 200 -t 40 \
	>> "$MIF_R/steps.log" 2>&1 &
traffic=$!
esp_mark before gw 10.0.0.1 $LTE
msleep 3
check_esp_increased before 10

capture_start vin v eth0 in
capture_start gwprobes gw eth0 inout 'udp port 4501'
capture_sync
# a loaded host can make the path flap before the attack: start from calm
check "gw: path to $LTE alive and without liveness changes for 3 s before the move" \
	wait_stable gw $LTE 3

# the address moves: from now on rl delivers 10.2.0.10 to v, while mn
# (unaware, or lying) keeps sending its authenticated liveness requests
# from 10.2.0.10 through rl
T0=$(now_ms)
T0D=$(tod_ms)
hx rl ip route add $LTE/32 dev eth2
say "$LTE now belongs to v (rl routes it to v), mn keeps using it"

# 3.5 s after the move: the ESP counter towards the address, gw's path
# state, and when gw found the path dead (its log)
while [ $(( $(now_ms) - T0 )) -lt 3500 ]; do msleep 0.1; done
esp_mark late gw 10.0.0.1 $LTE
T1=$(now_ms)
st=$(gw_path_state $LTE)
t=$(path_events gw $LTE | awk -v t0="$T0D" '$1 >= t0 && $2 == "dead" { print $1; exit }')
dead_ms=-1
[ -n "$t" ] && dead_ms=$((t - T0D))
metric gw_path_dead_ms "$dead_ms"
metric gw_path_state_3500ms "$st"
check "gw: path to $LTE DEAD within 3 s of the move (gw log: after $dead_ms ms)" \
	test "$dead_ms" -ge 0 -a "$dead_ms" -le 3000
check "gw: path to $LTE not ACTIVE 3.5 s after the move (state $st)" \
	test "$st" != ACTIVE

# no more ESP towards the address for 5 s from then
while [ $(( $(now_ms) - T1 )) -lt 5000 ]; do msleep 0.1; done
read -r _ _ _ b < "$MIF_STATE/esp-late"
a=$(xfrm_pkts gw 10.0.0.1 $LTE)
T2=$(now_ms)
metric esp_to_moved_addr_late "$((a - b))"
check "no ESP from gw towards $LTE from 3.5 s to $(( (T2 - T0) / 1000 )) s after the move (SA counter $b -> $a)" \
	test "$a" -eq "$b"
capture_stop vin gwprobes
kill "$traffic" 2>/dev/null
wait "$traffic" 2>/dev/null

late=$(pcap_times vin "$MIF_ESP_FILTER" | awk -v t="$T1" '$1 >= t / 1000 { n++ } END { print n + 0 }')
metric esp_at_v_late "$late"
check "v received no ESP from 3.5 s after the move (got $late)" test "$late" -eq 0
spoofed=$(capture_count gwprobes "udp and src host $LTE and dst host 10.0.0.1 and dst port 4501 and udp[9:1] = 1")
metric spoofed_requests "$spoofed"
check "the attack ran: gw received >= 20 authenticated requests from $LTE after the move (got $spoofed)" \
	test "$spoofed" -ge 20
metric gw_requests_to_v "$(capture_count gwprobes "udp and dst host $LTE and udp[9:1] = 1")"
metric gw_replies_to_v "$(capture_count gwprobes "udp and dst host $LTE and udp[9:1] = 2")"
metric probes_at_v "$(capture_count vin 'udp port 4501')"
big=$(capture_count gwprobes 'udp and udp[4:2] != 76')
check "every probe datagram is 68 octets: replies no larger than requests (got $big others)" \
	test "$big" -eq 0
check_alive gw mn
