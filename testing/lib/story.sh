# What a person watching a demo should see, as it happens (scripts/demo
# shows the story files live and plots the rates afterwards).
#
#   story TEXT...            a line of the story: $MIF_R/story.txt, with the
#                            time since rates_start (or since the first line)
#   story_out HOST CMD...    CMD's output on HOST, indented, into the story
#   story_mark NAME          an event at this time: $MIF_R/marks.tsv
#                            ("ms name"), drawn into the plot
#   rates_start HOST IF...   sample the transmitted bytes of HOST's IFs every
#                            100 ms into $MIF_R/rates.tsv ("ms if bytes")
#   rates_stop               end the sampling
#   rates_mbit IF FROM TO    mean transmit rate of IF in Mbit/s between two
#                            times (ms of rates.tsv)
#
# Times are milliseconds since the story began (_STORY_T0). Sampling reads
# /proc/net/dev of the host's namespace from one long-lived shell: under TCG
# a process per sample would cost more than the 100 ms between samples.

_STORY_T0=

# _story_ms: milliseconds since the story began into STORY_MS (no subshell:
# the first call sets the beginning)
_story_ms()
{
	local t=${EPOCHREALTIME/./}
	t=$(( t / 1000 ))
	[ -n "$_STORY_T0" ] || _STORY_T0=$t
	STORY_MS=$(( t - _STORY_T0 ))
}

story()
{
	local ms
	_story_ms
	ms=$STORY_MS
	printf '%6d.%01d s  %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$*" >> "$MIF_R/story.txt"
	say "story: $*"
}

story_out()
{
	local h=$1
	shift
	mif-hostexec "$h" "$@" 2>&1 | sed 's/^/            | /' >> "$MIF_R/story.txt"
}

story_mark()
{
	_story_ms
	echo "$STORY_MS $1" >> "$MIF_R/marks.tsv"
}

rates_start()
{
	local h=$1
	shift
	_story_ms
	: > "$MIF_R/rates.tsv"
	# one bash in the host's namespace: /proc/net/dev is per namespace;
	# EPOCHREALTIME and read -t keep the loop free of forks
	ip netns exec "$h" bash -c '
		t0=$1 out=$2
		shift 2
		exec {fd}<> <(:)
		while :; do
			t=${EPOCHREALTIME/./}
			ms=$(( t / 1000 - t0 ))
			while read -r line; do
				dev=${line%%:*}
				dev=${dev// /}
				for want in "$@"; do
					if [ "$dev" = "$want" ]; then
						f=(${line#*:})
						echo "$ms $dev ${f[8]}"
					fi
				done
			done < /proc/net/dev >> "$out"
			read -r -t 0.1 -u $fd
		done' story-rates "$_STORY_T0" "$MIF_R/rates.tsv" "$@" &
	echo $! > "$MIF_STATE/story-rates.pid"
}

rates_stop()
{
	local pid
	pid=$(cat "$MIF_STATE/story-rates.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$MIF_STATE/story-rates.pid"
	return 0
}

rates_mbit()
{
	awk -v dev="$1" -v from="$2" -v to="$3" '
		$2 == dev && $1 >= from && $1 <= to {
			if (t0 == "") { t0 = $1; b0 = $3 }
			t1 = $1; b1 = $3
		}
		END { printf "%.1f\n", (t1 > t0) ? (b1 - b0) * 8 / 1000 / (t1 - t0) : 0 }
	' "$MIF_R/rates.tsv"
}
