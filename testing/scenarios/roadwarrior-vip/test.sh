capture_start mn-out mn wlan0 out
capture_start gw-out gw eth0 out
capture_start cn-in cn eth0 in
esp_mark mn-gw mn 10.1.0.10 10.0.0.1
esp_mark gw-mn gw 10.0.0.1 10.1.0.10
check_ping mn 10.8.0.2 5
capture_stop mn-out
capture_stop gw-out
capture_stop cn-in
check_capture_esp mn-out 5
check_capture_esp gw-out 5
check "cn received the pings from the virtual IP" \
	test "$(capture_count cn-in 'icmp and src host 10.99.0.1')" -ge 5
check_esp_increased mn-gw 5
check_esp_increased gw-mn 5
