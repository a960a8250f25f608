# checks between the steps: evaltest.dat, section by section
evaltest loaded
hxs mn 'swanctl --initiate --child demo' >> "$MIF_R/steps.log" 2>&1
evaltest up

# both links carry ESP at the same time: 16 TCP streams spread per flow
capture_start wlan mn wlan0 out
capture_start lte mn lte0 out
capture_sync
esp_mark wlan mn 10.1.0.10 10.0.0.1
esp_mark lte mn 10.2.0.10 10.0.0.1
check_iperf mn cn 10.8.0.2 0.1 3 -P 16 -B 10.99.0.1
capture_stop wlan
capture_stop lte
check_capture_esp wlan 10
check_capture_esp lte 10
check_esp_increased wlan 10
check_esp_increased lte 10

# failover: wlan0 goes down under a 1000 packets/s probe to cn
probe_recv fo cn 5001
( sleep 2; link_down mn wlan0 ) &
probe_send mn 10.8.0.2 5001 1000 6
wait $!
probe_wait fo
gap=$(probe_get fo gap_max_ms)
metric mif_failover_gap_ms "$gap"
metric mif_failover_lost "$(probe_get fo lost)"
check "failover gap ${gap} ms < 3000 ms" awk -v g="${gap:-99999}" 'BEGIN { exit !(g < 3000) }'
evaltest moved
# after the failover the traffic leaves through lte0, as ESP only (over the
# IPv4 or the IPv6 path of lte0, as the flow hashes)
capture_start lte2 mn lte0 out
capture_sync
check_ping mn 10.8.0.2 5 -I 10.99.0.1
capture_stop lte2
check_capture_esp lte2 5

# the IKE SA goes away (evaltest.dat [end]: its bindings are removed)
hxs mn 'swanctl --terminate --ike demo' >> "$MIF_R/steps.log" 2>&1
