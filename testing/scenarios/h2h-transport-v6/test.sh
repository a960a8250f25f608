capture_start mn-out mn wlan0 out
capture_start gw-out gw eth0 out
esp_mark mn-gw mn fd01::10 fd00::1
esp_mark gw-mn gw fd00::1 fd01::10
check_ping mn fd00::1 5
capture_stop mn-out
capture_stop gw-out
check_capture_esp mn-out 5
check_capture_esp gw-out 5
check_esp_increased mn-gw 5
check_esp_increased gw-mn 5
