. ../hostile-common.sh
V=10.0.0.66
RR_TRIES=5	# gw's rr_tries (the plugin default)

# one storm phase: NAME RESPONSES STORM-ARGS...; counters in storm-NAME.txt
storm_phase()
{
	local name=$1 want=$2
	shift 2
	hostile_ctl mn reset > /dev/null
	say "storm $name: $(hostile_ctl mn storm ike=home local=$V "$@")"
	wait_for 120 storm_answered "$want" ||
		fail "storm $name: gw answered $(hostile_get mn storm_responses) of $want requests"
	hostile_ctl mn status > "$MIF_R/storm-$name.txt"
	say "storm $name: $(tr '\n' ' ' < "$MIF_R/storm-$name.txt")"
}
storm_answered()
{
	test "$(hostile_get mn storm_responses)" -ge "$1"
}
stat_of()
{
	sed -n "s/^$2=//p" "$MIF_R/storm-$1.txt"
}
median()
{
	sort -n | awk '{ v[n++] = $1 } END { print (n ? v[int(n / 2)] : -1) }'
}

hxs mn 'swanctl --initiate --child home' >> "$MIF_R/steps.log" 2>&1
expect mn 'swanctl --list-sas' 'home: #[0-9]+, ESTABLISHED' YES 10
expect gw "cat $MIF_R/gw.charon.log" 'mif: multiple interfaces enabled for IKE_SA home' YES 5
check "the attacker sent MIF_SUPPORTED and got gw's" test "$(hostile_get mn supported_rcvd)" -ge 1

capture_start victim v eth0 in 'udp or esp'
capture_sync
T0=$(now_ms)

# phase 0: 72 ADDs of BID 2 (Seq 1..72), 8 per INFORMATIONAL: requests gw
# has to process completely, the reference for the work per request
storm_phase p72 9 msgs=9 per=8 bid=2 seq=1
check "9 requests of 8 ADDs: gw answered every ADD ($(stat_of p72 acks) ACKs)" \
	test "$(stat_of p72 acks)" -eq 72

# phase 1: 300 ADDs of BID 2 (Seq 73..372), 20 per INFORMATIONAL
c0=$(cpu_ms gw)
storm_phase p300 15 msgs=15 per=20 bid=2 seq=73
metric gw_cpu_ms_300_adds $(( $(cpu_ms gw) - c0 ))
acc=$(stat_of p300 max_accepted)
metric storm300_accepted "$(stat_of p300 ack_accepted)"
metric storm300_max_accepted_per_request "$acc"
check "300 ADDs in 15 requests of 20: at most 8 acted upon per request (most ACCEPTED in one response: $acc)" \
	test "${acc:-999}" -le 8
check "IKE responses to the 20-ADD requests not larger than the requests ($(stat_of p300 resp_bytes) vs $(stat_of p300 req_bytes) octets)" \
	test "$(stat_of p300 max_ratio_pct)" -le 100
msleep 2

# phase 2: 20 new BIDs (100..119) in one INFORMATIONAL (gw accepts 16 paths)
storm_phase bids 1 msgs=1 per=20 bid=100 bids=20 seq=1
acc=$(stat_of bids ack_accepted)
metric storm20bids_accepted "$acc"
check "20 new BIDs in one INFORMATIONAL: at most 8 acted upon (ACCEPTED: $acc of $(stat_of bids acks) ACKs)" \
	test "${acc:-999}" -le 8

# phase 3: re-ADD of BID 2 with a newer Seq every 250 ms for 10 s
TT0=$(now_ms)
storm_phase trickle 40 msgs=40 per=1 bid=2 seq=373 interval=250
TT1=$(now_ms)
metric trickle_accepted "$(stat_of trickle ack_accepted)"
metric trickle_stale "$(stat_of trickle ack_stale_seq)"
check "gw answered all 40 re-ADD requests" test "$(stat_of trickle storm_responses)" -ge 40
check "IKE responses to the re-ADDs not larger than the requests" \
	test "$(stat_of trickle max_ratio_pct)" -le 100

