# Soak: one IKE SA through a day of events under continuous traffic.
#
# Phases, each followed by mif_check_state on mn and gw: setup, 10 MOBIKE
# moves (the IKE SA's interface goes down, alternating wlan0/lte0), 3 path
# CHILD SA rekeys, 3 IKE rekeys, 50 flaps of lte0 (address, then link,
# 0.7 s without and 1.5 s with), an operator's mifctl remove and add, charon
# restarts (gw, mn, mn after kill -9), then the final checks.
#
# Loss accounting: 8 probe streams mn -> cn run through everything. Every
# event is written with its start time to soak-events.txt; the receivers
# write their runs of lost datagrams with the send times around them
# (mif-probe -l), and every lost datagram counts for the event whose window
# (its start up to the start of the next event) holds its send time. After
# an event has settled (paths from all of mn's addresses ACTIVE on both
# sides) a "quiet" window starts: nothing may be lost there. An event that
# does not settle keeps its window ("unsettled" while a state check runs),
# and once an event did not settle the later ones wait only briefly: the
# failure is recorded, and a broken build must not take ages.

# counts (a development copy of the scenario may set them before sourcing)
: ${N_MOVES:=10} ${N_FLAPS:=50}
: ${CHILD_REKEYS:="mn:10.1.0.10 gw:10.2.0.10 mn:fd01::10"}
: ${IKE_REKEYS:="mn gw mn"}
: ${RESTARTS:="gw:stop mn:stop mn:kill"}
MN_ADDRS="10.1.0.10 fd01::10 10.2.0.10 fd02::10"
NPATHS=4
STREAMS=8 RATE=25 PORT0=6000
# no event starts after this many seconds, so the final checks always run
SOAK_BUDGET=${SOAK_BUDGET:-720}
EVENTS=$MIF_R/soak-events.txt
T0=$(now_ms)
SOAK_STOP=
SOAK_EVENT=setup
IKE_IF=wlan0
NRESTART=0
SENDERS=
KILLED_SPIS=$MIF_R/killed-spis-mn.txt
: > "$EVENTS"

# --- helpers (the frequent ones without a fork: each costs under TCG)

# ms VAR: milliseconds since the epoch
ms()
{
	local -n _ms=$1
	local _us=${EPOCHREALTIME/./}
	_ms=$(( _us / 1000 ))
}

ev()
{
	local t
	ms t
	SOAK_EVENT="$1 $2"
	echo "$t $1 $2" >> "$EVENTS"
	say "soak event: $1 $2"
}

charon_alive()
{
	local pid st
	read -r pid < "$MIF_STATE/hosts/$1/charon.pid" 2>/dev/null || return 1
	[ -r "/proc/$pid/stat" ] || return 1
	read -r _ _ st _ < "/proc/$pid/stat"
	[ "$st" != Z ]
}

# may the schedule go on with event $1? Not if a charon died (recorded as a
# failure with the evidence) or the time budget is used up
soak_ok()
{
	local h
	[ -z "$SOAK_STOP" ] || return 1
	for h in mn gw; do
		if ! charon_alive $h; then
			SOAK_STOP="charon on $h died during: $SOAK_EVENT"
			_check_result 1 "charon on $h alive through the soak (died during: $SOAK_EVENT)" \
				"$(tail -n 5 "$MIF_R/$h.charon.out" 2>/dev/null
				   echo "--- last lines of $h.charon.log"
				   tail -n 12 "$MIF_R/$h.charon.log")"
			return 1
		fi
	done
	local t
	ms t
	if [ $(( (t - T0) / 1000 )) -ge "$SOAK_BUDGET" ]; then
		SOAK_STOP="time budget used up before: $1"
		fail "soak schedule done within ${SOAK_BUDGET}s (stopped before: $1)"
		return 1
	fi
	return 0
}

settled()
{
	mif_active_from mn $MN_ADDRS && mif_active_to gw $MN_ADDRS
}

# settle SECS: wait until settled; once an event did not settle (recorded
# as a failure), later ones get at most 6 s, in its phase 3 s
PHASE_UNSETTLED= EVER_UNSETTLED=
settle()
{
	local t=${1:-20}
	[ -n "$EVER_UNSETTLED" ] && [ "$t" -gt 6 ] && t=6
	[ -n "$PHASE_UNSETTLED" ] && t=3
	SETTLE_T=$t
	wait_for "$t" settled && return 0
	PHASE_UNSETTLED+=" ${SOAK_EVENT#* }"
	EVER_UNSETTLED=1
	return 1
}

