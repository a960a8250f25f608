# Failover comparison, shared by the cmp-* scenarios: the same topology,
# configs (but for the mif plugin) and event, so the gaps can be compared.
# Each scenario measures only itself; the comparison of the metrics of
# cmp-EVENT-mif and cmp-EVENT-stock is the COMPARE line of cmp-EVENT-mif's
# test.conf, evaluated by testing/run after the run (testing/README.md).
#   cmp_run EVENT VARIANT   EVENT: down (wlan0 goes down) | cut (wlan0
#                           silently drops everything, the link stays up);
#                           VARIANT: stock | mif

cmp_run()
{
	local event=$1 variant=$2 gap lost outage p g l event_pid senders

	hxs mn 'swanctl --initiate --child home' >> "$MIF_R/steps.log" 2>&1
	# the IKE SA on wlan0 (and with the plugin both paths): the scenario's
	# evaltest.dat [up]
	evaltest up
	# let liveness settle after the CHILD SAs came up
	[ "$variant" = mif ] && sleep 2
	# 8 streams of 250 packets/s on distinct ports: with the plugin flows
	# are hashed over the paths, and a single stream might never touch the
	# failing one (at least one of 8 does with probability 99.6 %)
	for p in 1 2 3 4 5 6 7 8; do
		probe_recv gap$p cn 500$p -w 4
	done
	if [ "$event" = down ]; then
		( sleep 2; link_down mn wlan0 ) &
	else
		( sleep 2; link_cut mn wlan0 ) &
	fi
	event_pid=$!
	senders=
	for p in 1 2 3 4 5 6 7 8; do
		probe_send mn 10.8.0.2 500$p 250 12 -b 10.99.0.1 &
		senders="$senders $!"
	done
	wait $event_pid $senders
	gap=0 lost=0 outage=0
	for p in 1 2 3 4 5 6 7 8; do
		probe_wait gap$p
		g=$(probe_get gap$p gap_max_ms)
		# what a stream lost: at 250 packets/s a packet is 4 ms. The largest
		# gap between received packets also counts delay (queued, not lost)
		# and says nothing of a stream that never recovered: recorded only.
		l=$((3000 - $(probe_get gap$p unique)))
		lost=$((lost + l))
		gap=$(awk -v a="$gap" -v b="${g:-0}" 'BEGIN { print (b > a ? b : a) }')
		[ $((l * 4)) -gt "$outage" ] && outage=$((l * 4))
	done
	metric "${variant}_${event}_gap_ms" "$gap"
	metric "${variant}_${event}_lost" "$lost"
	metric "${variant}_${event}_outage_ms" "$outage"
	say "worst stream lost ${outage} ms, all streams lost $lost of 24000"
	if [ "$variant" = mif ]; then
		check "mif recovers from wlan0 $event: worst stream lost ${outage} ms < 3000 ms" \
			test "$outage" -lt 3000
		# the streams are back for good: most of them arrived
		check "mif: streams survived (lost $lost of 24000)" test "$lost" -lt 8000
		# against stock MOBIKE: COMPARE in test.conf, a report step of
		# testing/run when cmp-$event-stock ran in the same run
		# cut: that the plugin's liveness steered MOBIKE is in evaltest.dat
	else
		# the reference: recorded, and it must at least have lost traffic
		check "stock $event: outage recorded (worst stream lost ${outage} ms)" \
			test "$outage" -gt 0
	fi
}