# gw's time from parsing each request to generating its response
ike_info_times gw > "$MIF_R/gw-informational-times.txt"
t20=$(awk '$2 == 20 { print $3 }' "$MIF_R/gw-informational-times.txt" | median)
# (the first 8-ADD request pays for first use: skipped)
t8=$(awk '$2 == 8 { if (n++) print $3 }' "$MIF_R/gw-informational-times.txt" | median)
metric gw_ms_request_20_adds_median "$t20"
metric gw_ms_request_8_adds_median "$t8"
metric gw_ms_request_1_add_median "$(awk '$2 == 1 { print $3 }' "$MIF_R/gw-informational-times.txt" | median)"
check "work per request bounded: a 20-ADD request takes gw (median $t20 ms) <= 1.3 x an 8-ADD request (median $t8 ms) + 2 ms" \
	test "$t20" -ge 0 -a "$t8" -ge 0 -a $((10 * t20)) -le $((13 * t8 + 20))

# RR retransmissions of the last incarnations run out (rr_tries s) and more
msleep $((RR_TRIES + 2))
t=$(now_ms)
check "gw's charon still answers (swanctl --stats)" hx gw swanctl --stats
metric gw_stats_ms $(( $(now_ms) - t ))
expect mn 'swanctl --list-sas' 'home: #[0-9]+, ESTABLISHED' YES
capture_stop victim
T9=$(now_ms)

probes="udp and dst host $V and dst port 4501"
total=$(capture_count victim "$probes")
mapfile -t times < <(pcap_times victim "$probes")
bid2=$(capture_count victim "$probes and udp[28:2] = 2")
# probes per incarnation (BID, Seq)
perinc=$(probe_ids victim "$probes" | sort | uniq -c | sort -rn | awk 'NR == 1 { print $1, $2, $3 }')
trickle=$(printf '%s\n' "${times[@]}" |
	awk -v a="$TT0" -v b="$TT1" 'NF && $1 >= a / 1000 && $1 < b / 1000 { n++ } END { print n + 0 }')
tsecs=$(( (TT1 - TT0 + 999) / 1000 ))
# the first second: from the first probe gw sent to the victim
first=$(printf '%s\n' "${times[@]}" |
	awk 'NF { if (!n++) t = $1; if ($1 < t + 1) f++ } END { print f + 0 }')
win=$(max_per_window "${times[@]}" 1)
secs=$(( (T9 - T0 + 999) / 1000 ))
metric rr_probes_to_victim "$total"
metric rr_probes_to_victim_bid2 "$bid2"
metric rr_probes_first_s "$first"
metric rr_probes_max_per_s "$win"
metric storm_test_secs "$secs"
check "RR probes to the victim in the first second of the storm <= 5 (got $first)" \
	test "$first" -le 5
check "RR probes to the victim in any 1 s window <= 5 (got $win)" test "$win" -le 5
check "RR probes to the victim about 1/s: <= 5 + $secs s + 2 (got $total)" \
	test "$total" -le $((5 + secs + 2))
metric rr_probes_during_readds "$trickle"
metric rr_probes_max_per_incarnation "${perinc:-0}"
check "RR probes per incarnation (BID, Seq) <= rr_tries + 3 = $((RR_TRIES + 3)) (most: ${perinc:-none} [count BID Seq])" \
	test "${perinc%% *}" -le $((RR_TRIES + 3))
check "a re-ADD with a newer Seq does not reset the limit: RR probes during the $tsecs s of re-ADDs every 250 ms <= 2 + $tsecs (got $trickle)" \
	test "$trickle" -le $((2 + tsecs))
big=$(capture_count victim "$probes and udp[4:2] != 76")
check "every probe gw sent is a 68-octet request (no amplification; got $big other sizes)" \
	test "$big" -eq 0
check "no ESP towards the victim" test "$(capture_count victim "$MIF_ESP_FILTER")" -eq 0
check_not "gw created no CHILD SA towards the victim" \
	grep -q "creating CHILD_SA for path BID [0-9]* 10.0.0.1 === $V" "$MIF_R/gw.charon.log"
expect gw 'swanctl --list-sas' "$V/32" NO
check_alive gw mn
