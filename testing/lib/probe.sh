# mif-probe wrappers: a constant-rate UDP stream and its receiver report.
#
#   probe_recv NAME HOST [PORT] [RECV-ARGS...]  start a receiver in the background
#   probe_send HOST DST [PORT] [RATE] [SECS] [SEND-ARGS...]  send (blocks)
#   probe_wait NAME              wait for the receiver's report
#   probe_get NAME KEY           a value of the report (lost, gap_max_ms, ...)
#
# Reports: $MIF_R/probe-NAME.txt (key=value line + JSON line) and
# $MIF_R/probe-NAME.json.

probe_recv()
{
	local name=$1 h=$2 port=${3:-5001} err=$MIF_STATE/probe-$1.err
	shift 3 2>/dev/null || shift $#
	mif-hostexec "$h" mif-probe recv -p "$port" -j "$MIF_R/probe-$name.json" "$@" \
		> "$MIF_R/probe-$name.txt" 2> "$err" &
	echo $! > "$MIF_STATE/probe-$name.pid"
	wait_for 10 grep -q listening "$err" || { say "probe receiver $name failed"; return 1; }
}

probe_send()
{
	local h=$1 dst=$2 port=${3:-5001} rate=${4:-1000} secs=${5:-5}
	shift 5 2>/dev/null || shift $#
	capture_sync
	say "probe: $h -> $dst:$port at $rate/s for ${secs}s"
	hx "$h" mif-probe send -d "$dst" -p "$port" -r "$rate" -t "$secs" "$@" \
		2>> "$MIF_R/steps.log"
}

probe_wait()
{
	local name=$1 pid
	pid=$(cat "$MIF_STATE/probe-$name.pid" 2>/dev/null) || return 1
	wait "$pid"
	say "probe $name: $(head -n 1 "$MIF_R/probe-$name.txt")"
}

probe_get()
{
	head -n 1 "$MIF_R/probe-$1.txt" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
