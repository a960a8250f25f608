. ../hostile-common.sh

# gw without any IKE_SA (all attempts failed or timed out)?
gw_idle()
{
	hx gw swanctl --stats | grep -Eq 'IKE_SAs: 0 total, 0 half-open'
}

initiated()
{
	test "$(hostile_get mn initiated)" -ge "$1"
}

# attempts: CONNECTION COUNT..., then wait for gw to forget them all
attempts()
{
	local total=0 want secs
	hostile_ctl mn reset > /dev/null
	while [ $# -ge 2 ]; do
		say "attacker: $(hostile_ctl mn initiate "$1" "$2" 100)"
		total=$((total + $2))
		shift 2
	done
	secs=$((total / 5 + 30))
	wait_for "$secs" initiated "$total" ||
		fail "attacker initiated only $(hostile_get mn initiated) of $total"
	wait_for 30 gw_idle || fail "gw did not get rid of the attempts"
	msleep 1
}

# sample gw's memory: "RSS_KB HEAP_INUSE_OCTETS" (charon's own mallinfo2
# in swanctl --stats: used + mmap, all arenas)
gw_mem()
{
	local used mmap
	read -r mmap used < <(hx gw swanctl --stats |
		sed -n 's/^mallinfo: sbrk [0-9]*, mmap \([0-9]*\), used \([0-9]*\),.*/\1 \2/p')
	echo "$(rss_kb gw) $(( ${used:-0} + ${mmap:-0} ))"
}

# the attacker drops gw's IKE_AUTH responses (IKE floats to 4500 for
# MOBIKE); IKE_SA_INIT responses on 500 still arrive
tc -n mn qdisc add dev wlan0 clsact
tc -n mn filter add dev wlan0 ingress pref 5 protocol ip flower ip_proto udp src_port 4500 action drop

# warm-up: charon's own tables and pools reach their working size
attempts psk 40 eap 40
read -r rss0 heap0 < <(gw_mem)
auth0=$(grep -c 'N((41000))' "$MIF_R/gw.charon.log")

# the attack: 300 abandoned IKE_AUTHs carrying MIF_SUPPORTED
attempts psk 150 eap 150
read -r rss1 heap1 < <(gw_mem)
auth1=$(grep -c 'N((41000))' "$MIF_R/gw.charon.log")

# reference: 150 failing attempts without MIF_SUPPORTED
attempts ctl 150
read -r rss2 heap2 < <(gw_mem)

n=$((auth1 - auth0))
metric gw_ike_auth_with_mif_supported "$n"
metric gw_half_open_timeouts "$(grep -c 'deleting half open IKE_SA' "$MIF_R/gw.charon.log")"
metric gw_rss_kb_warm "$rss0"
metric gw_rss_kb_after_300 "$rss1"
metric gw_rss_kb_after_ctl "$rss2"
metric gw_heap_warm "$heap0"
metric gw_heap_after_300 "$heap1"
metric gw_heap_after_ctl "$heap2"
metric heap_octets_per_attempt $(( (heap1 - heap0) / 300 ))
metric heap_octets_per_attempt_ctl $(( (heap2 - heap1) / 150 ))
check "gw parsed >= 300 IKE_AUTH requests carrying MIF_SUPPORTED in the attack ($n)" \
	test "$n" -ge 300
check "300 abandoned IKE_AUTHs: gw charon RSS growth < 1 MB ($rss0 -> $rss1 kB)" \
	test $((rss1 - rss0)) -lt 1024
check "300 abandoned IKE_AUTHs: gw heap in use grows < 100 octets per attempt ($heap0 -> $heap1, $(( (heap1 - heap0) / 300 )) per attempt)" \
	test $((heap1 - heap0)) -lt $((300 * 100))
