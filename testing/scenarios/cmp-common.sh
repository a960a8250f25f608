# Failover comparison, shared by the cmp-* scenarios: the same topology,
# configs (but for the mif plugin) and event, so the gaps can be compared.
#   cmp_run EVENT VARIANT   EVENT: down (wlan0 goes down) | cut (wlan0
#                           silently drops everything, the link stays up);
#                           VARIANT: stock | mif

cmp_run()
{
	local event=$1 variant=$2 gap lost outage ref sout

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
	probe_recv gap cn 5001 -w 4
	if [ "$event" = down ]; then
		( sleep 2; link_down mn wlan0 ) &
	else
		( sleep 2; link_cut mn wlan0 ) &
	fi
	probe_send mn 10.8.0.2 5001 1000 12 -b 10.99.0.1
	wait $!
	probe_wait gap
	gap=$(probe_get gap gap_max_ms)
	# against what was sent: a stream that never recovers ends the
	# receiver early, which then knows nothing of the trailing loss
	lost=$((12000 - $(probe_get gap unique)))
	# the outage: at 1000 packets/s a lost packet is a lost millisecond, and
	# a stream that never recovered has no gap between received packets
	outage=$(awk -v g="${gap:-0}" -v l="$lost" 'BEGIN { print (l > g ? l : g) }')
	metric "${variant}_${event}_gap_ms" "$gap"
	metric "${variant}_${event}_lost" "$lost"
	metric "${variant}_${event}_outage_ms" "$outage"
	echo "$outage" > "$MIF_R/outage_ms"
	if [ "$variant" = mif ]; then
		check "mif recovers from wlan0 $event: gap ${gap} ms < 3000 ms" \
			awk -v g="${gap:-99999}" 'BEGIN { exit !(g > 0 && g < 3000) }'
		# the stream is back for good: most of it arrived (a silent cut
		# costs the dead interval; TCG under load stretches that)
		check "mif: stream survived (received $(probe_get gap unique) of 12000)" \
			test "$(probe_get gap unique)" -ge 8000
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
		check "stock $event: outage recorded (gap ${gap} ms)" \
			awk -v g="${gap:-0}" -v l="${lost:-0}" 'BEGIN { exit !(g > 0 || l > 0) }'
	fi
}
