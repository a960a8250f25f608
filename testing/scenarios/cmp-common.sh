# Failover comparison, shared by the cmp-* scenarios: the same topology,
# configs (but for the mif plugin) and event, so the gaps can be compared.
#   cmp_run EVENT VARIANT   EVENT: down (wlan0 goes down); VARIANT: stock | mif

cmp_run()
{
	local event=$1 variant=$2 gap lost ref sgap

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
	( sleep 2; link_down mn wlan0 ) &
	probe_send mn 10.8.0.2 5001 1000 12 -b 10.99.0.1
	wait $!
	probe_wait gap
	gap=$(probe_get gap gap_max_ms)
	# against what was sent: a stream that never recovers ends the
	# receiver early, which then knows nothing of the trailing loss
	lost=$((12000 - $(probe_get gap unique)))
	metric "${variant}_${event}_gap_ms" "$gap"
	metric "${variant}_${event}_lost" "$lost"
	if [ "$variant" = mif ]; then
		check "mif recovers from wlan0 $event: gap ${gap} ms < 3000 ms" \
			awk -v g="${gap:-99999}" 'BEGIN { exit !(g > 0 && g < 3000) }'
		check "mif: stream survived (received $(probe_get gap unique) of 12000)" \
			test "$(probe_get gap unique)" -ge 10000
		# side by side: the stock reference of this run, when it ran first
		ref="$MIF_R/../cmp-$event-stock/probe-gap.txt"
		if [ -f "$ref" ]; then
			sgap=$(head -n 1 "$ref" | tr ' ' '\n' | sed -n 's/^gap_max_ms=//p')
			check "mif gap ${gap} ms beats stock MOBIKE's ${sgap} ms" \
				awk -v g="$gap" -v s="$sgap" 'BEGIN { exit !(g < s) }'
		fi
	else
		# the reference: recorded, and it must at least have lost traffic
		check "stock $event: outage recorded (gap ${gap} ms)" \
			awk -v g="${gap:-0}" -v l="${lost:-0}" 'BEGIN { exit !(g > 0 || l > 0) }'
	fi
}
