expect mn 'swanctl --stats' 'loaded plugins:.* mif' YES
expect gw 'swanctl --stats' 'loaded plugins:.* mif' NO
hxs mn 'swanctl --initiate --child home' >> "$MIF_R/steps.log" 2>&1
expect mn 'swanctl --list-sas' 'home: #[0-9]+, ESTABLISHED' YES 10
# the capability was offered and silently ignored
check "mn offered MIF_SUPPORTED in IKE_AUTH" \
	grep -q 'generating IKE_AUTH request 1 .*N((41000))' "$MIF_R/mn.charon.log"
check_not "gw did not answer with MIF_SUPPORTED" \
	grep -q 'generating IKE_AUTH response 1 .*N((41000))' "$MIF_R/gw.charon.log"
check "mn falls back to plain MOBIKE" \
	grep -q 'does not support multiple interfaces, using plain MOBIKE' "$MIF_R/mn.charon.log"
check_not "mn announced no path" grep -q 'mif: announcing path' "$MIF_R/mn.charon.log"
expect mn 'mifctl list' 'ACTIVE' NO

esp_mark w mn 10.1.0.10 10.0.0.1
check_ping mn 10.8.0.2 3 -I 10.99.0.1
check_esp_increased w 3

# plain MOBIKE handover
link_down mn wlan0
expect mn 'swanctl --list-sas' 'local .*@ 10\.2\.0\.10\[4500\]' YES 15
esp_mark l mn 10.2.0.10 10.0.0.1
check_ping mn 10.8.0.2 3 -I 10.99.0.1
check_esp_increased l 3
check_not "no errors in gw's log" grep -Eq 'received (AUTHENTICATION_FAILED|INVALID_SYNTAX|UNSUPPORTED_CRITICAL)|parsing .* failed' "$MIF_R/gw.charon.log"
check_not "no errors in mn's log" grep -Eq 'received (AUTHENTICATION_FAILED|INVALID_SYNTAX|UNSUPPORTED_CRITICAL)|parsing .* failed' "$MIF_R/mn.charon.log"