# end of an event: stop if a charon died in it; a quiet window starts if
# it settled (SETTLED=yes|no)
ev_end()
{
	soak_ok "$1" || return 1
	[ "$2" = yes ] && ev quiet "after $1"
	return 0
}

# a phase starts with an IKE SA: if an earlier failure lost it for good,
# that is recorded and mn initiates a new one, so the phase still tests
# what it is about
new_phase()
{
	PHASE_UNSETTLED=
	say "soak phase: $1"
	[ -z "$SOAK_STOP" ] || return 0
	if [ -z "$(ike_uid mn)" ]; then
		fail "an IKE SA at the start of phase '$1' (mn has none: initiating one)"
		hxs mn 'swanctl --initiate --child home --timeout 20' >> "$MIF_R/steps.log" 2>&1
		settle 20
		PHASE_UNSETTLED=
	fi
}

# mn's link and address events go through one `ip -batch` process reading
# a pipe (an ip process costs up to a second under a busy TCG host)
exec {MNIP}> >(exec ip -n mn -force -batch - >> "$MIF_R/mn-ip-batch.log" 2>&1)
mnip()
{
	printf '%s\n' "$@" >&$MNIP
}

if_down()
{
	say "link mn:$1 down"
	mnip "link set $1 down"
}

# the kernel drops the IPv6 address and the default routes with the link:
# bring them back with it, as a network manager would
if_up()
{
	local dev=$1

	std_if_conf "$dev"
	say "link mn:$dev up, with $IF_V6 and the default routes"
	mnip "link set $dev up" "address replace $IF_V6 dev $dev nodad" \
		"route replace default via $IF_GW4 dev $dev metric $IF_METRIC" \
		"route replace ::/0 via $IF_GW6 dev $dev metric $IF_METRIC"
}

# addresses of mn's interfaces (MOBIKE may pick the IPv4 or the IPv6 pair)
if_addrs()
{
	case $1 in
	wlan0) echo 10.1.0.10 fd01::10 ;;
	lte0) echo 10.2.0.10 fd02::10 ;;
	esac
}

# the IKE SA's own (tunnel mode) CHILD SA leaves from one of these addresses
home_sa_on()
{
	local a out
	for a in "$@"; do
		out=$(ip -n mn xfrm state list src "$a" proto esp 2>/dev/null)
		[[ $out == *"mode tunnel"* ]] && return 0
	done
	return 1
}

ike_uid()
{
	swan "$1" --list-sas 2>/dev/null | sed -n 's/^home: #\([0-9]*\), ESTABLISHED.*/\1/p'
}

auth_count()
{
	grep -c "authentication of 'gw@mif.test' with pre-shared key successful" "$MIF_R/mn.charon.log"
}

# field N (1-based, mif_paths columns) of HOST's path with LOCAL|REMOTE = ADDR
path_field()
{
	local h=$1 col=$2 addr=$3 n=$4
	mif_paths "$h" | awk -F'\t' -v c="$col" -v a="$addr" -v n="$n" '$c == a { print $n; exit }'
}

# unique id of the CHILD SA of HOST's path from ADDR (mifctl's CHILD_SA
# column: the announcing side's SA may carry an earlier BID of the address
# pair in its name, doc/protocol.md 6.2)
child_uid()
{
	path_field "$1" $([ "$1" = mn ] && echo 4 || echo 5) "$2" 8
}

# HOST's path from ADDR is on an INSTALLED CHILD SA other than OLD, and
# OLD is gone
child_rekeyed()
{
	local out uid
	uid=$(child_uid "$1" "$2")
	[[ $uid =~ ^[0-9]+$ ]] && [ "$uid" != "$3" ] || return 1
	out=$(swan "$1" --list-sas 2>/dev/null) || return 1
	[[ $out =~ $'\n'"  mif-path-"[0-9]+": #$uid, reqid "[0-9]+", INSTALLED," ]] &&
		[[ ! $out =~ "mif-path-"[0-9]+": #$3," ]]
}

# one ESTABLISHED IKE SA on each side, both other than OLD_MN, OLD_GW
ike_rekeyed()
{
	local m g
	m=$(ike_uid mn)
	g=$(ike_uid gw)
	[[ $m =~ ^[0-9]+$ ]] && [ "$m" != "$1" ] && [[ $g =~ ^[0-9]+$ ]] && [ "$g" != "$2" ]
}

