# Paths of the standard topology: IPv4 and IPv6 on wlan0 and on lte0
NPATHS=4
# values the plugin must restore: IPv4 not the kernel default, so a plain
# reset to 0 would not pass; no inner IPv6 here, IPv6 must stay untouched
ORIG="2 0"
for h in mn gw; do
	hx $h sysctl -qw net.ipv4.fib_multipath_hash_policy=${ORIG% *} \
		net.ipv6.fib_multipath_hash_policy=${ORIG#* }
done

# the plugin's kernel objects of HOST (objs.sh)
objs() { hx "$1" bash "$MIF_SCEN_DIR/objs.sh"; }
# rules and routes made comparable across restarts: device names of IPv6
# paths, and the order of a multipath route's next hops (the order the
# paths came in)
norm() {
	grep -E '^(rule|route)[46] ' | sed -E 's/mif[0-9a-f]+p[0-9a-f]+/mifX/g' |
		awk '{
			n = split($0, p, /\\\tnexthop /)
			for (i = 2; i <= n; i++)
				for (j = i + 1; j <= n; j++)
					if (p[j] < p[i]) { t = p[i]; p[i] = p[j]; p[j] = t }
			l = p[1]
			for (i = 2; i <= n; i++) l = l "\\\tnexthop " p[i]
			print l
		}' | sort
}
# paths with a device as "DEVICE LOCAL REMOTE"
live_paths() {
	hxs "$1" 'mifctl --json list' |
		jq -r '.paths[] | select(.device != "") | "\(.device) \(.local) \(.remote)"'
}
# the devices and GRE policies those paths need: the shared device of
# each path's family (mifgre4 always, made at start), the path's out and
# in policies, and the block of plaintext GRE to each local address
want_dp() {
	local dev l r b any
	{
		echo "dev mifgre4"
		while read -r dev l r; do
			b=32 any=0.0.0.0/0
			[[ $l == *:* ]] && b=128 any=::/0
			echo "dev $dev"
			echo "pol $l/$b $r/$b out"
			echo "pol $r/$b $l/$b in"
			echo "pol $any $l/$b in"
		done
	} | sort -u
}
same() { [ "$1" = "$2" ] || { echo "want: $1"; echo "got:"; echo "$2"; return 1; }; }
npaths() { [ "$(live_paths "$1" | wc -l)" -eq $NPATHS ]; }

# ROUND: IKE SA up, all paths ACTIVE on both hosts (evaltest.dat [up])
up() {
	local r=$1 i
	# gw may answer late while it flushes the old IKE SA under TCG load,
	# and mn gives up after 3 quick retransmits: try again then
	for i in 1 2 3; do
		hxs mn 'swanctl --initiate --child home' >> "$MIF_R/steps.log" 2>&1 && break
		say "initiate failed (try $i)"
	done
	evaltest up
	check "$r: $NPATHS paths with a device on mn" wait_for 20 npaths mn
	check "$r: $NPATHS paths with a device on gw" wait_for 20 npaths gw
}

# ROUND: inner traffic spread over the paths, ESP on wlan0 and lte0
traffic() {
	local r=$1
	capture_start $r-wlan0 mn wlan0 out
	capture_start $r-lte0 mn lte0 out
	capture_sync
	check_iperf mn cn 10.8.0.2 0.1 3 -P 16 -B 10.99.0.1
	capture_stop $r-wlan0 $r-lte0
	check_capture_esp $r-wlan0 5
	check_capture_esp $r-lte0 5
}

# ROUND HOST: exactly the kernel objects the live paths need
exact() {
	local r=$1 h=$2 got
	got=$(objs $h)
	echo "$got" > "$MIF_R/$h.objs-$r.txt"
	check "$r $h: GRE devices and GRE policies are exactly those of the live paths" \
		same "$(live_paths $h | want_dp)" "$(echo "$got" | grep -E '^(dev|pol) ' | sort)"
	check "$r $h: no duplicate rules or routes" \
		same "" "$(echo "$got" | grep -E '^(rule|route)[46] ' | sort | uniq -d)"
	[ -f "$MIF_R/$h.base.txt" ] || echo "$got" | norm > "$MIF_R/$h.base.txt"
	check "$r $h: rules and routes as in the first round" \
		same "$(< "$MIF_R/$h.base.txt")" "$(echo "$got" | norm)"
	check "$r $h: per-flow multipath hashing (IPv4 only)" \
		same "sysctl 1 ${ORIG#* }" "$(echo "$got" | grep '^sysctl')"
}

# ROUND HOST [running]: nothing of the plugin, the hash policy as it was;
# with a charon running, its fresh mifgre4 (made at start) only
clean() {
	local r=$1 h=$2 got want="sysctl $ORIG" what="nothing of the plugin in the kernel"
	[ -n "${3:-}" ] && want="dev mifgre4"$'\n'"$want" what="$what but the fresh mifgre4"
	got=$(objs $h)
	echo "$got" > "$MIF_R/$h.objs-$r.txt"
	check "$r $h: $what, hash policy restored" same "$want" "$got"
}

# HOST ROUND: SIGKILL the host's charon, keep its log
kill9() {
	local h=$1 pid
	pid=$(< "$MIF_STATE/hosts/$h/charon.pid")
	cp "$MIF_R/$h.charon.log" "$MIF_R/$h.charon.$2-killed.log"
	kill -KILL "$pid"
	wait_for 5 sh -c "! kill -0 $pid 2>/dev/null || grep -q '^State:.*Z' /proc/$pid/status"
	# a stale vici socket would make charon_start return at once
	rm -f "$MIF_STATE/hosts/$h/charon.pid" "$MIF_STATE/hosts/$h/run/charon.vici"
	say "charon on $h killed (SIGKILL)"
}

ike_id() { hxs mn 'swanctl --list-sas' | sed -n 's/^home: #\([0-9]*\),.*/\1/p' | head -n 1; }

# --- round 0: paths up, the reference state
up r0
exact r0 mn
exact r0 gw
traffic r0

# --- round 1: mn's charon killed and restarted
kill9 mn r1
charon_start mn && swan_load mn
clean r1-restarted mn running
up r1
exact r1 mn
exact r1 gw
traffic r1

# --- round 2: gw's charon killed and restarted; mn drops its IKE SA at
# once (no DPD restart racing the initiate below)
id=$(ike_id)
kill9 gw r2
swan mn --terminate --ike-id "$id" --force >> "$MIF_R/steps.log" 2>&1
charon_start gw && swan_load gw
clean r2-restarted gw running
up r2
exact r2 mn
exact r2 gw
traffic r2

# --- clean shutdown
swan mn --terminate --ike home >> "$MIF_R/steps.log" 2>&1
evaltest terminated
charon_stop mn gw
clean stopped mn
clean stopped gw
