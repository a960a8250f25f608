. "$MIF_SCEN_DIR/../demo-common.sh"
# checks between the steps: evaltest.dat, section by section; the story
# lines (testing/lib/story.sh) are what scripts/demo shows as it happens
story "topology: mn has two links to gw, wlan0 10.1.0.10 (via rw) and lte0 10.2.0.10 (via rl);"
story "          gw 10.0.0.1 routes cn's LAN 10.8.0.0/24; both run stock charon with the mif plugin"
evaltest loaded
hxs mn 'swanctl --initiate --child demo' >> "$MIF_R/steps.log" 2>&1
evaltest up
story "IKE SA up over wlan0, mn got the virtual IP 10.99.0.1; mif negotiated in IKE_AUTH;"
story "  each interface is a path with its own CHILD SA (mifctl list on mn):"
story_out mn mifctl list
rates_start mn wlan0 lte0

# both links carry ESP at the same time: 16 TCP streams spread per flow
story "traffic: 16 TCP streams mn -> cn for 3 s"
story_mark "16 TCP streams"
capture_start wlan mn wlan0 out
capture_start lte mn lte0 out
capture_sync
esp_mark wlan mn 10.1.0.10 10.0.0.1
esp_mark lte mn 10.2.0.10 10.0.0.1
t0=$STORY_MS
check_iperf mn cn 10.8.0.2 0.1 3 -P 16 -B 10.99.0.1
_story_ms
story "  wlan0 sent $(rates_mbit wlan0 "$t0" "$STORY_MS") Mbit/s, lte0 $(rates_mbit lte0 "$t0" "$STORY_MS") Mbit/s at the same time"
capture_stop wlan
capture_stop lte
check_capture_esp wlan 10
check_capture_esp lte 10
check_esp_increased wlan 10
check_esp_increased lte 10

# failover: wlan0 goes down under a 1000 packets/s probe to cn
demo_failover mif
gap=$GAP
story "  the flow moved to lte0: longest gap ${gap} ms, $LOST of 6000 packets lost"
check "failover gap ${gap} ms < 3000 ms" awk -v g="${gap:-99999}" 'BEGIN { exit !(g < 3000) }'
evaltest moved
story "  MOBIKE moved the IKE SA to lte0 as well"
# after the failover the traffic leaves through lte0, as ESP only (over the
# IPv4 or the IPv6 path of lte0, as the flow hashes)
capture_start lte2 mn lte0 out
capture_sync
check_ping mn 10.8.0.2 5 -I 10.99.0.1
capture_stop lte2
check_capture_esp lte2 5

# wlan0 comes back: announced again, proven, and carrying traffic again
story_mark "wlan0 up"
t_up=$(now_ms)
mn_link_up wlan0
check "wlan0's path is ACTIVE again after the link came back" \
	mif_wait_active mn 30 10.1.0.10
up_ms=$(( $(now_ms) - t_up ))
metric mif_return_ms "$up_ms"
story "wlan0 back: announced again and ACTIVE after ${up_ms} ms, without a new IKE SA:"
story_out mn mifctl list
story "traffic: 16 TCP streams again for 3 s"
# ESP leaves wlan0 again, over its IPv4 or its IPv6 path as the flows hash
capture_start wlan2 mn wlan0 out
capture_sync
_story_ms
t0=$STORY_MS
check_iperf mn cn 10.8.0.2 0.1 3 -P 16 -B 10.99.0.1
_story_ms
capture_stop wlan2
story "  wlan0 sent $(rates_mbit wlan0 "$t0" "$STORY_MS") Mbit/s, lte0 $(rates_mbit lte0 "$t0" "$STORY_MS") Mbit/s"
check_capture_esp wlan2 10
rates_stop

# the IKE SA goes away (evaltest.dat [end]: its bindings are removed)
hxs mn 'swanctl --terminate --ike demo' >> "$MIF_R/steps.log" 2>&1
story "IKE SA closed; its bindings are removed from libmif's database"
