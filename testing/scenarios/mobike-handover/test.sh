# the SA starts on wlan0 (metric 100 default route)
expect mn "swanctl --list-sas" "local .*@ 10\.1\.0\.10\[4500\]" YES

capture_start lte-out mn lte0 out
probe_recv gap cn 5001 -w 3
# bound to the virtual IP: the stream must stay inside the tunnel whatever
# the routing table says while the path changes
( msleep 2; link_down mn wlan0 ) &
downer=$!
probe_send mn 10.8.0.2 5001 1000 7 -b 10.99.0.1
wait $downer
probe_wait gap
capture_stop lte-out

gap=$(probe_get gap gap_max_ms)
metric mobike_gap_ms "$gap"
metric mobike_outage_ms "$(probe_get gap outage_ms)"
metric mobike_lost "$(probe_get gap lost)"
metric mobike_sent "$(probe_get gap sent)"
check "probe stream survived the handover (received $(probe_get gap unique) of $(probe_get gap sent))" \
	test "$(probe_get gap unique)" -ge 3000
check "handover gap ${gap} ms below 5000 ms" awk -v g="$gap" 'BEGIN { exit !(g > 0 && g < 5000) }'
check_capture_esp lte-out 1000
check "ESP SA mn -> gw on the new path counted >= 1000 packets" \
	test "$(xfrm_pkts mn 10.2.0.10 10.0.0.1)" -ge 1000
check "gw's inbound ESP SA from the new address counted >= 1000 packets" \
	test "$(xfrm_pkts gw 10.2.0.10 10.0.0.1)" -ge 1000
