check_ping mn 10.8.0.2 3
check_ping mn fd08::2 3

link_shape mn wlan0 delay 100
check "netem: RTT over wlan0 >= 100 ms" \
	hxs mn "ping -n -c 2 -i 0.2 10.1.0.1 | awk -F/ '/^rtt/ { exit !(\$5 >= 100) }'"
link_clear mn wlan0

link_cut mn wlan0
check_no_ping mn 10.1.0.1
expect mn "ip link show wlan0" "state UP" YES
expect mn "ip addr show wlan0" "inet 10\.1\.0\.10/24" YES
link_restore mn wlan0
check_ping mn 10.1.0.1 2

link_down mn wlan0
check "wlan0 down: traffic to cn takes lte0" \
	hxs mn "ip route get 10.8.0.2 | grep -q 'dev lte0'"
check_ping mn 10.8.0.2 2
link_up mn wlan0
addr mn wlan0 fd01::10/64
route mn default via 10.1.0.1 dev wlan0 metric 100
route mn default via fd01::1 dev wlan0 metric 100
topo_apply
check "wlan0 up again: default via wlan0" hxs mn "ip route get 10.8.0.2 | grep -q 'dev wlan0'"

addr_del mn lte0 10.2.0.10/24
expect mn "ip addr show lte0" "10\.2\.0\.10" NO
addr_add mn lte0 10.2.0.10/24
check_ping mn 10.2.0.1 2

# ingress filtering on rl: a source from the wlan net is dropped on lte0
check_not "rl drops foreign sources on its access link" \
	hx mn ping -n -c 2 -i 0.2 -W 1 -I 10.1.0.10 10.2.0.1

link_tbf rw eth0 4mbit
check_iperf cn mn 10.1.0.10 1 3
check "tbf: iperf3 through a 4 Mbit/s bucket stays below 6 Mbit/s" \
	awk -v m="$(sed -n 's/^iperf_cn_mbit=//p' "$MIF_R/metrics.txt")" 'BEGIN { exit !(m < 6) }'
link_clear rw eth0

link_shape mn wlan0 loss 10
probe_recv lossy cn 5002 -w 2
probe_send mn 10.8.0.2 5002 500 2
probe_wait lossy
link_clear mn wlan0
check "probe over 10% loss: lost $(probe_get lossy lost) of $(probe_get lossy sent)" \
	awk -v l="$(probe_get lossy lost)" -v s="$(probe_get lossy sent)" \
		'BEGIN { exit !(s == 1000 && l >= 30 && l <= 250) }'
