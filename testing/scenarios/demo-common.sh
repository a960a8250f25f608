# Steps shared by demo and demo-stock, so that both tell the same story.
#   demo_failover PREFIX    wlan0 goes down under a 1000 packets/s probe to
#                           cn; metrics PREFIX_failover_gap_ms and
#                           PREFIX_failover_lost, also in GAP and LOST

demo_failover()
{
	story "wlan0 fails while mn sends 1000 packets/s to cn"
	probe_recv fo cn 5001
	( sleep 2; story_mark "wlan0 down"; link_down mn wlan0 ) &
	probe_send mn 10.8.0.2 5001 1000 6
	wait $!
	probe_wait fo
	GAP=$(probe_get fo gap_max_ms)
	LOST=$(probe_get fo lost)
	metric "$1_failover_gap_ms" "$GAP"
	metric "$1_failover_lost" "$LOST"
}
