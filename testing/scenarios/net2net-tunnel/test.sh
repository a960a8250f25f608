capture_start rw-out rw eth1 out
capture_start gw-out gw eth0 out
esp_mark rw-gw rw 10.0.0.2 10.0.0.1
esp_mark gw-rw gw 10.0.0.1 10.0.0.2
check_ping mn 10.8.0.2 5
check_ping mn fd08::2 5
capture_stop rw-out
capture_stop gw-out
check_capture_esp rw-out 10
check_capture_esp gw-out 10
check_esp_increased rw-gw 10
check_esp_increased gw-rw 10
