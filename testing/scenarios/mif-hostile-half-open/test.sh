. ../hostile-common.sh
ROUND=25	# attempts per connection and round

initiated()
{
	test "$(hostile_get mn initiated)" -ge "$1"
}

# gw without any IKE_SA (all attempts failed or timed out)?
gw_idle()
{
	hx gw swanctl --stats | grep -Eq 'IKE_SAs: 0 total, 0 half-open'
}

# attempts: CONNECTION COUNT..., then wait for gw to forget them all
attempts()
{
	local total=0
	hostile_ctl mn reset > /dev/null
	while [ $# -ge 2 ]; do
		say "attacker: $(hostile_ctl mn initiate "$1" "$2" 100)"
		total=$((total + $2))
		shift 2
	done
	wait_for $((total + 30)) initiated "$total" ||
		fail "attacker initiated only $(hostile_get mn initiated) of $total"
	wait_for 30 gw_idle || fail "gw did not get rid of the attempts"
	msleep 1
}

# gw's memory: "RSS_KB HEAP_OCTETS" (charon's own mallinfo2 in swanctl
# --stats: used + mmap, all arenas)
gw_mem()
{
	local used mmap
	read -r mmap used < <(hx gw swanctl --stats |
		sed -n 's/^mallinfo: sbrk [0-9]*, mmap \([0-9]*\), used \([0-9]*\),.*/\1 \2/p')
	echo "$(rss_kb gw) $(( ${used:-0} + ${mmap:-0} ))"
}

# least-squares slope of "X Y" lines (octets per attempt)
slope()
{
	awk '{ n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2 }
		END { d = n * sxx - sx * sx; printf "%d\n", d ? (n * sxy - sx * sy) / d : 0 }'
}

# gw's charon without glibc's per-thread caches: freed chunks in a tcache
# count as in use for mallinfo2, and 16 worker threads' caches move the
# figure by tens of kB (measured: more than a leak of a few hundred octets
# per attempt); without them the heap figure is what is really allocated
charon_setup gw
export GLIBC_TUNABLES=glibc.malloc.tcache_count=0
charon_start gw
unset GLIBC_TUNABLES
swan_load gw

# the attacker drops gw's IKE_AUTH responses (IKE floats to 4500 for
# MOBIKE); IKE_SA_INIT responses on 500 still arrive
tc -n mn qdisc add dev wlan0 clsact
tc -n mn filter add dev wlan0 ingress pref 5 protocol ip flower ip_proto udp src_port 4500 action drop

# rounds NAME CONNECTION ROUNDS: ROUNDS x $ROUND attempts of CONNECTION;
# gw's heap after each goes to heap-NAME.txt ("ATTEMPTS OCTETS", from 0)
rounds()
{
	local name=$1 conn=$2 n=$3 r rss heap
	read -r rss heap < <(gw_mem)
	echo "0 $heap" > "$MIF_R/heap-$name.txt"
	for ((r = 1; r <= n; r++)); do
		attempts "$conn" $ROUND
		read -r rss heap < <(gw_mem)
		echo "$((r * ROUND)) $heap" >> "$MIF_R/heap-$name.txt"
	done
	metric "gw_heap_slope_$name" "$(slope < "$MIF_R/heap-$name.txt")"
}

# warm-up: charon's own tables, pools and thread caches reach their size
attempts psk 30 eap 30 ctl-psk 10 ctl-eap 10
read -r rss0 heap0 < <(gw_mem)
auth0=$(grep -c 'N((41000))' "$MIF_R/gw.charon.log")
to0=$(grep -c 'deleting half open IKE_SA' "$MIF_R/gw.charon.log")
metric gw_rss_kb_warm "$rss0"
metric gw_heap_warm "$heap0"

# the attack: 4 rounds of 25 IKE_AUTHs with MIF_SUPPORTED failing at once
# and 4 rounds of 25 abandoned half-open; then the same without it
rounds mif-psk psk 4
rounds mif-eap eap 4
n=$((8 * ROUND))
read -r rss heap < <(gw_mem)
auth=$(( $(grep -c 'N((41000))' "$MIF_R/gw.charon.log") - auth0 ))
to=$(( $(grep -c 'deleting half open IKE_SA' "$MIF_R/gw.charon.log") - to0 ))
rounds ctl-psk ctl-psk 2
rounds ctl-eap ctl-eap 2
# all MIF rounds as one series: attempts counted across both kinds
{ cat "$MIF_R/heap-mif-psk.txt"; awk -v o=$((4 * ROUND)) 'NR > 1 { print $1 + o, $2 }' "$MIF_R/heap-mif-eap.txt"; } > "$MIF_R/heap-mif.txt"
mif_slope=$(slope < "$MIF_R/heap-mif.txt")
s_psk=$(slope < "$MIF_R/heap-mif-psk.txt")
s_eap=$(slope < "$MIF_R/heap-mif-eap.txt")
c_psk=$(slope < "$MIF_R/heap-ctl-psk.txt")
c_eap=$(slope < "$MIF_R/heap-ctl-eap.txt")

metric gw_ike_auth_with_mif_supported "$auth"
metric gw_half_open_timeouts "$to"
metric gw_rss_kb_after_attack "$rss"
metric gw_heap_after_attack "$heap"
metric heap_octets_per_attempt "$mif_slope"
check "gw parsed an IKE_AUTH request with MIF_SUPPORTED for each of the $n attempts (got $auth)" \
	test "$auth" -ge "$n"
check "half of them (EAP) died half-open on gw after half_open_timeout (got $to of $((n / 2)))" \
	test "$to" -ge $((n / 2))
check "$n abandoned IKE_AUTHs: gw charon RSS growth < 1 MB ($rss0 -> $rss kB)" \
	test $((rss - rss0)) -lt 1024
check "$n abandoned IKE_AUTHs: gw heap in use grows < 100 octets per attempt (slope $mif_slope; heap $heap0 -> $heap)" \
	test "$mif_slope" -lt 100
check "wrong-PSK IKE_AUTHs: MIF_SUPPORTED adds < 100 octets per attempt to gw's heap ($s_psk with, $c_psk without)" \
	test $((s_psk - c_psk)) -lt 100
check "half-open EAP IKE_AUTHs: MIF_SUPPORTED adds < 100 octets per attempt to gw's heap ($s_eap with, $c_eap without)" \
	test $((s_eap - c_eap)) -lt 100
check_alive gw mn
