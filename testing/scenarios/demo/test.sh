# the plugin is loaded by both stock charons
expect mn 'swanctl --stats' 'loaded plugins:.* mif' YES
expect gw 'swanctl --stats' 'loaded plugins:.* mif' YES

hxs mn 'swanctl --initiate --child demo' >> "$MIF_R/steps.log" 2>&1
expect mn 'swanctl --list-sas' 'demo: #[0-9]+, ESTABLISHED' YES 10
check "mn: binding BID 1 recorded for the IKE SA on wlan0" \
	grep -Eq "mif: binding BID 1 of 'gw@mif.test#[0-9]+' for IKE_SA demo\[[0-9]+\]: 10.1.0.10 === 10.0.0.1 \(wlan0\)" "$MIF_R/mn.charon.log"
check "both: extension negotiated in IKE_AUTH" \
	grep -q 'mif: multiple interfaces enabled for IKE_SA demo' "$MIF_R/mn.charon.log" "$MIF_R/gw.charon.log"

# one path per interface, proven and up without a new IKE SA
for p in "10.1.0.10 === 10.0.0.1 active over mif[0-9]+p[0-9]+" \
		 "10.2.0.10 === 10.0.0.1 active over mif[0-9]+p[0-9]+"; do
	expect mn "cat $MIF_R/mn.charon.log" "mif: path BID [0-9]+ $p" YES 30
done
check "gw: return routability proven for lte0's address" \
	grep -q 'mif: return routability of 10.2.0.10 proven' "$MIF_R/gw.charon.log"
expect mn 'swanctl --list-sas' 'demo: #[0-9]+, ESTABLISHED' YES
check "mn: still one IKE SA" test "$(hxs mn 'swanctl --list-sas' | grep -c ESTABLISHED)" -eq 1
expect mn 'sqlite3 /run/mif-bindings.db "select bid, ifname, state from bindings"' 'lte0' YES 5

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
# MOBIKE checks every lte0 address pair and takes the first that answers,
# IPv4 or IPv6 (charon's ike_mobike path probing)
expect mn 'swanctl --list-sas' '@ (10\.2\.0\.10|fd02::10)\[4500\]' YES 20
# after the failover the traffic leaves through lte0, as ESP only (over the
# IPv4 or the IPv6 path of lte0, as the flow hashes)
capture_start lte2 mn lte0 out
capture_sync
check_ping mn 10.8.0.2 5 -I 10.99.0.1
capture_stop lte2
check_capture_esp lte2 5

# the IKE SA goes away: its bindings are removed
hxs mn 'swanctl --terminate --ike demo' >> "$MIF_R/steps.log" 2>&1
expect gw "cat $MIF_R/gw.charon.log" "mif: removed bindings of 'mn@mif.test#[0-9]+'" YES 10
