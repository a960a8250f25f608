# mif-scale: N mobile nodes against one gateway, stock charon first (the
# baseline), then everything with the mif plugin, in the same guest.
# N = SCALE_N (default 20; bench/guest-bench mif-scale SCALE_N=1000).
# Figures (issue 14), each against the stock phase of this run:
#   scale_ike_setup_ratio   IKE_SAs/s at the gateway, mif / stock
#   scale_path_setup_ratio  paths/s (mifctl add, RR, CHILD SA, GRE) in the
#                           mif phase / CHILD_SAs/s (CREATE_CHILD_SA of a
#                           second CHILD SA) in the stock phase
#   scale_path_kernel_kb    kernel memory per path and peer beyond what a
#                           CHILD SA's XFRM states and policies take
#   scale_forward_ratio     iperf3 cn -> mn1 with all paths up / stock
#   scale_mass_loss_s       min(500, N) lte paths cut at once: time the
#                           gateway needs beyond the protocol's timers
#                           (dead_interval 4 s + dead_timeout 5 s) until
#                           the last one is removed
#   scale_mass_connect_ratio  a new node's IKE SA setup time during those
#                           removals / against the idle gateway
#   scale_ike_gw_cpu_ratio  the gateway charon's CPU time per IKE SA, mif /
#                           stock (the rates above also pay for the N node
#                           charons, which share the guest's 2 vCPUs)
#   scale_path_gw_cpu_ratio its CPU time per path / per CREATE_CHILD_SA
SCALE_N=20
[ -f "/out/.bench-env.$MIF_SCEN" ] && . "/out/.bench-env.$MIF_SCEN"
N=$SCALE_N
K=$(( N < 500 ? N : 500 ))
SC="python3 $MIF_SCEN_DIR/scale.py"
GWLOG=$MIF_R/gw.charon.log
DEAD_S=9	# dead_interval 4 s + dead_timeout 5 s (conf/gw-mif)

# kernel memory (kB): Slab + Percpu + VmallocUsed after dropping clean
# caches (user memory, e.g. charon's heap, is not counted)
mem_kb()
{
	local k v u s=0 p=0 m=0
	echo 3 > /proc/sys/vm/drop_caches
	while read -r k v u; do
		case $k in
		Slab:) s=$v ;; Percpu:) p=$v ;; VmallocUsed:) m=$v ;;
		esac
	done < /proc/meminfo
	echo $((s + p + m))
}

# time of day as the charon log writes it (HH:MM:SS.mmm)
tod()
{
	local t=${EPOCHREALTIME#*.}
	printf '%(%T)T.%s' -1 "${t:0:3}"
}

# log_times FILE SINCE REGEX: "COUNT FIRST LAST" (seconds of the day) of
# the lines at or after SINCE matching REGEX
log_times()
{
	awk -v since="$2" -v re="$3" '
		function s(t) { split(t, a, ":"); return a[1] * 3600 + a[2] * 60 + a[3] }
		$1 >= since && $0 ~ re { t = s($1); n++; if (n == 1 || t < f) f = t; if (n == 1 || t > l) l = t }
		END { printf "%d %.3f %.3f\n", n, f, l }' "$1"
}

# wait_log FILE SINCE REGEX COUNT SECS: poll until COUNT lines matched
wait_log()
{
	local end=$(( $(now_ms) + $5 * 1000 )) n
	while :; do
		read -r n _ <<< "$(log_times "$1" "$2" "$3")"
		[ "$n" -ge "$4" ] && return 0
		[ "$(now_ms)" -lt $end ] || { say "only $n of $4 '$3' in $1"; return 1; }
		msleep 1
	done
}

# rate COUNT FIRST LAST: events per second over the span (1 decimal)
rate()
{
	awk -v n="$1" -v f="$2" -v l="$3" 'BEGIN {
		d = l - f; if (n < 2 || d <= 0) { print "none"; exit }
		printf "%.2f\n", (n - 1) / d }'
}

