expect mn "swanctl --list-sas" "local .*@ fd01::10\[4500\]" YES
vip=$(hx mn ip -6 -o addr show dev lo | grep -o 'fd99::[0-9a-f]*' | head -n 1)
check "mn got an IPv6 virtual IP (${vip:-none})" test -n "$vip"

capture_start lte-out mn lte0 out
probe_recv gap cn 5001 -w 3
( msleep 2; link_down mn wlan0 ) &
downer=$!
probe_send mn fd08::2 5001 1000 7 -b "$vip"
wait $downer
probe_wait gap
capture_stop lte-out

gap=$(probe_get gap gap_max_ms)
metric mobike6_gap_ms "$gap"
metric mobike6_outage_ms "$(probe_get gap outage_ms)"
metric mobike6_lost "$(probe_get gap lost)"
check "probe stream survived the handover (received $(probe_get gap unique) of $(probe_get gap sent))" \
	test "$(probe_get gap unique)" -ge 3000
check "handover gap ${gap} ms below 5000 ms" awk -v g="$gap" 'BEGIN { exit !(g > 0 && g < 5000) }'
check_capture_esp lte-out 1000
check "ESP SA mn -> gw on the new path counted >= 1000 packets" \
	test "$(xfrm_pkts mn fd02::10 fd00::1)" -ge 1000
check "gw's inbound ESP SA from the new address counted >= 1000 packets" \
	test "$(xfrm_pkts gw fd02::10 fd00::1)" -ge 1000
