# Shared by the mif-hostile-* scenarios (sourced by their topology.sh and
# test.sh): the test-only hostile tools and measurements of the victim.
#
#   hostile_install             copy the test-only mif-hostile plugin into the
#                               guest's plugin dir (the guest's overlay, never
#                               the host); call before the charons start
#   hostile_ctl HOST CMD...     one command to HOST's mif-hostile plugin
#   hostile_get HOST KEY        a value of "status" (or KEY of CMD: 3rd arg)
#   lan_attach HOST IF ADDR/LEN another host on the core segment (bridge sw)
#   charon_pid HOST             pid of HOST's charon
#   rss_kb HOST                 VmRSS of HOST's charon (kB)
#   cpu_ms HOST                 user+system CPU time of HOST's charon (ms)
#   flood HOST ARGS...          mif-flood in HOST (blocks), output in steps.log
#   pcap_times NAME FILTER      arrival times (s, float) of matching packets
#   max_per_window TIMES... W   most timestamps within any W-second window
#   sniff_probe NAME            "SPII:SPIR BID SEQ" of the first probe in a capture
#   victim_up LTE               mn's IKE SA home up and gw with both of mn's
#                               paths (10.1.0.10 and LTE) ACTIVE

HOSTILE_SO=$MIF_TESTING/hostile/.libs/libstrongswan-mif-hostile.so
MIF_FLOOD=$MIF_TESTING/probe/mif-flood

hostile_install()
{
	[ -f "$HOSTILE_SO" ] || { say "no $HOSTILE_SO: run make first"; return 1; }
	cp "$HOSTILE_SO" /usr/lib/ipsec/plugins/
}

hostile_ctl()
{
	local h=$1
	shift
	hxs "$h" "echo '$*' | nc -N -U /run/mif-hostile.sock"
}

hostile_get()
{
	local h=$1 key=$2 cmd=${3:-status}
	hostile_ctl "$h" "$cmd" | sed -n "s/^$key=//p"
}

# the lan of topo_standard is the bridge br0 in host sw
_LAN_PORT=10
lan_attach()
{
	local h=$1 dev=$2 a=$3
	node "$h"
	link "$h:$dev" "sw:p$_LAN_PORT"
	_q sw link set "p$_LAN_PORT" master br0
	_LAN_PORT=$((_LAN_PORT + 1))
	addr "$h" "$dev" "$a"
}

charon_pid()
{
	echo "$(< "$MIF_STATE/hosts/$1/charon.pid")"
}

rss_kb()
{
	local k v _
	while read -r k v _; do
		[ "$k" = VmRSS: ] && { echo "$v"; return 0; }
	done < "/proc/$(charon_pid "$1")/status"
	echo 0
}

