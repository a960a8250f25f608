. ../hostile-common.sh
LTE=10.2.0.10
RATE=${FLOOD_PPS:-5000}	# probes per second of each flood
SETUPS=5

# ms from "initiating IKE_SA c2[N]" to "IKE_SA c2[N] established" of c2's
# newest IKE_SA, from c2's filelog (millisecond timestamps)
c2_last_setup_ms()
{
	awk '
		function ms(t,  a) { split(t, a, /[:.]/); return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4] }
		/initiating IKE_SA c2\[[0-9]+\]/ { match($0, /c2\[[0-9]+\]/); id = substr($0, RSTART, RLENGTH); t0[id] = ms($1); last = id }
		/IKE_SA c2\[[0-9]+\] established/ { match($0, /c2\[[0-9]+\]/); t1[substr($0, RSTART, RLENGTH)] = ms($1) }
		END { print ((last in t1) ? t1[last] - t0[last] : -1) }
	' "$MIF_R/c2.charon.log"
}

# SETUPS IKE_SA setups of c2; prints their median (ms), -1 if one failed
c2_setups()
{
	local name=$1 i ms all=()
	for ((i = 0; i < SETUPS; i++)); do
		hx c2 swanctl --initiate --child c2 --timeout 30 >> "$MIF_R/steps.log" 2>&1
		ms=$(c2_last_setup_ms)
		hx c2 swanctl --terminate --ike c2 --timeout 10 >> "$MIF_R/steps.log" 2>&1
		all+=("$ms")
		echo "$ms" >> "$MIF_STATE/setups-$name"
	done
	say "c2 setups ($name): ${all[*]} ms" >&2
	printf '%s\n' "${all[@]}" | sort -n | awk '
		{ v[n++] = $1 } END { print (v[0] < 0 ? -1 : v[int(n / 2)]) }'
}

# time for gw's charon to answer swanctl --stats (ms)
gw_stats_ms()
{
	local t=$(now_ms)
	hx gw swanctl --stats > /dev/null 2>&1 || { echo -1; return; }
	echo $(( $(now_ms) - t ))
}

# UDP datagrams gw's kernel dropped because a socket's buffer was full
udp_drops()
{
	hx gw cat /proc/net/snmp | awk '$1 == "Udp:" && $2 ~ /^[0-9]/ { print $6 }'
}

# one flood phase: NAME MIF-FLOOD-ARGS...; c2's setups during the flood
flood_phase()
{
	local name=$1 pid c0 c1 d0 u0 med st
	shift
	d0=$(dead_events gw)
	u0=$(udp_drops)
	mif-hostexec fl "$MIF_FLOOD" -r "$RATE" -t 120 "$@" > "$MIF_STATE/flood-$name.out" 2>&1 &
	pid=$!
	msleep 1.5
	c0=$(cpu_ms gw)
	med=$(c2_setups "$name")
	st=$(gw_stats_ms)
	c1=$(cpu_ms gw)
	kill -TERM "$pid"
	wait "$pid"
	say "flood $name: $(< "$MIF_STATE/flood-$name.out")" >&2
	{
		metric "c2_setup_ms_$name" "$med"
		metric "gw_stats_ms_$name" "$st"
		metric "gw_cpu_ms_$name" "$((c1 - c0))"
		metric "flood_pps_$name" "$(sed -n 's/.*pps=\([0-9]*\).*/\1/p' "$MIF_STATE/flood-$name.out")"
		metric "gw_path_dead_events_$name" "$(( $(dead_events gw) - d0 ))"
		metric "gw_udp_rcvbuf_drops_$name" "$(( $(udp_drops) - u0 ))"
	} >&2
	echo "$med $st $(( $(dead_events gw) - d0 ))"
}

victim_up "$LTE"

# sniff one of mn's liveness requests on its lte path
capture_start sniff gw eth0 in "udp and src host $LTE and dst port 4501"
capture_sync
msleep 1
capture_stop sniff
read -r spis bid seq < <(sniff_probe sniff)
say "sniffed: SPIs $spis BID $bid Seq $seq"
check "sniffed SPIs, BID and Seq from a real probe ($spis $bid $seq)" test -n "$seq"

