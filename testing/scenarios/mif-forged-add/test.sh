# checks between the steps: evaltest.dat, section by section
hxs mn 'swanctl --initiate --child home' >> "$MIF_R/steps.log" 2>&1
evaltest up
id=$(hxs mn 'swanctl --list-sas' | sed -n 's/^home: #\([0-9]*\),.*/\1/p' | head -n 1)

capture_start tocn gw eth1 out
capture_sync
check "mifctl announces cn's address 10.8.0.2 as mn's" hxs mn "mifctl add $id 10.8.0.2"
evaltest refused
# meanwhile mn's real traffic keeps flowing over its proven paths
check_ping mn 10.8.0.2 3 -I 10.99.0.1
capture_stop tocn

check "gw probed the claimed address" test "$(capture_count tocn 'udp dst port 4501 and dst host 10.8.0.2')" -ge 1
check "no ESP towards cn" test "$(capture_count tocn "$MIF_ESP_FILTER")" -eq 0
