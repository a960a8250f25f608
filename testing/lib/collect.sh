# State dumps of every host into the results, taken after the evaluation
# (and by guest-main after a timeout): xfrm states/policies with counters
# and SAs as charon sees them for hosts running charon, addresses and
# routes for all. Hosts are dumped in parallel: each ip/swanctl exec is
# slow under TCG.

_collect_host()
{
	local h=$1 d=$MIF_STATE/hosts/$1
	{
		printf 'addr\nroute show table all\n' | ip -n "$h" -batch -
		ip -6 -n "$h" route show table all
	} > "$MIF_R/$h.net.txt" 2>&1
	if [ -S "$d/run/charon.vici" ]; then
		ip -s -n "$h" xfrm state > "$MIF_R/$h.xfrm-state.txt" 2>&1
		ip -s -n "$h" xfrm policy > "$MIF_R/$h.xfrm-policy.txt" 2>&1
		timeout 10 mif-hostexec "$h" swanctl --list-sas > "$MIF_R/$h.sas.txt" 2>&1
	fi
}

scenario_collect()
{
	local h f pids=()
	for h in $(mif_hosts); do
		[ -e "/run/netns/$h" ] || continue
		_collect_host "$h" &
		pids+=($!)
	done
	for f in "$MIF_R"/*.pcap; do
		[ -f "$f" ] || continue
		tcpdump -n -c 3000 -r "$f" > "${f%.pcap}.txt" 2>/dev/null &
		pids+=($!)
	done
	[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"
	touch "$MIF_R/.collected"
}