# CPU time (ms) of the gateway's charon so far: utime + stime
gw_cpu_ms()
{
	local f
	read -r -a f < "/proc/$(< "$MIF_STATE/hosts/gw/charon.pid")/stat"
	echo $(( (f[13] + f[14]) * 1000 / $(getconf CLK_TCK) ))
}

# cpu_per COUNT: the gateway's CPU ms since C0, per item
cpu_per()
{
	awk -v d=$(( $(gw_cpu_ms) - C0 )) -v n=$1 'BEGIN { printf "%.2f\n", d / n }'
}

ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 <= 0 || b + 0 <= 0) print "none"; else printf "%.3f\n", a / b }'
}

# the mobile nodes' charons (mnx and mn1..mnN), started in the background
start_mns()
{
	local i h t0=$(now_ms) end up
	MN_PIDS=()
	for ((i = 0; i <= N; i++)); do
		h=mn$i
		[ $i -eq 0 ] && h=mnx
		rm -f "$MIF_STATE/hosts/$h/run/charon.vici"
		mif-hostexec $h /usr/lib/ipsec/charon > /dev/null 2>&1 &
		MN_PIDS+=($!)
	done
	end=$(( t0 + (60 + N / 2) * 1000 ))
	while :; do
		up=0
		for ((i = 0; i <= N; i++)); do
			h=mn$i
			[ $i -eq 0 ] && h=mnx
			[ -S "$MIF_STATE/hosts/$h/run/charon.vici" ] && up=$((up + 1))
		done
		[ $up -gt $N ] && break
		if [ "$(now_ms)" -gt $end ] || ! kill -0 "${MN_PIDS[@]}" 2>/dev/null; then
			say "only $up of $((N + 1)) node charons up"
			return 1
		fi
		msleep 0.5
	done
	say "$((N + 1)) node charons up in $(( $(now_ms) - t0 )) ms"
}

stop_mns()
{
	kill -TERM "${MN_PIDS[@]}" 2>/dev/null
	wait_for 60 bash -c "! kill -0 ${MN_PIDS[*]} 2>/dev/null" || kill -KILL "${MN_PIDS[@]}" 2>/dev/null
	wait "${MN_PIDS[@]}" 2>/dev/null
}

# iperf3 from cn to mn1's virtual IP: Mbit/s
forward_mbit()
{
	local vip out
	vip=$(hx mn1 ip -o -4 addr show | awk '$4 ~ /^10\.99\./ { sub(/\/.*/, "", $4); print $4; exit }')
	[ -n "$vip" ] || { echo none; return; }
	mif-hostexec mn1 iperf3 -s -1 -p 5201 > "$MIF_R/iperf-server-$1.txt" 2>&1 &
	msleep 1
	out=$(hx cn iperf3 -c "$vip" -p 5201 -t 3 -P 4 -J 2>&1)
	echo "$out" > "$MIF_R/iperf-$1.json"
	echo "$out" | jq -r '.end.sum_received.bits_per_second / 1e6' 2>/dev/null || echo none
}

say "mif-scale: N=$N mobile nodes, $K paths in the mass loss"
$SC hosts $N "$MIF_SCEN_DIR/conf/mn-stock.conf" || fail "scale.py hosts"
M_BASE=$(mem_kb)

