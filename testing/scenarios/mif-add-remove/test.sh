# checks between the steps: evaltest.dat, section by section
auth_count() { grep -c "authentication of .* successful" "$MIF_R/$1.charon.log"; }

# path events as they happen (mifctl monitor): JSON on mn, text on gw
mif-hostexec mn mifctl --json monitor > "$MIF_R/mn.monitor.json" 2> "$MIF_R/mn.monitor.err" &
monitor_mn=$!
mif-hostexec gw mifctl monitor > "$MIF_R/gw.monitor.txt" 2> "$MIF_R/gw.monitor.err" &
monitor_gw=$!
evaltest monitor

hxs mn 'swanctl --initiate --child home' >> "$MIF_R/steps.log" 2>&1
evaltest up
auths=$(auth_count mn)

# a third interface appears: a new link to rl with its own subnet
link mn:wifi2 rl:eth2
addr rl eth2 10.3.0.1/24
route gw 10.3.0.0/24 via 10.0.0.3
addr mn wifi2 10.3.0.10/24
topo_apply
hx mn ip route add default via 10.3.0.1 dev wifi2 metric 300
evaltest added
capture_start wifi mn wifi2 out
capture_sync
check_iperf mn cn 10.8.0.2 0.1 3 -P 16 -B 10.99.0.1
capture_stop wifi
check_capture_esp wifi 5

# lte0's address goes away
addr_del mn lte0 10.2.0.10/24
evaltest lte-gone

# the operator removes the wifi2 path
id=$(hxs mn 'swanctl --list-sas' | sed -n 's/^home: #\([0-9]*\),.*/\1/p' | head -n 1)
bid=$(hxs mn 'mifctl --json list' | jq -r '.paths[] | select(.local == "10.3.0.10") | .bid')
check "mifctl remove $id $bid" hxs mn "mifctl remove $id $bid"
expect gw "cat $MIF_R/gw.charon.log" "mif: peer removed path BID $bid 10.3.0.10" YES 15
expect gw 'mifctl list' '10.3.0.10' NO 5
check_not "mifctl rejects an unknown BID" hxs mn "mifctl remove $id 999"
# the events of the wifi2 path, by its BID
export WIFI2_BID=$bid
evaltest removed
kill "$monitor_mn" "$monitor_gw" 2>/dev/null

# one IKE SA throughout: evaltest.dat [end]
check "no re-authentication" test "$(auth_count mn)" -eq "$auths"
check_ping mn 10.8.0.2 3 -I 10.99.0.1
