# Evaluation helpers. Every check appends "PASS|FAIL <description>" to
# $MIF_R/checks.log; a scenario fails if any check failed.
#
#   check DESC CMD...             CMD must succeed
#   check_not DESC CMD...         CMD must fail
#   expect HOST 'CMD' REGEX [YES|NO|=N] [WAIT]
#                                 output of CMD in HOST matches REGEX (grep -E)
#                                 (YES), or not (NO), or exactly N of its lines
#                                 match (=N); with WAIT seconds it polls until
#                                 it does
#   check_ping HOST DST [COUNT] [ARGS...]  all replies received
#   check_no_ping HOST DST       no reply
#   check_iperf HOST SERVER-HOST SERVER-ADDR MIN-MBIT [SECS] [ARGS...]
#   xfrm_pkts HOST SRC DST       packets counted by HOST's ESP SAs SRC -> DST
#   xfrm_bytes HOST SRC DST      same in bytes
#   esp_mark NAME HOST SRC DST   remember the packet counter
#   check_esp_increased NAME [MIN]   it grew by at least MIN (default 1)
#   metric KEY VALUE             record a measurement (printed in the summary)

check()
{
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	_check_result $rc "$desc" "$out"
}

check_not()
{
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ $rc -ne 0 ]
	_check_result $? "$desc" "$out"
}

_check_result()
{
	local rc=$1 desc=$2 out=$3
	{
		echo "--- check: $desc"
		[ -n "$out" ] && echo "$out"
	} >> "$MIF_R/steps.log"
	if [ "$rc" -eq 0 ]; then
		echo "PASS $desc" >> "$MIF_R/checks.log"
		say "  PASS $desc"
		return 0
	fi
	echo "FAIL $desc" >> "$MIF_R/checks.log"
	{
		echo "FAIL $desc"
		[ -n "$out" ] && echo "$out" | tail -n 30 | sed 's/^/    /'
	} >> "$MIF_R/failed.txt"
	say "  FAIL $desc"
	return 1
}

expect()
{
	local h=$1 cmd=$2 re=$3 want=${4:-YES} wait=${5:-0} out end got
	end=$(( $(now_ms) + wait * 1000 ))
	while :; do
		out=$(hxs "$h" "$cmd" 2>&1)
		case $want in
		=*) got="=$(echo "$out" | grep -Ec -- "$re")" ;;
		*) if echo "$out" | grep -Eq -- "$re"; then got=YES; else got=NO; fi ;;
		esac
		[ "$got" = "$want" ] && break
		[ "$(now_ms)" -lt $end ] || break
		msleep 0.3
	done
	[ "$got" = "$want" ]
	_check_result $? "$h: $cmd =~ /$re/ $want" \
		"$(case $want in =*) echo "matching lines: ${got#=}" ;; esac)$out"
}

check_ping()
{
	local h=$1 dst=$2 count=${3:-3}
	shift 3 2>/dev/null || shift $#
	capture_sync
	check "$h: ping $dst ($count replies)" \
		hx "$h" ping -n -c "$count" -i 0.2 -W 2 "$@" "$dst"
}

check_no_ping()
{
	check_not "$1: no ping reply from $2" hx "$1" ping -n -c 2 -i 0.2 -W 1 "$2"
}

check_iperf()
{
	local h=$1 sh=$2 saddr=$3 min=$4 secs=${5:-3} pid out mbit
	shift 5 2>/dev/null || shift $#
	capture_sync
	mif-hostexec "$sh" iperf3 -s -1 -p 5201 > "$MIF_R/iperf-server.txt" 2>&1 &
	pid=$!
	wait_for 5 hx "$sh" sh -c "ss -ltn | grep -q ':5201 '"
	out=$(hx "$h" iperf3 -c "$saddr" -p 5201 -t "$secs" -J "$@" 2>&1)
	echo "$out" > "$MIF_R/iperf-$h.json"
	wait $pid 2>/dev/null
	mbit=$(echo "$out" | jq -r '.end.sum_received.bits_per_second / 1e6' 2>/dev/null)
	metric "iperf_${h}_mbit" "${mbit:-none}"
	check "$h: iperf3 to $saddr >= $min Mbit/s (got ${mbit:-none})" \
		awk -v m="${mbit:-0}" -v min="$min" 'BEGIN { exit !(m >= min && m > 0) }'
}

# sum a counter over the ESP SAs from SRC to DST in HOST
_xfrm_count()
{
	local h=$1 src=$2 dst=$3 field=$4
	ip -n "$h" -s xfrm state list src "$src" dst "$dst" proto esp |
		awk -v f="$field" '
			/lifetime current:/ { cur = 1; next }
			cur { split($0, a, /[(),]+/); gsub(/ /, "", a[1]); gsub(/ /, "", a[3]);
				  s += (f == "bytes" ? a[1] : a[3]); cur = 0 }
			END { print s + 0 }'
}

xfrm_pkts()
{
	_xfrm_count "$1" "$2" "$3" packets
}

xfrm_bytes()
{
	_xfrm_count "$1" "$2" "$3" bytes
}

esp_mark()
{
	local name=$1 h=$2 src=$3 dst=$4
	echo "$h $src $dst $(xfrm_pkts "$h" "$src" "$dst")" > "$MIF_STATE/esp-$name"
}

check_esp_increased()
{
	local name=$1 min=${2:-1} h src dst before after
	read -r h src dst before < "$MIF_STATE/esp-$name"
	after=$(xfrm_pkts "$h" "$src" "$dst")
	check "$h: ESP SA $src -> $dst counted >= $min packets ($before -> $after)" \
		test $((after - before)) -ge "$min"
}

metric()
{
	echo "$1=$2" >> "$MIF_R/metrics.txt"
	say "  metric $1=$2"
}

# fail DESC: record a failure found by a scenario script's own logic
fail()
{
	_check_result 1 "$*" ""
}