# ---- stock phase: stock charon everywhere, one CHILD SA + one more later
charon_setup gw "$MIF_SCEN_DIR/conf/gw-stock"
charon_start gw && swan_load gw || { fail "stock gateway up"; exit 1; }
start_mns || { fail "stock node charons up"; exit 1; }
M_MN=$(mem_kb)
metric scale_node_charon_kernel_kb $(( (M_MN - M_BASE) / (N + 1) ))
T=$(tod)
C0=$(gw_cpu_ms)
$SC load $N extra >> "$MIF_R/steps.log" 2>&1
check "stock: $N IKE SAs established" wait_log "$GWLOG" "$T" 'IKE_SA scale\[[0-9]+\] established' $N $((60 + N)) || exit 1
read -r n f l <<< "$(log_times "$GWLOG" "$T" 'IKE_SA scale\[[0-9]+\] established')"
IKE_STOCK=$(rate $n $f $l)
metric scale_ike_rate_stock "$IKE_STOCK"
IKE_CPU_STOCK=$(cpu_per $N)
metric scale_ike_gw_cpu_ms_stock "$IKE_CPU_STOCK"
M_IKE=$(mem_kb)
T=$(tod)
C0=$(gw_cpu_ms)
$SC initiate $N extra >> "$MIF_R/steps.log" 2>&1
check "stock: $N second CHILD SAs established" wait_log "$GWLOG" "$T" 'CHILD_SA extra\{[0-9]+\} established' $N $((60 + N))
read -r n f l <<< "$(log_times "$GWLOG" "$T" 'CHILD_SA extra\{[0-9]+\} established')"
CHILD_STOCK=$(rate $n $f $l)
metric scale_child_rate_stock "$CHILD_STOCK"
CHILD_CPU_STOCK=$(cpu_per $N)
metric scale_child_gw_cpu_ms_stock "$CHILD_CPU_STOCK"
M_CHILD=$(mem_kb)
# per CHILD SA and peer (both ends live in this guest)
CHILD_KB=$(awk -v d=$((M_CHILD - M_IKE)) -v n=$N 'BEGIN { printf "%.1f\n", d / n / 2 }')
metric scale_child_kernel_kb "$CHILD_KB"
FWD_STOCK=$(forward_mbit stock)
metric scale_forward_mbit_stock "$FWD_STOCK"
charon_stop gw
stop_mns
mv "$GWLOG" "$MIF_R/gw-stock.charon.log"
GWLOG_STOCK=$MIF_R/gw-stock.charon.log

# ---- mif phase: the plugin on the gateway and on every node
$SC conf $N "$MIF_SCEN_DIR/conf/mn-mif.conf"
charon_setup gw "$MIF_SCEN_DIR/conf/gw-mif"
charon_start gw && swan_load gw || { fail "mif gateway up"; exit 1; }
start_mns || { fail "mif node charons up"; exit 1; }
IDLE_S=$($SC connect mnx 2>> "$MIF_R/steps.log")
metric scale_connect_idle_s "${IDLE_S:-none}"
$SC terminate mnx >> "$MIF_R/steps.log" 2>&1
T=$(tod)
C0=$(gw_cpu_ms)
$SC load $N >> "$MIF_R/steps.log" 2>&1
check "mif: $N IKE SAs established" wait_log "$GWLOG" "$T" 'IKE_SA scale\[[0-9]+\] established' $N $((60 + N)) || exit 1
read -r n f l <<< "$(log_times "$GWLOG" "$T" 'IKE_SA scale\[[0-9]+\] established')"
IKE_MIF=$(rate $n $f $l)
metric scale_ike_rate_mif "$IKE_MIF"
metric scale_ike_setup_ratio "$(ratio "$IKE_MIF" "$IKE_STOCK")"
IKE_CPU_MIF=$(cpu_per $N)
metric scale_ike_gw_cpu_ms_mif "$IKE_CPU_MIF"
metric scale_ike_gw_cpu_ratio "$(ratio "$IKE_CPU_MIF" "$IKE_CPU_STOCK")"
check "mif: extension negotiated with every node" \
	test "$(grep -c 'mif: multiple interfaces enabled for IKE_SA' "$GWLOG")" -ge $N
