# checks between the steps: evaltest.dat, section by section
# lte0 is IPv6-only
addr_del mn lte0 10.2.0.10/24
hxs mn 'swanctl --initiate --child home' >> "$MIF_R/steps.log" 2>&1
evaltest up

# inner IPv4 over both families at once
capture_start w4 mn wlan0 out
capture_start l6 mn lte0 out
capture_sync
check_iperf mn cn 10.8.0.2 0.1 3 -P 16 -B 10.99.0.1
capture_stop w4
capture_stop l6
check_capture_esp l6 10
check "IPv6 ESP on lte0" test "$(capture_count l6 'ip6 and esp')" -ge 10
check "IPv4 ESP on wlan0" test "$(capture_count w4 'ip and esp')" -ge 10

# wlan0 down: the IPv6 path carries everything, MOBIKE moves the IKE SA
probe_recv ds cn 5001 -w 4
( sleep 2; link_down mn wlan0 ) &
probe_send mn 10.8.0.2 5001 1000 6 -b 10.99.0.1
wait $!
probe_wait ds
gap=$(probe_get ds gap_max_ms)
metric dualstack_failover_gap_ms "$gap"
check "inner IPv4 survived on the IPv6 path (received $(probe_get ds unique) of 6000, gap ${gap} ms)" \
	test "$(probe_get ds unique)" -ge 5000
evaltest moved
esp_mark v6 mn fd02::10 fd00::1
check_ping mn 10.8.0.2 5 -I 10.99.0.1
check_esp_increased v6 5
