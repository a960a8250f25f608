# checks between the steps: evaltest.dat, section by section
evaltest loaded
hxs mn 'swanctl --initiate --child home' >> "$MIF_R/steps.log" 2>&1
evaltest up

esp_mark w mn 10.1.0.10 10.0.0.1
check_ping mn 10.8.0.2 3 -I 10.99.0.1
check_esp_increased w 3

# plain MOBIKE handover
link_down mn wlan0
evaltest moved
esp_mark l mn 10.2.0.10 10.0.0.1
check_ping mn 10.8.0.2 3 -I 10.99.0.1
check_esp_increased l 3