cpu_ms()
{
	local s
	read -r s < "/proc/$(charon_pid "$1")/stat"
	# fields after the command name: state is the 3rd, utime/stime the 14th/15th
	s=${s##*) }
	set -- $s
	# in clock ticks, USER_HZ = 100 on Linux
	echo $(( (${12} + ${13}) * 10 ))
}

flood()
{
	local h=$1 out
	shift
	say "flood from $h: $*"
	out=$(hx "$h" "$MIF_FLOOD" "$@" 2>&1)
	say "flood from $h: $out"
	echo "$out"
}

pcap_times()
{
	tcpdump -n -tt -r "$MIF_R/$1.pcap" "$2" 2>/dev/null | awk '{ print $1 }'
}

max_per_window()
{
	# last argument: window in seconds; the others: sorted timestamps
	local w=${!#}
	printf '%s\n' "${@:1:$#-1}" | awk -v w="$w" '
		NF { t[n++] = $1 }
		END {
			best = 0; j = 0
			for (i = 0; i < n; i++) {
				while (t[i] - t[j] >= w) j++
				if (i - j + 1 > best) best = i - j + 1
			}
			print best
		}'
}

sniff_probe()
{
	# UDP payload of the first probe: SPIs at 4..19, BID 20..21, Seq 22..23
	local hex p
	hex=$(tcpdump -n -r "$MIF_R/$1.pcap" -c 1 -x 'udp port 4501' 2>/dev/null |
		awk '/^[ \t]*0x/ { for (i = 2; i <= NF; i++) printf "%s", $i }')
	p=${hex:56}	# IPv4 20 + UDP 8 octets
	[ ${#p} -ge 48 ] || return 1
	echo "${p:8:16}:${p:24:16} $((16#${p:40:4})) $((16#${p:44:4}))"
}

# ike_info_times HOST: one line per INFORMATIONAL request HOST's charon
# parsed: "MID NOTIFIES_41001 PROCESSING_MS" (parsed request to generated
# response, from the filelog's millisecond timestamps)
ike_info_times()
{
	awk '
		function ms(t,  a) { split(t, a, /[:.]/); return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4] }
		/parsed INFORMATIONAL request [0-9]+ \[/ {
			match($0, /request [0-9]+/); mid = substr($0, RSTART + 8, RLENGTH - 8)
			if (!(mid in t0)) { t0[mid] = ms($1); n[mid] = gsub(/\(41001\)/, "&"); order[k++] = mid }
		}
		/generating INFORMATIONAL response [0-9]+ \[/ {
			match($0, /response [0-9]+/); mid = substr($0, RSTART + 9, RLENGTH - 9)
			if ((mid in t0) && !(mid in t1)) t1[mid] = ms($1)
		}
		END { for (i = 0; i < k; i++) { m = order[i]; print m, n[m], ((m in t1) ? t1[m] - t0[m] : -1) } }
	' "$MIF_R/$1.charon.log"
}

# check_alive HOST...: HOST's charon is still running (crash detection)
check_alive()
{
	local h
	for h in "$@"; do
		check "$h's charon survived (pid $(charon_pid "$h"))" kill -0 "$(charon_pid "$h")"
	done
}

# dead_events HOST: "path ... is dead" lines in HOST's charon log so far
dead_events()
{
	grep -c 'mif: path BID [0-9]* .* is dead' "$MIF_R/$1.charon.log"
}

# probe_ids NAME FILTER: "BID SEQ" of every IPv4 probe in a capture
probe_ids()
{
	tcpdump -n -r "$MIF_R/$1.pcap" -x "$2" 2>/dev/null | awk '
		function out() { if (hex != "") print strtonum16(substr(hex, 97, 4)), strtonum16(substr(hex, 101, 4)); hex = "" }
		function strtonum16(h,  i, v) { v = 0; for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1; return v }
		/^[ \t]*0x/ { for (i = 2; i <= NF; i++) hex = hex $i; next }
		{ out() }
		END { out() }'
}

# tod_ms: milliseconds since midnight (local time, as charon's filelog)
tod_ms()
{
	local t=$EPOCHREALTIME hms h m s
	printf -v hms '%(%H:%M:%S)T' "${t%.*}"
	IFS=: read -r h m s <<< "$hms"
	t=${t#*.}
	echo $(( ((10#$h * 60 + 10#$m) * 60 + 10#$s) * 1000 + 10#${t:0:3} ))
}

# log_first_ms HOST REGEX AFTER_TOD_MS: time of day (ms) of the first line of
# HOST's charon log matching REGEX at or after AFTER_TOD_MS, -1 if none
log_first_ms()
{
	awk -v re="$2" -v after="$3" '
		function ms(t,  a) { split(t, a, /[:.]/); return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4] }
		$0 ~ re && ms($1) >= after { print ms($1); found = 1; exit }
		END { if (!found) print -1 }' "$MIF_R/$1.charon.log"
}

# path_events HOST REMOTE: "TOD_MS dead|alive" for each liveness change of
# HOST's path to REMOTE in its charon log
path_events()
{
	awk -v re="=== $2 is (dead|alive again)" '
		function ms(t,  a) { split(t, a, /[:.]/); return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4] }
		$0 ~ re { print ms($1), ($0 ~ / is dead/ ? "dead" : "alive") }' "$MIF_R/$1.charon.log"
}

# wait_stable HOST REMOTE SECS [MAX]: wait (up to MAX s, default 30) until
# HOST's path to REMOTE had no liveness change for SECS s and is alive
wait_stable()
{
	local end=$(( $(now_ms) + ${4:-30} * 1000 )) last
	while [ "$(now_ms)" -lt $end ]; do
		last=$(path_events "$1" "$2" | tail -n 1)
		if [ -z "$last" ] || { [ "${last#* }" = alive ] &&
				[ $(( $(tod_ms) - ${last%% *} )) -ge $(( $3 * 1000 )) ]; }; then
			return 0
		fi
		msleep 0.5
	done
	return 1
}

victim_up()
{
	local a
	hxs mn 'swanctl --initiate --child home' >> "$MIF_R/steps.log" 2>&1
	expect mn 'swanctl --list-sas' 'home: #[0-9]+, ESTABLISHED' YES 10
	for a in 10.1.0.10 "$1"; do
		expect gw 'mifctl list' "ACTIVE +10.0.0.1 +$a" YES 30
	done
}
