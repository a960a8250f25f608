# One stock charon per host.
#
#   charon_setup HOST [CONFDIR]  compose HOST's strongswan.conf and swanctl dir
#                                from CONFDIR (default: scenario hosts/HOST)
#   charon_start HOST...         start charons, wait for their vici sockets
#   charon_stop HOST...          stop them (SIGTERM, then SIGKILL)
#   swan_load HOST...            swanctl --load-all --noprompt
#
# The composed strongswan.conf is the harness defaults (explicit plugin
# list, pitfall 6; a flushed filelog into the results, pitfall 4; a quiet
# swanctl plugin list, pitfall 7) followed by the scenario's own
# hosts/HOST/strongswan.conf, whose settings therefore win.

# enough for PSK and Ed25519 certificates/raw keys with aes/sha2/x25519;
# each extra plugin costs startup time under TCG (add more per scenario
# with charon.load in hosts/HOST/strongswan.conf)
MIF_CHARON_LOAD=${MIF_CHARON_LOAD:-"random nonce aes sha1 sha2 hmac kdf pem pkcs1 pkcs8 x509 pubkey constraints curve25519 kernel-netlink socket-default vici"}
MIF_SWANCTL_LOAD=${MIF_SWANCTL_LOAD:-"pem pkcs1 pkcs8 x509 pubkey curve25519 random nonce aes sha1 sha2 hmac"}

charon_setup()
{
	local h=$1 src=${2:-$MIF_SCEN_DIR/hosts/$1} d=$MIF_STATE/hosts/$1
	cat > "$d/strongswan.conf" <<CONF
# composed by the strongswan-mif test harness for host $h
charon {
	load = $MIF_CHARON_LOAD
	filelog {
		charon {
			path = $MIF_R/$h.charon.log
			time_format = %T
			time_add_ms = yes
			ike_name = yes
			append = no
			flush_line = yes
			default = 1
			ike = 2
			cfg = 2
			knl = 2
			mgr = 1
			net = 1
			enc = 1
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
}
swanctl {
	load = $MIF_SWANCTL_LOAD
}
CONF
	if [ -f "$src/strongswan.conf" ]; then
		echo "# --- scenario $MIF_SCEN: hosts/$h/strongswan.conf" >> "$d/strongswan.conf"
		echo "$(< "$src/strongswan.conf")" >> "$d/strongswan.conf"
	fi
	# all credential dirs, so swanctl does not warn about missing ones
	# (one mkdir: every exec is expensive under TCG)
	mkdir -p "$d"/swanctl/{conf.d,x509,x509ca,x509aa,x509ocsp,x509crl,x509ac,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12}
	if [ -d "$src/swanctl" ]; then
		cp -a "$src/swanctl/." "$d/swanctl/"
	fi
	[ -f "$d/swanctl/swanctl.conf" ] || : > "$d/swanctl/swanctl.conf"
	echo "$(< "$d/strongswan.conf")" > "$MIF_R/$h.strongswan.conf"
}

charon_start()
{
	local h
	for h in "$@"; do
		if [ "${MIF_SANITIZE:-0}" = 1 ]; then
			# the ASan+UBSan build (sanitize.sh): runtime preloaded into
			# the stock charon, reports into the results
			LD_PRELOAD=$MIF_SAN_PRELOAD \
			ASAN_OPTIONS=$MIF_SAN_ASAN:log_path=$MIF_R/$h.asan \
			UBSAN_OPTIONS=$MIF_SAN_UBSAN:log_path=$MIF_R/$h.ubsan \
			LSAN_OPTIONS=$MIF_SAN_LSAN \
				mif-hostexec "$h" /usr/lib/ipsec/charon > "$MIF_R/$h.charon.out" 2>&1 &
		else
			mif-hostexec "$h" /usr/lib/ipsec/charon > "$MIF_R/$h.charon.out" 2>&1 &
		fi
		# mif-hostexec execs charon, so $! is charon itself
		echo $! > "$MIF_STATE/hosts/$h/charon.pid"
	done
	for h in "$@"; do
		if ! wait_for 20 test -S "$MIF_STATE/hosts/$h/run/charon.vici"; then
			say "charon on $h did not come up"
			return 1
		fi
		if [ "${MIF_SANITIZE:-0}" = 1 ]; then
			san_charon_check "$h" "$(< "$MIF_STATE/hosts/$h/charon.pid")" || return 1
		fi
	done
	say "charon up on: $*"
}

charon_stop()
{
	local h pid
	for h in "$@"; do
		pid=$(cat "$MIF_STATE/hosts/$h/charon.pid" 2>/dev/null) || continue
		kill -TERM "$pid" 2>/dev/null
		wait_for 5 sh -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null
		rm -f "$MIF_STATE/hosts/$h/charon.pid" "$MIF_STATE/hosts/$h/run/charon.vici"
	done
}

swan_load()
{
	local h pids=() rc=0
	# in parallel: swanctl spends a second loading its plugins under TCG
	for h in "$@"; do
		swan "$h" --load-all --noprompt > "$MIF_STATE/load-$h.log" 2>&1 &
		pids+=($!)
	done
	for h in "$@"; do
		wait "${pids[0]}" || { say "swanctl --load-all failed on $h"; rc=1; }
		pids=("${pids[@]:1}")
		cat "$MIF_STATE/load-$h.log" >> "$MIF_R/steps.log"
	done
	return $rc
}
