# the plugin is loaded by both stock charons
expect mn 'swanctl --stats' 'loaded plugins:.* mif' YES
expect gw 'swanctl --stats' 'loaded plugins:.* mif' YES
check "mn: mif plugin loaded" grep -q 'mif: plugin loaded' "$MIF_R/mn.charon.log"

hxs mn 'swanctl --initiate --child demo' >> "$MIF_R/steps.log" 2>&1
expect mn 'swanctl --list-sas' 'demo: #[0-9]+, ESTABLISHED' YES 10
check "mn: binding BID 1 recorded on wlan0" \
	grep -Eq "mif: binding BID 1 of 'gw@mif.test' for IKE_SA demo\[[0-9]+\]: 10.1.0.10 === 10.0.0.1 \(wlan0\)" "$MIF_R/mn.charon.log"
check "gw: binding BID 1 recorded for mn" \
	grep -Eq "mif: binding BID 1 of 'mn@mif.test' for IKE_SA demo\[[0-9]+\]: 10.0.0.1 === 10.1.0.10" "$MIF_R/gw.charon.log"
# persisted: the SQLite store holds the binding with its interface
expect mn 'sqlite3 /run/mif-bindings.db .dump' 'wlan0' YES 3

esp_mark out1 mn 10.1.0.10 10.0.0.1
check_ping mn 10.8.0.2 5 -I 10.99.0.1
check_esp_increased out1 5

# handover: wlan0 disappears, MOBIKE moves the IKE SA to lte0 and the
# binding follows it
link_down mn wlan0
expect mn 'swanctl --list-sas' '@ 10.2.0.10\[4500\]' YES 15
expect mn "grep -c 'mif: binding BID 1 .* 10.2.0.10 === 10.0.0.1 (lte0)' $MIF_R/mn.charon.log" '^[1-9]' YES 10
expect gw "grep -c 'mif: binding BID 1 .* 10.0.0.1 === 10.2.0.10' $MIF_R/gw.charon.log" '^[1-9]' YES 10
esp_mark out2 mn 10.2.0.10 10.0.0.1
check_ping mn 10.8.0.2 5 -I 10.99.0.1
check_esp_increased out2 5

# the IKE SA goes away: its bindings are removed
hxs mn 'swanctl --terminate --ike demo' >> "$MIF_R/steps.log" 2>&1
expect gw "cat $MIF_R/gw.charon.log" "mif: removed bindings of 'mn@mif.test'" YES 10