# c2's setup times with gw idle, before the floods (and after them)
c2_setups idle > /dev/null
metric gw_stats_ms_idle "$(gw_stats_ms)"
metric gw_udp_rcvbuf_drops_idle "$(udp_drops)"

# the RcvbufErrors column of Udp: in /proc/net/snmp
[ "$(hx gw cat /proc/net/snmp | awk '$1 == "Udp:" && $2 !~ /^[0-9]/ { print $6 }')" = RcvbufErrors ] ||
	say "WARNING: /proc/net/snmp layout differs, gw_udp_rcvbuf_drops_* are wrong"

# a loaded host can make paths flap without any attack: start from calm
for a in 10.1.0.10 $LTE; do
	wait_stable gw $a 3 || say "WARNING: gw's path to $a is not stable before the floods"
done

# random SPIs: nothing matches, nothing should cost more than a lookup
read -r med_r st_r dead_r < <(flood_phase random -d 10.0.0.1 -S random | tail -n 1)
# sniffed SPIs/BID/Seq from mn's path address: every check but the HMAC passes
read -r med_s st_s dead_s < <(flood_phase sniffed -d 10.0.0.1 -S "$spis" -b "$bid" -q "$seq" -s $LTE | tail -n 1)
# reference: the same rate to a closed port costs the kernel, not charon
read -r med_c st_c dead_c < <(flood_phase closed -d 10.0.0.1 -p 4599 -S random | tail -n 1)
msleep 2
c2_setups idle > /dev/null
idle=$(sort -n "$MIF_STATE/setups-idle" | awk '{ v[n++] = $1 } END { print (v[0] < 0 ? -1 : v[int(n / 2)]) }')
metric c2_setup_ms_idle "$idle"
say "c2 setups (idle, before and after the floods): $(sort -n "$MIF_STATE/setups-idle" | tr '\n' ' ')"

check "c2 sets up IKE_SAs with an idle gw (median $idle ms)" test "$idle" -gt 0
# the setup-time bounds are timing: in the sanitizer run (MIF_SANITIZE=1,
# charon instrumented and 2-3 times slower, even the closed-port reference
# reaches 2 x idle) they are recorded, not asserted; the floods still go
# through the instrumented receive path, which is what that run is for
if [ "${MIF_SANITIZE:-0}" = 1 ]; then
	say "sanitizer run: setup medians recorded, not asserted (random $med_r, sniffed $med_s, closed $med_c, idle $idle ms)"
else
	check "random-SPI flood at $RATE/s: c2 setup median $med_r ms <= 2 x idle $idle ms" \
		test "$med_r" -gt 0 -a "$med_r" -le $((2 * idle))
fi
check "random-SPI flood: gw's charon answers swanctl --stats within 5 s ($st_r ms)" \
	test "$st_r" -ge 0 -a "$st_r" -le 5000
[ "${MIF_SANITIZE:-0}" = 1 ] ||
	check "sniffed-SPI bad-tag flood at $RATE/s: c2 setup median $med_s ms <= 2 x idle $idle ms" \
		test "$med_s" -gt 0 -a "$med_s" -le $((2 * idle))
check "sniffed-SPI flood: gw's charon answers swanctl --stats within 5 s ($st_s ms)" \
	test "$st_s" -ge 0 -a "$st_s" -le 5000
check "extra: random-SPI flood: no path of mn went DEAD on gw ($dead_r dead events)" test "$dead_r" -eq 0
# a flood that passes every check but the HMAC (SPIs, BID, Seq and the
# path's own source address) uses up the IKE SA's verification budget: the
# work it causes is bounded (doc/protocol.md 5.3 step 4), and the attacked
# path's liveness probes may be dropped with the flood, so it may go DEAD
# for a while; that count is reported, not checked
say "sniffed-SPI flood: $dead_s dead events of mn's paths on gw (budget-bound by design)"

# after the floods: everything back to normal
for a in 10.1.0.10 $LTE; do
	expect gw 'mifctl list' "ACTIVE +10.0.0.1 +$a" YES 10
done
check_alive gw mn c2
