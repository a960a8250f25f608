# Failover comparison, shared by the cmp-* scenarios: the same topology,
# configs (but for the mif plugin) and event, so the gaps can be compared.
#   cmp_run EVENT VARIANT   EVENT: down (wlan0 goes down) | cut (wlan0
#                           silently drops everything, the link stays up);
#                           VARIANT: stock | mif

cmp_run()
{
	local event=$1 variant=$2 gap lost outage ref sout p g l event_pid senders

	hxs mn 'swanctl --initiate --child home' >> "$MIF_R/steps.log" 2>&1
	expect mn 'swanctl --list-sas' 'home: #[0-9]+, ESTABLISHED' YES 10
	expect mn 'swanctl --list-sas' 'local .*@ 10\.1\.0\.10\[4500\]' YES
	if [ "$variant" = mif ]; then
		expect mn "cat $MIF_R/mn.charon.log" \
			'mif: path BID [0-9]+ 10.2.0.10 === 10.0.0.1 active' YES 30
		expect mn "cat $MIF_R/mn.charon.log" \
			'mif: path BID [0-9]+ 10.1.0.10 === 10.0.0.1 active' YES 30
		# let liveness settle after the CHILD SAs came up
		sleep 2
	fi
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
	echo "$outage" > "$MIF_R/outage_ms"
	say "worst stream lost ${outage} ms, all streams lost $lost of 24000"
	if [ "$variant" = mif ]; then
		check "mif recovers from wlan0 $event: worst stream lost ${outage} ms < 3000 ms" \
			test "$outage" -lt 3000
		# the streams are back for good: most of them arrived
		check "mif: streams survived (lost $lost of 24000)" test "$lost" -lt 8000
		# side by side: the stock reference of this run, when it ran first
		ref="$MIF_R/../cmp-$event-stock/outage_ms"
		if [ -f "$ref" ]; then
			sout=$(cat "$ref")
			check "mif outage ${outage} ms beats stock MOBIKE's ${sout} ms" \
				awk -v o="$outage" -v s="$sout" 'BEGIN { exit !(o < s) }'
		fi
		if [ "$event" = cut ]; then
			# nothing told charon; the plugin's liveness steered MOBIKE
			expect mn 'swanctl --list-sas' 'local .*@ 10\.2\.0\.10\[4500\]' YES 20
			check "mif: IKE SA moved by steering" grep -q 'steering MOBIKE to 10.2.0.10' "$MIF_R/mn.charon.log"
		fi
	else
		# the reference: recorded, and it must at least have lost traffic
		check "stock $event: outage recorded (worst stream lost ${outage} ms)" \
			test "$outage" -gt 0
	fi
}
