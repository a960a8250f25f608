capture_start nat-out rw eth1 out
capture_start gw-out gw eth0 out
esp_mark mn-gw mn 10.1.0.10 10.0.0.1
esp_mark gw-mn gw 10.0.0.1 10.0.0.2
check_ping mn 10.8.0.2 5
capture_stop nat-out
capture_stop gw-out
check_capture_esp nat-out 5
check_capture_esp gw-out 5
check "behind the NAT: ESP is UDP-encapsulated, no plain ESP" \
	test "$(capture_count nat-out 'esp')" -eq 0 -a \
		"$(capture_count nat-out 'src host 10.0.0.2 and udp port 4500 and udp[8:4] != 0')" -ge 5
check_esp_increased mn-gw 5
check_esp_increased gw-mn 5
