hxs mn 'swanctl --initiate --child home' >> "$MIF_R/steps.log" 2>&1
expect mn 'swanctl --list-sas' 'home: #[0-9]+, ESTABLISHED' YES 10
expect mn "cat $MIF_R/mn.charon.log" 'mif: path BID [0-9]+ 10.2.0.10 === 10.0.0.1 active' YES 30
id=$(hxs mn 'swanctl --list-sas' | sed -n 's/^home: #\([0-9]*\),.*/\1/p' | head -n 1)

capture_start tocn gw eth1 out
capture_sync
check "mifctl announces cn's address 10.8.0.2 as mn's" hxs mn "mifctl add $id 10.8.0.2"
expect gw "cat $MIF_R/gw.charon.log" 'mif: peer announced path BID [0-9]+ 10.8.0.2' YES 10
expect gw "cat $MIF_R/gw.charon.log" '10.8.0.2 did not answer the return routability check, refusing path' YES 20
# meanwhile mn's real traffic keeps flowing over its proven paths
check_ping mn 10.8.0.2 3 -I 10.99.0.1
capture_stop tocn

check "gw probed the claimed address" test "$(capture_count tocn 'udp dst port 4501 and dst host 10.8.0.2')" -ge 1
check "no ESP towards cn" test "$(capture_count tocn "$MIF_ESP_FILTER")" -eq 0
expect gw 'swanctl --list-sas' '10.8.0.2/32\[gre\]' NO
expect gw 'mifctl list' '10.8.0.2' NO
check_not "no CHILD SA was created for it on gw" grep -q 'creating CHILD_SA for path BID [0-9]* 10.0.0.1 === 10.8.0.2' "$MIF_R/gw.charon.log"