# no path of either side uses mn's ADDR
path_gone()
{
	local p
	p=$(mif_paths mn) && [[ $p != *$'\t'"$1"$'\t'* ]] &&
	p=$(mif_paths gw) && [[ $p != *$'\t'"$1"$'\t'* ]]
}

# the CHILD SAs are gone: HOST UID [HOST UID...] (a path that had none
# leaves nothing to check)
child_gone()
{
	local out
	while [ $# -ge 2 ]; do
		if [ -n "$2" ]; then
			out=$(swan $1 --list-sas) || return 1
			[[ ! $out =~ "mif-path-"[0-9]+": #$2," ]] || return 1
		fi
		shift 2
	done
}

# the devices are gone: HOST DEV [HOST DEV...]
# dp_gone HOST LOCAL REMOTE...: a path's data plane gone on the hosts: no
# GRE policy between its addresses, no next hop encapsulating to them
dp_gone()
{
	local b
	while [ $# -ge 3 ]; do
		b=32; [[ $2 == *:* ]] && b=128
		! ip -n "$1" xfrm policy | grep -q "src $2/$b dst $3/$b proto gre" || return 1
		! ip -n "$1" route show table all | grep -q "encap ip6\? .*src $2 dst $3 " || return 1
		shift 3
	done
}

no_ike_sa()
{
	local out
	out=$(swan "$1" --list-sas) && [[ $out != *"home: #"* ]]
}

state_checks()
{
	[ -z "$SOAK_STOP" ] || return 0
	if settled; then
		ev quiet "state check: $1"
	else
		ev unsettled "state check: $1"
	fi
	mif_check_states "$1" 6 $NPATHS "mn${2:+:$2}" gw
}

# --- setup

say "soak: setup"
hxs mn 'swanctl --initiate --child home --timeout 20' >> "$MIF_R/steps.log" 2>&1
expect mn 'swanctl --list-sas' 'home: #[0-9]+, ESTABLISHED' YES 10
check "setup: paths from all of mn's addresses ($MN_ADDRS) ACTIVE on mn and gw" settle 40
mif_check_states setup 15 $NPATHS mn gw
IKE0_MN=$(ike_uid mn)
IKE0_GW=$(ike_uid gw)
AUTHS0=$(auth_count)

ev quiet "traffic starts"
# the receivers of probe_recv, started together (each takes a while)
for ((p = 1; p <= STREAMS; p++)); do
	mif-hostexec cn mif-probe recv -p $((PORT0 + p)) -w 0 -j "$MIF_R/probe-s$p.json" \
		-l "$MIF_R/probe-s$p.loss" > "$MIF_R/probe-s$p.txt" 2> "$MIF_STATE/probe-s$p.err" &
	echo $! > "$MIF_STATE/probe-s$p.pid"
done
for ((p = 1; p <= STREAMS; p++)); do
	wait_for 20 grep -q listening "$MIF_STATE/probe-s$p.err" || say "probe receiver s$p did not start"
done
say "probe: $STREAMS streams mn -> cn at $RATE/s each"
SENDERS_T0=$(now_ms)
for ((p = 1; p <= STREAMS; p++)); do
	mif-hostexec mn mif-probe send -d 10.8.0.2 -p $((PORT0 + p)) -r $RATE -t 900 \
		-b 10.99.0.1 2> "$MIF_R/probe-send-s$p.log" &
	SENDERS+=" $!"
done
msleep 2

# --- 10 MOBIKE moves

new_phase "$N_MOVES MOBIKE moves"
MOVES_LATE= NMOVES=0
for ((n = 1; n <= N_MOVES; n++)); do
	soak_ok "move $n" || break
	if [ $IKE_IF = wlan0 ]; then to=lte0; else to=wlan0; fi
	from=$IKE_IF
	ev move "$n $from->$to"
	if_down $from
	if wait_for 20 home_sa_on $(if_addrs $to); then
		IKE_IF=$to
	else
		MOVES_LATE+=" $n"
	fi
	if_up $from
	settle 20 && ok=yes || ok=no
	NMOVES=$n
	ev_end "move $n" $ok || break
done
if soak_ok "move checks"; then
	check "moves: the IKE SA's CHILD SA followed to the other interface within 20 s, $NMOVES times (late:${MOVES_LATE:- none})" \
		test -z "$MOVES_LATE"
	check "moves: all paths ACTIVE again on both sides within 20 s, after the first failure 3 s (not after:${PHASE_UNSETTLED:- none})" \
		test -z "$PHASE_UNSETTLED"
	check "moves: still IKE SA #$IKE0_MN on mn, no re-authentication (authentications: $AUTHS0 -> $(auth_count))" \
		test "$(ike_uid mn)" = "$IKE0_MN" -a "$(auth_count)" = "$AUTHS0"
	state_checks "after $NMOVES moves"
fi

# --- 3 path CHILD SA rekeys, alternating sides

new_phase "path CHILD SA rekeys"
REKEYS_LATE=
n=0
for spec in $CHILD_REKEYS; do
	n=$((n + 1))
	soak_ok "path CHILD SA rekey $n" || break
	set -- ${spec%%:*} ${spec#*:}
	bid=$(path_field mn 4 $2 2)
	if [ -z "$bid" ]; then
		# an earlier failure took that path: rekey another one
		set -- $1 "$(mif_paths mn | awk -F'\t' '$3 == "ACTIVE" { print $4; exit }')"
		bid=$(path_field mn 4 "$2" 2)
		say "no path from the planned address any more, rekeying the one from ${2:-nowhere}"
	fi
	old=$(child_uid $1 $2)
	ev child_rekey "$n BID $bid ($2) from $1, CHILD_SA #$old"
	hxs $1 "swanctl --rekey --child-id $old" >> "$MIF_R/steps.log" 2>&1
	if ! wait_for 20 child_rekeyed $1 $2 "$old"; then
		REKEYS_LATE+=" BID $bid(#$old)"
	fi
	settle 20 && ok=yes || ok=no
	ev_end "CHILD rekey $n" $ok || break
done
if soak_ok "CHILD rekey checks"; then
	check "path CHILD SA rekeys: $n replaced by new CHILD SAs, the old ones gone, within 20 s (not:${REKEYS_LATE:- none})" \
		test -z "$REKEYS_LATE"
	check "path CHILD SA rekeys: all paths ACTIVE on both sides after each (not after:${PHASE_UNSETTLED:- none})" \
		test -z "$PHASE_UNSETTLED"
	state_checks "after $n path CHILD SA rekeys"
fi

# --- 3 IKE rekeys, alternating sides

new_phase "IKE rekeys"
AUTHS0=$(auth_count)
IKE_LATE=
n=0
for h in $IKE_REKEYS; do
	n=$((n + 1))
	soak_ok "IKE rekey $n" || break
	old_mn=$(ike_uid mn)
	old_gw=$(ike_uid gw)
	ev ike_rekey "$n from $h (IKE SA #$old_mn on mn)"
	hxs $h 'swanctl --rekey --ike home' >> "$MIF_R/steps.log" 2>&1
	if ! wait_for 20 ike_rekeyed "$old_mn" "$old_gw"; then
		IKE_LATE+=" $n"
	fi
	settle 20 && ok=yes || ok=no
	ev_end "IKE rekey $n" $ok || break
done
if soak_ok "IKE rekey checks"; then
	check "IKE rekeys: $n times one new IKE SA on both sides within 20 s (not:${IKE_LATE:- none})" \
		test -z "$IKE_LATE"
	check "IKE rekeys: all paths ACTIVE on both sides after each (not after:${PHASE_UNSETTLED:- none})" \
		test -z "$PHASE_UNSETTLED"
	check "IKE rekeys: no re-authentication (authentications: $AUTHS0 -> $(auth_count))" \
		test "$(auth_count)" = "$AUTHS0"
	state_checks "after $n IKE rekeys"
fi

# --- 50 flaps of lte0 while the IKE SA stays on wlan0

new_phase "$N_FLAPS flaps of lte0"
AUTHS0=$(auth_count)
IKE0_MN=$(ike_uid mn)
NFLAPS=0
for ((n = 1; n <= N_FLAPS; n++)); do
	soak_ok "flap $n" || break
	if ((n % 2)); then
		ev flap "$n address"
		say "address 10.2.0.10/24 removed from mn:lte0"
		mnip "address del 10.2.0.10/24 dev lte0"
		msleep 0.7
		say "address 10.2.0.10/24 and the default route back on mn:lte0"
		mnip "address replace 10.2.0.10/24 dev lte0" \
			"route replace default via 10.2.0.1 dev lte0 metric 200"
	else
		ev flap "$n link"
		if_down lte0
		msleep 0.7
		if_up lte0
	fi
	msleep 1.5
	NFLAPS=$n
done
if soak_ok "flap checks"; then
	settle 40 && ok=yes || ok=no
	check "flaps: $NFLAPS flaps of lte0, then paths from all addresses ACTIVE on both sides within ${SETTLE_T} s" test $ok = yes
	[ $ok = yes ] && ev quiet "after $NFLAPS flaps"
	check "flaps: the IKE SA stayed on wlan0" home_sa_on $(if_addrs wlan0)
	check "flaps: still IKE SA #$IKE0_MN, no re-authentication (authentications: $AUTHS0 -> $(auth_count))" \
		test "$(auth_count)" = "$AUTHS0" -a "$(ike_uid mn)" = "$IKE0_MN"
	state_checks "after $NFLAPS flaps"
fi

# --- the operator removes lte0's IPv4 path (or, if an earlier failure
# took that one, another ACTIVE path) and adds it back

new_phase "mifctl remove and add"
if soak_ok "mifctl remove"; then
	id=$(ike_uid mn)
	addr=10.2.0.10
	[ "$(path_field mn 4 $addr 3)" = ACTIVE ] ||
		addr=$(mif_paths mn | awk -F'\t' '$3 == "ACTIVE" { print $4; exit }')
	addr=${addr:-10.2.0.10}
	bid=$(path_field mn 4 $addr 2)
	uid_mn=$(child_uid mn $addr)
	uid_gw=$(child_uid gw $addr)
	ev remove "mifctl remove $id $bid ($addr)"
	check "mifctl remove $id $bid ($addr, $(path_field mn 4 $addr 3) on mn)" \
		mifctl -s "$(_mif_sock mn)" remove "$id" "$bid"
	check "remove: BID $bid ($addr) gone from mifctl on mn and gw" wait_for 15 path_gone $addr
	check "remove: the path's CHILD SA deleted on mn (#${uid_mn:--}) and gw (#${uid_gw:--})" \
		wait_for 15 child_gone mn "$uid_mn" gw "$uid_gw"
	check "remove: the path's GRE policies and next hops gone on mn and gw" \
		wait_for 10 dp_gone mn $addr 10.0.0.1 gw 10.0.0.1 $addr
	ev remove "mifctl add $id $addr"
	out=$(mifctl -s "$(_mif_sock mn)" add "$id" $addr 2>&1)
	check "mifctl add $id $addr ($out)" test "${out#announced path BID }" != "$out"
	settle 20 && ok=yes || ok=no
	check "add: paths from all addresses ACTIVE on both sides within ${SETTLE_T} s" test $ok = yes
	ev_end "mifctl add" $ok
	state_checks "after mifctl remove and add"
fi

# --- charon restarts: gw, mn, mn after kill -9

restart()
{
	local h=$1 how=$2 pid
	NRESTART=$((NRESTART + 1))
	ev restart "$NRESTART $h $how"
	if [ "$how" = kill ]; then
		# what stock charon leaves behind: its SAs stay until they expire
		ip -n $h xfrm state | sed -n 's/.*proto esp spi 0x\([0-9a-f]*\).*/\1/p' >> "$KILLED_SPIS"
		pid=$(cat "$MIF_STATE/hosts/$h/charon.pid")
		say "kill -9 charon on $h ($pid)"
		kill -KILL "$pid"
		wait_for 5 eval "! charon_alive $h"
		rm -f "$MIF_STATE/hosts/$h/charon.pid" "$MIF_STATE/hosts/$h/run/charon.vici"
	else
		charon_stop $h
	fi
	mv "$MIF_R/$h.charon.log" "$MIF_R/$h.charon.$NRESTART.log"
	mv "$MIF_R/$h.charon.out" "$MIF_R/$h.charon.$NRESTART.out"
	charon_start $h && swan_load $h || { fail "restart $NRESTART: charon on $h started and loaded"; return 1; }
	if [ $h = gw ]; then
		# gw's DELETE ended mn's IKE SA
		wait_for 10 no_ike_sa mn
	fi
	hxs mn 'swanctl --initiate --child home --timeout 20' >> "$MIF_R/steps.log" 2>&1
	expect mn 'swanctl --list-sas' 'home: #[0-9]+, ESTABLISHED' YES 10
	settle 40 && ok=yes || ok=no
	check "restart $NRESTART ($h $how): paths from all addresses ACTIVE on both sides within ${SETTLE_T} s" test $ok = yes
	IKE_IF=wlan0
	ev_end "restart $NRESTART" $ok
}

new_phase "restarts"
for spec in $RESTARTS; do
	soak_ok "restart $spec" || break
	restart ${spec%%:*} ${spec#*:}
done
state_checks "after the restarts" "$KILLED_SPIS"

# --- the end: traffic, losses, ESP on both interfaces, kernel state

if settled; then ev final "quiet end"; else ev unsettled "end"; fi
msleep 3
say "probe: stopping the senders"
kill -TERM $SENDERS 2>/dev/null
wait $SENDERS 2>/dev/null
msleep 1
for ((p = 1; p <= STREAMS; p++)); do
	kill -TERM "$(cat "$MIF_STATE/probe-s$p.pid")" 2>/dev/null
	probe_wait s$p
done

# what the senders sent: a receiver that lost the last datagrams and the
# END marker knows only of those up to the last one it got; the rest is a
# trailing run of losses, their send times from the senders' schedule
sent=0 recv=0 trailing=0
for ((p = 1; p <= STREAMS; p++)); do
	s=$(sed -n 's/.*sent=\([0-9]*\) .*/\1/p' "$MIF_R/probe-send-s$p.log")
	r=$(probe_get s$p sent)
	s=${s:-0} r=${r:-0}
	if [ "$s" -gt "$r" ]; then
		echo "$r $((s - 1)) $((s - r)) $(( (SENDERS_T0 + (r - 1) * 1000 / RATE) * 1000000 ))" \
			"$(( (SENDERS_T0 + s * 1000 / RATE) * 1000000 ))" >> "$MIF_R/probe-s$p.loss"
		trailing=$((trailing + s - r))
	fi
	sent=$((sent + s))
	recv=$((recv + $(probe_get s$p unique)))
done
metric soak_sent "$sent"
metric soak_lost "$((sent - recv))"
metric soak_trailing_lost "$trailing"
check "traffic: $STREAMS streams ran through the soak ($recv of $sent arrived)" test "$recv" -gt $((sent / 2))
check "traffic: the streams' last datagrams arrived (lost at the end: $trailing)" test "$trailing" = 0

awk -v evf="$EVENTS" '
	function find(x,   lo, hi, m) {
		if (n == 0 || x < t[0]) return -1
		lo = 0; hi = n - 1
		while (lo < hi) {
			m = int((lo + hi + 1) / 2)
			if (t[m] <= x) lo = m; else hi = m - 1
		}
		return lo
	}
	BEGIN {
		n = 0
		while ((getline line < evf) > 0) {
			split(line, a, " ")
			t[n] = a[1]; c[n] = a[2]; lab[n] = line
			sub(/^[^ ]+ [^ ]+ ?/, "", lab[n])
			n++
		}
		c[-1] = "quiet"; lab[-1] = "before the first event"
	}
	NF == 5 {
		cnt = $3; b = $4 / 1e6; e = $5 / 1e6
		if (b == 0 && e == 0) { nodata += cnt; next }
		i = find((b + e) / 2)
		if (e - b > out[i]) out[i] = e - b
		for (k = 1; k <= cnt; k++) lost[find(b + k * (e - b) / (cnt + 1))]++
	}
	END {
		for (i = -1; i < n; i++) {
			printf "event %d %s %d %.0f %s\n", i, c[i], lost[i], out[i], lab[i]
			cl = c[i]; nev[cl]++; tot[cl] += lost[i]
			if (lost[i] > mx[cl]) mx[cl] = lost[i]
			if (out[i] > omx[cl]) omx[cl] = out[i]
		}
		for (cl in nev)
			printf "class %s %d %d %d %.0f\n", cl, nev[cl], tot[cl], mx[cl], omx[cl]
		printf "nodata %d\n", nodata
	}' "$MIF_R"/probe-s*.loss > "$MIF_R/soak-loss.txt"
say "losses per event: $MIF_R/soak-loss.txt (event N class lost outage_ms label)"

declare -A L_N L_LOST L_MAX L_OUT
while read -r k cl nev tot mx omx; do
	[ "$k" = class ] || continue
	L_N[$cl]=$nev L_LOST[$cl]=$tot L_MAX[$cl]=$mx L_OUT[$cl]=$omx
done < "$MIF_R/soak-loss.txt"
for cl in move child_rekey ike_rekey flap remove restart quiet final unsettled; do
	metric soak_${cl}_events "${L_N[$cl]:-0}"
	metric soak_${cl}_lost "${L_LOST[$cl]:-0}"
	metric soak_${cl}_lost_max "${L_MAX[$cl]:-0}"
	metric soak_${cl}_outage_ms_max "${L_OUT[$cl]:-0}"
done
evidence()
{
	awk -v c="$1" '$1 == "event" && $3 == c && $4 > 0' "$MIF_R/soak-loss.txt" | head -n 20
}
# a CHILD SA rekey has the window of any IKEv2 rekey: datagrams the peer
# still sent over the old SA after we deleted its inbound half are lost
# (RFC 7296 2.8); a few per rekey, never a broken path
_check_result $([ "${L_LOST[child_rekey]:-0}" -le $((10 * ${L_N[child_rekey]:-0})) ]; echo $?) \
	"losses: path CHILD SA rekeys lost at most 10 datagrams each (lost ${L_LOST[child_rekey]:-0} in ${L_N[child_rekey]:-0})" "$(evidence child_rekey)"
_check_result $([ "${L_LOST[ike_rekey]:-0}" = 0 ]; echo $?) \
	"losses: IKE rekeys lost nothing (lost ${L_LOST[ike_rekey]:-0})" "$(evidence ike_rekey)"
q=$(( ${L_LOST[quiet]:-0} + ${L_LOST[final]:-0} ))
_check_result $([ "$q" = 0 ]; echo $?) \
	"losses: nothing lost once an event had settled (quiet windows: lost $q)" "$(evidence quiet; evidence final)"
for cl in move flap remove; do
	_check_result $([ "${L_OUT[$cl]:-0}" -lt 3000 ]; echo $?) \
		"losses: every $cl recovered within 3 s (worst stream outage ${L_OUT[$cl]:-0} ms, $cl events: ${L_N[$cl]:-0})" \
		"$(evidence $cl)"
done
metric soak_restart_outage_ms_max "${L_OUT[restart]:-0}"

# both interfaces carry ESP again (16 TCP streams hashed over the paths;
# iperf3 under timeouts: check_iperf waits for ever when the data plane is
# broken)
if charon_alive mn && charon_alive gw; then
	capture_start wlan mn wlan0 out
	capture_start lte mn lte0 out
	capture_sync
	mif-hostexec cn timeout 40 iperf3 -s -1 -p 5201 > "$MIF_R/iperf-server.txt" 2>&1 &
	spid=$!
	wait_for 10 hx cn sh -c "ss -ltn | grep -q ':5201 '"
	hx mn timeout 25 iperf3 -c 10.8.0.2 -p 5201 -t 3 -P 16 -B 10.99.0.1 \
		--connect-timeout 5000 -J > "$MIF_R/iperf-mn.json" 2>&1
	kill $spid 2>/dev/null
	wait $spid 2>/dev/null
	metric soak_final_iperf_mbit "$(jq -r '.end.sum_received.bits_per_second / 1e6' "$MIF_R/iperf-mn.json" 2>/dev/null)"
	capture_stop wlan lte
	check_capture_esp wlan 10
	check_capture_esp lte 10
else
	fail "ESP on wlan0 and lte0 at the end (not measured: a charon is not running)"
fi

# evidence: packets of mn that left through the other interface than the
# one of their source address, dropped by the access routers' ingress
# filters (the plugin's source rules are there to prevent that)
for r in rw rl; do
	tc -s -n $r filter show dev eth0 ingress > "$MIF_R/$r-ingress.txt" 2>&1
	metric soak_${r}_ingress_dropped "$(awk '/pref 9[01] / { p = 1 } /pref [0-8]?[0-9] / { p = 0 }
		p && /Sent/ { n += $4 } END { print n + 0 }' "$MIF_R/$r-ingress.txt")"
done

mif_check_states final 15 $NPATHS "mn:$KILLED_SPIS" gw
check "charon on mn alive at the end" charon_alive mn
check "charon on gw alive at the end" charon_alive gw
metric soak_moves "$NMOVES"
metric soak_flaps "$NFLAPS"
metric soak_restarts "$NRESTART"
metric soak_duration_s $(( ($(now_ms) - T0) / 1000 ))
[ -z "$SOAK_STOP" ] || say "soak schedule stopped early: $SOAK_STOP"
exec {MNIP}>&-
