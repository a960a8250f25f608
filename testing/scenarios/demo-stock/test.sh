. "$MIF_SCEN_DIR/../demo-common.sh"
# the demo's steps with stock MOBIKE; the story lines are what scripts/demo
# shows beside the demo's
story "stock MOBIKE, same topology: mn's wlan0 10.1.0.10 and lte0 10.2.0.10, gw 10.0.0.1"
hxs mn 'swanctl --initiate --child demo' >> "$MIF_R/steps.log" 2>&1
evaltest up
story "IKE SA up over wlan0: one IKE SA and one CHILD SA, on one address pair at a time"
rates_start mn wlan0 lte0

story "traffic: 16 TCP streams mn -> cn for 3 s"
story_mark "16 TCP streams"
t0=$STORY_MS
check_iperf mn cn 10.8.0.2 0.1 3 -P 16 -B 10.99.0.1
_story_ms
story "  wlan0 sent $(rates_mbit wlan0 "$t0" "$STORY_MS") Mbit/s, lte0 $(rates_mbit lte0 "$t0" "$STORY_MS") Mbit/s"

demo_failover stock
gap=$GAP
story "  MOBIKE moved the IKE SA to lte0: longest gap ${gap:-(none received)} ms, $LOST of 6000 packets lost"
check "stock failover: a gap was recorded" test -n "$gap"
evaltest moved

story_mark "wlan0 up"
mn_link_up wlan0
where=$(hx mn swanctl --list-sas 2>/dev/null | grep -o -m 1 -E '(10\.[12]\.0\.10|fd0[12]::10)\[4500\]')
story "wlan0 back: the IKE SA stays on ${where:-?}; the main table now prefers wlan0"
# stock charon keeps its path while the kernel still finds a route from its
# address (RFC 4555 leaves the choice to the initiator), but that route now
# leaves through wlan0, whose access router drops lte0's source address: a
# constant-rate flow shows what arrives (TCP would only stall)
story "traffic: 1000 packets/s mn -> cn for 4 s"
probe_recv back cn 5002 -t 8
probe_send mn 10.8.0.2 5002 1000 4 -b 10.99.0.1
probe_wait back
recv=$(probe_get back unique)
metric stock_return_received "${recv:-0}"
if [ "${recv:-0}" -lt 2000 ]; then
	story "  ${recv:-0} of 4000 packets arrived: lte0's address is routed out of wlan0, whose access router drops it"
else
	story "  ${recv:-0} of 4000 packets arrived"
fi
check "stock after wlan0 returned: the flow was measured (${recv:-0} of 4000 arrived)" test -n "$recv"
rates_stop
# its path is black-holed: no waiting for the peer's answer to the DELETE
hxs mn 'swanctl --terminate --ike demo --force' >> "$MIF_R/steps.log" 2>&1
story "IKE SA closed"