M_IKE=$(mem_kb)
T=$(tod)
C0=$(gw_cpu_ms)
$SC addpaths $N >> "$MIF_R/steps.log" 2>&1
P='mif: path BID [0-9]+ .* active over'
check "mif: $((2 * N)) paths active at the gateway" wait_log "$GWLOG" "$T" "$P" $((2 * N)) $((90 + 2 * N))
read -r n f l <<< "$(log_times "$GWLOG" "$T" "$P")"
PATH_RATE=$(rate $n $f $l)
metric scale_path_rate "$PATH_RATE"
metric scale_path_setup_ratio "$(ratio "$PATH_RATE" "$CHILD_STOCK")"
# CPU per path until the last one is up (the probes of the first ones
# count too)
PATH_CPU=$(cpu_per $((2 * N)))
metric scale_path_gw_cpu_ms "$PATH_CPU"
metric scale_path_gw_cpu_ratio "$(ratio "$PATH_CPU" "$CHILD_CPU_STOCK")"
M_PATH=$(mem_kb)
PATH_KB=$(awk -v d=$((M_PATH - M_IKE)) -v n=$((2 * N)) 'BEGIN { printf "%.1f\n", d / n / 2 }')
metric scale_path_kernel_total_kb "$PATH_KB"
metric scale_path_kernel_kb "$(awk -v p="$PATH_KB" -v c="$CHILD_KB" 'BEGIN { printf "%.1f\n", p - c }')"
FWD_MIF=$(forward_mbit mif)
metric scale_forward_mbit_mif "$FWD_MIF"
metric scale_forward_ratio "$(ratio "$FWD_MIF" "$FWD_STOCK")"

# ---- mass loss: the lte links of mn1..mnK go silent at once (rl drops
# them), a new node connects while the gateway removes the dead paths
last=$((K + 10))
RANGE="10.2.0.11-10.2.$((last >> 8)).$((last & 255))"
hx rl nft -f - <<EOF
table inet cut {
	chain cut_forward {
		type filter hook forward priority 0;
		ip saddr $RANGE drop
		ip daddr $RANGE drop
	}
}
EOF
T=$(tod)
T0=$(now_ms)
say "cut the lte links of mn1..mn$K ($RANGE)"
DEAD='mif: path BID [0-9]+ 10\.0\.0\.1 === 10\.2\.[0-9.]+ is dead'
GONE='mif: path BID [0-9]+ 10\.0\.0\.1 === 10\.2\.[0-9.]+ dead for'
check "mass loss: $K paths dead at the gateway" wait_log "$GWLOG" "$T" "$DEAD" $K $((30 + K / 10))
wait_log "$GWLOG" "$T" "$GONE" 1 60
CONNECT_S=$($SC connect mnx 2>> "$MIF_R/steps.log")
metric scale_connect_loaded_s "${CONNECT_S:-none}"
check "mass loss: a new node connects meanwhile" test -n "$CONNECT_S"
metric scale_mass_connect_ratio "$(ratio "$CONNECT_S" "$IDLE_S")"
check "mass loss: $K paths removed at the gateway" wait_log "$GWLOG" "$T" "$GONE" $K $((60 + K))
read -r n f l <<< "$(log_times "$GWLOG" "$T" "$GONE")"
read -r _ df dl <<< "$(log_times "$GWLOG" "$T" "$DEAD")"
[ "$n" -gt 0 ] && metric scale_mass_dead_s "$(awk -v s="$(printf '%(%T)T' $((T0 / 1000)))" -v ms=$((T0 % 1000)) -v l="$dl" '
	BEGIN { split(s, a, ":"); printf "%.2f\n", l - (a[1] * 3600 + a[2] * 60 + a[3] + ms / 1000) }')"
[ "$n" -gt 0 ] && metric scale_mass_loss_s "$(awk -v s="$(printf '%(%T)T' $((T0 / 1000)))" -v ms=$((T0 % 1000)) -v l="$l" -v d=$DEAD_S '
	BEGIN { split(s, a, ":"); printf "%.2f\n", l - (a[1] * 3600 + a[2] * 60 + a[3] + ms / 1000) - d }')"
hx gw mifctl --json list > "$MIF_R/gw-paths-end.json" 2>&1
grep -c . "$GWLOG" > /dev/null
say "mif-scale done"
