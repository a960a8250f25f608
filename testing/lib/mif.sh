# The mif plugin's paths and what a host holds for them.
#
#   mif_paths HOST           the paths of HOST's charon (mifctl --json list),
#                            one line each, tab-separated:
#                            IKE_ID BID STATE LOCAL REMOTE INTERFACE DEVICE CHILD_ID
#                            (an empty INTERFACE or DEVICE is "-"); fails if
#                            mifctl does
#   mif_active_from HOST LOCAL...   every LOCAL address has an ACTIVE path
#   mif_active_to HOST REMOTE...    every REMOTE address has an ACTIVE path
#   mif_wait_active HOST SECS LOCAL...   wait for mif_active_from
#   mif_check_state HOST [LABEL] [WAIT] [NACTIVE] [IGNORE_SPIS_FILE]
#   mif_check_states LABEL WAIT NACTIVE HOST[:IGNORE_SPIS_FILE]...
#       the kernel state and libmif's database of HOST are exactly what its
#       live paths need (below); polls up to WAIT s (default 15) until they
#       agree, then records one check per aspect. NACTIVE: also require
#       that many paths, all ACTIVE. IGNORE_SPIS_FILE: SPIs (hex, one a line)
#       of SAs a killed charon left behind, which stock charon never
#       removes (it does not flush the SAD at start).
#
# What mif_check_state expects, derived from `mifctl --json list` and
# `swanctl --list-sas` (live path = ACTIVE or DEAD: it has a data plane):
#   ike     one ESTABLISHED IKE SA; every path belongs to it
#   paths   no path in a transitional state (ANNOUNCED, CHECKING, CHILD,
#           REMOVING), no two paths on the same address pair [, NACTIVE]
#   child   per live path the INSTALLED mif-path-* CHILD SA whose unique
#           id is the path's child_id (its name may carry an earlier BID
#           of the address pair); no mif-path-* CHILD SA without a live
#           path; every CHILD SA INSTALLED
#   gre     the mif* devices (gre/ip6gre) are exactly the live paths'
#           devices, with the paths' addresses as endpoints
#   sad     the ESP SAs are exactly the in/out SPIs of the CHILD SAs
#   spd     the policies (socket policies aside) are exactly: per live path
#           GRE out local->remote and in remote->local with its CHILD SA's
#           reqid; per other CHILD SA and pair of its selectors out, in, fwd;
#           charon's out policies carry the current outbound SPI in their
#           template (a stale one blackholes the traffic), the paths' GRE
#           out policies none (the newest SA of the reqid, across rekeys)
#   table   table 210 (IPv4+IPv6) holds a route per remote selector of the
#           other CHILD SAs (not 0/0, not the peer itself) over exactly the
#           ACTIVE paths' devices, nothing if no path is ACTIVE (a route
#           steering the peer's address is allowed while a path is DEAD)
#   rules   per family the data plane's rules (pref 199 GRE/IKE skips, 210
#           lookup 210, 211 nop) once each while a live path exists, none
#           otherwise; no flow rules (pref 200); on the announcing side one
#           source rule (pref 212) "from LOCAL lookup 22000+ifindex" per
#           local path address, none elsewhere
#   srctab  no routes in flow tables (21000-21999); source tables
#           (22000-22999) only for those rules, each with a default route
#           through the path's interface
#   db      /run/mif-bindings.db: one session; bindings exactly BID 1 (the
#           IKE path, care-of = the IKE SA's local address) plus every path
#           (care-of = its local address, ACTIVE paths in state 2); SA refs
#           exactly the IKE SA and the (in, out) SPIs of its CHILD SAs
# The rule preferences and tables are the plugin's defaults.
# Raw data of the last poll: $MIF_R/state/<LABEL>-<HOST>/.
#
# Under TCG every process costs 0.1-1 s and even a fork of this shell is
# expensive: the parsing below is bash without subshells, and the data is
# collected by six processes in parallel.

_mif_sock_path()
{
	_MIF_SOCK=unix://$MIF_STATE/hosts/$1/run/charon.mif
}

_mif_sock()
{
	echo "unix://$MIF_STATE/hosts/$1/run/charon.mif"
}

# _mif_load_paths JSON: the paths of a `mifctl --json list` reply into the
# arrays P_IKE P_BID P_STATE P_LOCAL P_REMOTE P_IF P_DEV P_CHILD
_mif_load_paths()
{
	local json=$1 re
	P_IKE=() P_BID=() P_STATE=() P_LOCAL=() P_REMOTE=() P_IF=() P_DEV=() P_CHILD=()
	re='"ike_id":([0-9]+),"bid":([0-9]+),"state":"([A-Z]+)","local":"([^"]*)",'
	re+='"remote":"([^"]*)","interface":"([^"]*)","kind":"[^"]*","priority":[0-9]+,'
	re+='"device":"([^"]*)","child_id":([0-9]+)'
	[[ $json == '{"paths":['* ]] || return 1
	while [[ $json =~ $re ]]; do
		P_IKE+=("${BASH_REMATCH[1]}") P_BID+=("${BASH_REMATCH[2]}")
		P_STATE+=("${BASH_REMATCH[3]}") P_LOCAL+=("${BASH_REMATCH[4]}")
		P_REMOTE+=("${BASH_REMATCH[5]}") P_IF+=("${BASH_REMATCH[6]:--}")
		P_DEV+=("${BASH_REMATCH[7]:--}") P_CHILD+=("${BASH_REMATCH[8]}")
		json=${json#*"${BASH_REMATCH[0]}"}
	done
	return 0
}

# _mif_query HOST: load HOST's paths (one mifctl process)
_mif_query()
{
	local out
	_mif_sock_path "$1"
	out=$(mifctl -s "$_MIF_SOCK" --json list 2>&1) || return 1
	_mif_load_paths "$out"
}

mif_paths()
{
	local i
	_mif_query "$1" || return 1
	for ((i = 0; i < ${#P_BID[@]}; i++)); do
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${P_IKE[i]}" "${P_BID[i]}" \
			"${P_STATE[i]}" "${P_LOCAL[i]}" "${P_REMOTE[i]}" "${P_IF[i]}" \
			"${P_DEV[i]}" "${P_CHILD[i]}"
	done
}

# _mif_active COLUMN HOST ADDR...: each ADDR has an ACTIVE path in COLUMN
_mif_active()
{
	local -n _col=$1
	local a i found
	shift
	_mif_query "$1" || return 1
	shift
	for a in "$@"; do
		found=
		for ((i = 0; i < ${#P_BID[@]}; i++)); do
			[ "${P_STATE[i]}" = ACTIVE ] && [ "${_col[i]}" = "$a" ] && found=1
		done
		[ -n "$found" ] || return 1
	done
	return 0
}

mif_active_from()
{
	_mif_active P_LOCAL "$@"
}

mif_active_to()
{
	_mif_active P_REMOTE "$@"
}

mif_wait_active()
{
	local h=$1 secs=$2
	shift 2
	wait_for "$secs" mif_active_from "$h" "$@"
}

# _mif_addr_hex VAR ADDR: ADDR as libmif stores it (version, port 0,
# address) in hex
_mif_addr_hex()
{
	local -n _v=$1
	local a=$2 g out= n i
	local -a hd tl groups
	if [[ $a == *:* ]]; then
		if [[ $a == *::* ]]; then
			IFS=: read -ra hd <<< "${a%%::*}"
			IFS=: read -ra tl <<< "${a#*::}"
			n=$((8 - ${#hd[@]} - ${#tl[@]}))
			groups=("${hd[@]}")
			for ((i = 0; i < n; i++)); do groups+=(0); done
			groups+=("${tl[@]}")
		else
			IFS=: read -ra groups <<< "$a"
		fi
		for g in "${groups[@]}"; do
			printf -v g '%04X' "0x${g:-0}"
			out+=$g
		done
		_v=060000$out
	else
		IFS=. read -ra groups <<< "$a"
		printf -v _v '040000%02X%02X%02X%02X' "${groups[@]}"
	fi
}

# _mif_prefix VAR ADDR [FAMILY]: ADDR as a prefix with an explicit length
_mif_prefix()
{
	local -n _v=$1
	case $2 in
	default) [ "${3:-4}" = 6 ] && _v=::/0 || _v=0.0.0.0/0 ;;
	*/*) _v=$2 ;;
	*:*) _v=$2/128 ;;
	*) _v=$2/32 ;;
	esac
}

# _mif_sorted VAR WORD...: the words sorted, space-separated
_mif_sorted()
{
	local -n _v=$1
	local -a a=("${@:2}")
	local i j t
	for ((i = 1; i < ${#a[@]}; i++)); do
		for ((j = i; j > 0; j--)); do
			[[ ${a[j - 1]} > ${a[j]} ]] || break
			t=${a[j]} a[j]=${a[j - 1]} a[j - 1]=$t
		done
	done
	_v="${a[*]}"
}

# _mif_count VAR TEXT: its non-empty lines
_mif_count()
{
	local -n _v=$1
	local line
	_v=0
	while IFS= read -r line; do
		[ -n "$line" ] && _v=$((_v + 1))
	done <<< "$2"
}

# collect everything of HOST into DIR: six processes in parallel; one
# `ip -batch` per family, its sections split at the output of `route get`
# for a loopback address (`ip xfrm` exits at the end of a listing, so it
# only ends a batch)
_mif_gather()
{
	local h=$1 d=$2 run=$MIF_STATE/hosts/$1/run pids=()
	rm -rf "$d"
	mkdir -p "$d"
	_mif_sock_path "$h"
	{ mifctl -s "$_MIF_SOCK" --json list > "$d/mifctl.json" 2>&1; echo $? > "$d/mifctl.rc"; } &
	pids+=($!)
	{ timeout 15 mif-hostexec "$h" swanctl --list-sas > "$d/sas.txt" 2>&1; echo $? > "$d/sas.rc"; } &
	pids+=($!)
	ip -n "$h" -o -force -batch - > "$d/ip4.txt" 2>&1 <<IP &
link show
route get 127.0.0.2
addr show
route get 127.0.0.3
rule show
route get 127.0.0.4
route show table all
route get 127.0.0.5
xfrm state
IP
	pids+=($!)
	ip -n "$h" xfrm policy > "$d/policies.txt" 2>&1 &
	pids+=($!)
	ip -n "$h" -6 -o -force -batch - > "$d/ip6.txt" 2>&1 <<IP &
rule show
route get ::1
route show table all
IP
	pids+=($!)
	sqlite3 -separator ' ' "$run/mif-bindings.db" \
		"select 'S', sid, id from sessions;
		 select 'B', sid, bid, hex(coa), state from bindings;
		 select 'A', sid, type, ike_id, spi_in, spi_out from sas;" > "$d/db.txt" 2>&1 &
	pids+=($!)
	wait "${pids[@]}"
}

# split DIR/ip4.txt and DIR/ip6.txt into their sections
_mif_split()
{
	local d=$1 i sec
	local -a lines files out
	files=(links addrs rules4 routes4 states)
	mapfile -t lines < "$d/ip4.txt"
	sec=0 out=()
	for ((i = 0; i < ${#lines[@]}; i++)); do
		if [[ ${lines[i]} =~ ^local\ 127\.0\.0\.([2-5])\ dev\ lo.*\ uid\  ]]; then
			printf '%s\n' "${out[@]}" > "$d/${files[sec]}.txt"
			sec=$(( BASH_REMATCH[1] - 1 )) out=()
			continue
		fi
		out+=("${lines[i]}")
	done
	printf '%s\n' "${out[@]}" > "$d/${files[sec]}.txt"
	# `route show table all` of no family lists IPv6 routes too (those
	# always carry a pref); they come from the -6 batch
	mapfile -t lines < "$d/routes4.txt"
	out=()
	for ((i = 0; i < ${#lines[@]}; i++)); do
		[[ ${lines[i]} == *" pref "* ]] || out+=("${lines[i]}")
	done
	printf '%s\n' "${out[@]}" > "$d/routes4.txt"
	files=(rules6 routes6)
	mapfile -t lines < "$d/ip6.txt"
	sec=0 out=()
	for ((i = 0; i < ${#lines[@]}; i++)); do
		if [[ ${lines[i]} =~ ^local\ ::1\ from\ ::\ dev\ lo ]]; then
			printf '%s\n' "${out[@]}" > "$d/${files[sec]}.txt"
			sec=1 out=()
			continue
		fi
		out+=("${lines[i]}")
	done
	printf '%s\n' "${out[@]}" > "$d/${files[sec]}.txt"
}

# _mif_records FILE: the records of `ip xfrm state|policy` (each starts
# with "src ", multi-line or -o) into MIF_REC, one line each
_mif_records()
{
	local line rec=
	MIF_REC=()
	while IFS= read -r line; do
		if [[ $line == src\ * ]]; then
			[ -n "$rec" ] && MIF_REC+=("$rec")
			rec=${line//\\/ }
		else
			line=${line//\\/ }
			rec+=" ${line//$'\t'/ }"
		fi
	done < "$1"
	[ -n "$rec" ] && MIF_REC+=("$rec")
	return 0
}

# _mif_diff EXPECTED GOT WHAT: compare two newline-separated lists as
# multisets; the differences into MIF_DIFF
_mif_diff()
{
	local exp=$1 got=$2 what=$3 line ne=0 ng=0 rc=0 out=
	local -A cnt
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		cnt[$line]=$(( ${cnt[$line]:-0} + 1 ))
		ne=$((ne + 1))
	done <<< "$exp"
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		cnt[$line]=$(( ${cnt[$line]:-0} - 1 ))
		ng=$((ng + 1))
	done <<< "$got"
	for line in "${!cnt[@]}"; do
		if [ "${cnt[$line]}" -gt 0 ]; then
			rc=1
			out+=$'\n'"  missing: $line"
			[ "${cnt[$line]}" = 1 ] || out+=" (x${cnt[$line]})"
		elif [ "${cnt[$line]}" -lt 0 ]; then
			rc=1
			out+=$'\n'"  unexpected: $line"
			[ "${cnt[$line]}" = -1 ] || out+=" (x${cnt[$line]#-})"
		fi
	done
	MIF_DIFF=
	[ $rc = 0 ] && return 0
	MIF_DIFF="$what: expected $ne, got $ng$out"
	return 1
}

# _mif_live I: path I has a data plane (ACTIVE or DEAD)
_mif_live()
{
	[ "${P_STATE[$1]}" = ACTIVE ] || [ "${P_STATE[$1]}" = DEAD ]
}

# evaluate DIR; fills _MIF_OK[aspect] (0/1), _MIF_DESC[aspect], _MIF_OUT[aspect]
_mif_eval()
{
	local h=$1 d=$2 nactive=$3 ignore=$4
	local line i j k n l r rec dir src dst reqid spi name idx f devs json
	local ike_n=0 ike_uid= ike_state= ike_local= ike_remote= cur= rc_m= rc_s=
	local -a c_name c_uid c_reqid c_state c_in c_out c_lts c_rts words rhops act_hops
	local -A ifindex addr_if gre_kind child_of_uid ign sa_info seen_blk
	local -A reqid_of_uid seen_rt src_tables seen_src has_default
	local -A bind_coa bind_state
	local exp got out ok nlive=0 nact=0 ndead=0 cnt nign=0 hex
	local sid= nsess=0 sas_ike= nsas_ike=0

	_MIF_OK=() _MIF_DESC=() _MIF_OUT=()

	# --- paths
	read -r rc_m < "$d/mifctl.rc"
	read -r rc_s < "$d/sas.rc"
	P_BID=() P_STATE=()
	if [ "$rc_m" = 0 ]; then
		IFS= read -r -d '' json < "$d/mifctl.json"
		_mif_load_paths "$json"
	fi
	n=${#P_BID[@]}
	for ((i = 0; i < n; i++)); do
		case ${P_STATE[i]} in
		ACTIVE) nlive=$((nlive + 1)) nact=$((nact + 1))
			case ${P_LOCAL[i]} in
			*:*) act_hops+=("${P_DEV[i]}") ;;
			*) act_hops+=("${P_LOCAL[i]}>${P_REMOTE[i]}") ;;
			esac ;;
		DEAD) nlive=$((nlive + 1)) ndead=$((ndead + 1)) ;;
		esac
	done

	# --- SAs as charon lists them
	while IFS= read -r line; do
		if [[ $line =~ ^\ {4}in\ +([0-9a-f]{8}) ]]; then
			[ -n "$cur" ] && c_in[cur]=${BASH_REMATCH[1]}
		elif [[ $line =~ ^\ {4}out\ +([0-9a-f]{8}) ]]; then
			[ -n "$cur" ] && c_out[cur]=${BASH_REMATCH[1]}
		elif [[ $line =~ ^\ {4}local\ +(.+)$ ]]; then
			[ -n "$cur" ] && c_lts[cur]=${BASH_REMATCH[1]}
		elif [[ $line =~ ^\ {4}remote\ +(.+)$ ]]; then
			[ -n "$cur" ] && c_rts[cur]=${BASH_REMATCH[1]}
		elif [[ $line =~ ^\ \ ([^\ ].*):\ \#([0-9]+),\ reqid\ ([0-9]+),\ ([A-Z_]+), ]]; then
			cur=${#c_name[@]}
			c_name+=("${BASH_REMATCH[1]}") c_uid+=("${BASH_REMATCH[2]}")
			c_reqid+=("${BASH_REMATCH[3]}") c_state+=("${BASH_REMATCH[4]}")
			c_in+=("") c_out+=("") c_lts+=("") c_rts+=("")
		elif [[ $line =~ ^\ \ local\ .*\ @\ ([^\ []+)\[ ]]; then
			ike_local=${BASH_REMATCH[1]}
		elif [[ $line =~ ^\ \ remote\ .*\ @\ ([^\ []+)\[ ]]; then
			ike_remote=${BASH_REMATCH[1]}
		elif [[ $line =~ ^([^\ ].*):\ \#([0-9]+),\ ([A-Z_]+),\ IKEv ]]; then
			ike_n=$((ike_n + 1))
			ike_uid=${BASH_REMATCH[2]} ike_state=${BASH_REMATCH[3]}
			cur=
		fi
	done < "$d/sas.txt"

	# --- ike
	out="IKE SAs: $ike_n (#${ike_uid:-?} ${ike_state:-?} $ike_local === $ike_remote)"
	ok=0
	if [ "$rc_m" != 0 ]; then
		ok=1
		IFS= read -r line < "$d/mifctl.json"
		out+=$'\n'"mifctl failed: $line"
	fi
	if [ "$rc_s" != 0 ]; then
		ok=1
		IFS= read -r line < "$d/sas.txt"
		out+=$'\n'"swanctl failed: $line"
	fi
	[ "$ike_n" = 1 ] && [ "$ike_state" = ESTABLISHED ] || ok=1
	for ((i = 0; i < n; i++)); do
		if [ "${P_IKE[i]}" != "$ike_uid" ]; then
			ok=1
			out+=$'\n'"path BID ${P_BID[i]} belongs to IKE SA ${P_IKE[i]}"
		fi
	done
	_MIF_OK[ike]=$ok
	_MIF_DESC[ike]="one ESTABLISHED IKE SA (#${ike_uid:-?}), all $n paths on it"
	_MIF_OUT[ike]=$out

	# --- paths
	ok=0 out=
	for ((i = 0; i < n; i++)); do
		out+=$'\n'"BID ${P_BID[i]} ${P_STATE[i]} ${P_LOCAL[i]} === ${P_REMOTE[i]} ${P_IF[i]} ${P_DEV[i]} CHILD_SA #${P_CHILD[i]}"
	done
	for ((i = 0; i < n; i++)); do
		_mif_live $i || { ok=1; out+=$'\n'"transitional: BID ${P_BID[i]} ${P_STATE[i]}"; }
		for ((j = i + 1; j < n; j++)); do
			if [ "${P_LOCAL[i]} ${P_REMOTE[i]}" = "${P_LOCAL[j]} ${P_REMOTE[j]}" ]; then
				ok=1
				out+=$'\n'"duplicate: BIDs ${P_BID[i]} and ${P_BID[j]} on ${P_LOCAL[i]} === ${P_REMOTE[i]}"
			fi
		done
	done
	if [ -n "$nactive" ] && { [ "$n" != "$nactive" ] || [ "$nact" != "$nactive" ]; }; then
		ok=1
	fi
	_MIF_OK[paths]=$ok
	_MIF_DESC[paths]="paths settled: $nact ACTIVE, $ndead DEAD, $((n - nlive)) other${nactive:+ (expected $nactive ACTIVE only)}"
	_MIF_OUT[paths]=${out#$'\n'}

	# --- child
	# a path's CHILD SA is the one whose unique id the path names: the
	# announcing side reuses an equal CHILD config of an earlier BID for the
	# same address pair, so the SA's name may carry another BID
	# (doc/protocol.md 6.2)
	ok=0 out=
	for ((k = 0; k < ${#c_name[@]}; k++)); do
		[ "${c_state[k]}" = INSTALLED ] || { ok=1; out+=$'\n'"CHILD SA ${c_name[k]} #${c_uid[k]} is ${c_state[k]}"; }
		if [[ ${c_name[k]} == mif-path-* ]]; then
			child_of_uid[${c_uid[k]}]=$k
			l=
			for ((i = 0; i < n; i++)); do
				_mif_live $i && [ "${P_CHILD[i]}" = "${c_uid[k]}" ] && l=1
			done
			[ -n "$l" ] || { ok=1; out+=$'\n'"CHILD SA ${c_name[k]} #${c_uid[k]} without a live path"; }
		fi
	done
	for ((i = 0; i < n; i++)); do
		_mif_live $i || continue
		if [ -z "${child_of_uid[${P_CHILD[i]}]}" ]; then
			ok=1
			out+=$'\n'"path BID ${P_BID[i]} refers to CHILD SA #${P_CHILD[i]}, charon has no mif-path-* SA of that id"
		fi
	done
	_MIF_OK[child]=$ok
	_MIF_DESC[child]="CHILD SAs: ${#c_name[@]} (${#child_of_uid[@]} of paths), one INSTALLED mif-path-* per live path, the one it names"
	_MIF_OUT[child]=${out#$'\n'}

	# --- gre: mifgre4 (metadata mode, from the start) carries the IPv4
	# paths, which name it; each IPv6 path has its own ip6gre device
	# between its addresses
	while IFS= read -r line; do
		[[ $line =~ ^([0-9]+):\ ([^:@\ ]+)(@[^:]*)?: ]] || continue
		idx=${BASH_REMATCH[1]} name=${BASH_REMATCH[2]}
		ifindex[$name]=$idx
		if [[ $name == mif* ]]; then
			# `ip -o link` (no -d): a gre device in metadata mode is of
			# link type none (ARPHRD_NONE), a per-path one has a peer
			gre_kind[$name]=?
			if [[ $line =~ \ link/gre6?\ ([^\ ]+)\ peer\ ([^\ ]+) ]]; then
				gre_kind[$name]="${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
			elif [[ $line =~ \ link/none\  ]]; then
				gre_kind[$name]=metadata
			fi
		fi
	done < "$d/links.txt"
	exp="mifgre4 metadata"$'\n' got=
	for ((i = 0; i < n; i++)); do
		_mif_live $i || continue
		case ${P_LOCAL[i]} in
		*:*) exp+="${P_DEV[i]} ${P_LOCAL[i]} ${P_REMOTE[i]}"$'\n' ;;
		*) [ "${P_DEV[i]}" = mifgre4 ] || exp+="BID ${P_BID[i]} names mifgre4"$'\n' ;;
		esac
	done
	for name in "${!gre_kind[@]}"; do
		got+="$name ${gre_kind[$name]}"$'\n'
	done
	_mif_diff "$exp" "$got" "mif* GRE devices (mifgre4 metadata; IPv6 paths: name local remote)"
	_MIF_OK[gre]=$?
	_MIF_DESC[gre]="GRE devices: ${#gre_kind[@]} mif* (mifgre4 and one per IPv6 path), $nlive live paths"
	_MIF_OUT[gre]=$MIF_DIFF

	# --- sad
	if [ -n "$ignore" ] && [ -f "$ignore" ]; then
		while read -r spi; do [ -n "$spi" ] && ign[$spi]=1; done < "$ignore"
	fi
	exp= got=
	for ((k = 0; k < ${#c_name[@]}; k++)); do
		[ -n "${c_in[k]}" ] && exp+="${c_in[k]}"$'\n'
		[ -n "${c_out[k]}" ] && exp+="${c_out[k]}"$'\n'
	done
	_mif_records "$d/states.txt"
	for rec in "${MIF_REC[@]}"; do
		[[ $rec =~ ^src\ ([^\ ]+)\ dst\ ([^\ ]+).*proto\ esp\ spi\ 0x([0-9a-f]+)[^\ ]*\ reqid\ ([0-9]+)[^\ ]*\ mode\ ([a-z]+) ]] || continue
		spi=${BASH_REMATCH[3]}
		if [ -n "${ign[$spi]}" ]; then
			nign=$((nign + 1))
			continue
		fi
		got+="$spi"$'\n'
		sa_info[$spi]="${BASH_REMATCH[1]} -> ${BASH_REMATCH[2]} reqid ${BASH_REMATCH[4]} ${BASH_REMATCH[5]}"
	done
	_mif_diff "$exp" "$got" "ESP SA SPIs"
	_MIF_OK[sad]=$?
	out=$MIF_DIFF
	for spi in "${!sa_info[@]}"; do
		out=${out//unexpected: $spi/unexpected: $spi (${sa_info[$spi]})}
	done
	_mif_count cnt "$got"
	_MIF_DESC[sad]="XFRM states: $cnt ESP SAs for ${#c_name[@]} CHILD SAs${ignore:+, $nign of the killed charon ignored}"
	_MIF_OUT[sad]=$out

	# --- spd
	exp= got=
	for ((k = 0; k < ${#c_name[@]}; k++)); do
		if [[ ${c_name[k]} == mif-path-* ]]; then
			reqid_of_uid[${c_uid[k]}]=${c_reqid[k]}
			continue
		fi
		for l in ${c_lts[k]}; do
			for r in ${c_rts[k]}; do
				l=${l%%\[*} r=${r%%\[*}
				exp+="out $l $r reqid ${c_reqid[k]} spi ${c_out[k]}"$'\n'
				exp+="in $r $l reqid ${c_reqid[k]}"$'\n'
				exp+="fwd $r $l reqid ${c_reqid[k]}"$'\n'
			done
		done
	done
	for ((i = 0; i < n; i++)); do
		_mif_live $i || continue
		_mif_prefix l "${P_LOCAL[i]}"
		_mif_prefix r "${P_REMOTE[i]}"
		j=${P_CHILD[i]}
		# the path's out policy names no SPI: the newest SA of the reqid
		# carries it, across CHILD SA rekeys (doc/protocol.md 11)
		exp+="out $l $r gre reqid ${reqid_of_uid[$j]:-?} spi -"$'\n'
		exp+="in $r $l gre reqid ${reqid_of_uid[$j]:-?}"$'\n'
		# plaintext GRE to the path's local address from elsewhere: blocked,
		# one policy per local address
		if [ -z "${seen_blk[$l]}" ]; then
			seen_blk[$l]=1
			case $l in *:*) exp+="in ::/0 $l gre block"$'\n' ;; *) exp+="in 0.0.0.0/0 $l gre block"$'\n' ;; esac
		fi
	done
	_mif_records "$d/policies.txt"
	for rec in "${MIF_REC[@]}"; do
		[[ $rec =~ ^src\ ([^\ ]+)\ dst\ ([^\ ]+) ]] || continue
		src=${BASH_REMATCH[1]} dst=${BASH_REMATCH[2]}
		[[ $rec =~ \ dir\ ([a-z]+)\  ]] || continue	# socket policies
		dir=${BASH_REMATCH[1]}
		reqid=-
		[[ $rec =~ tmpl\ .*\ reqid\ ([0-9]+) ]] && reqid=${BASH_REMATCH[1]}
		# charon puts the outbound SA's SPI into the template of out policies
		if [ "$dir" = out ]; then
			if [[ $rec =~ tmpl\ .*\ spi\ 0x([0-9a-f]+) ]]; then
				reqid+=" spi ${BASH_REMATCH[1]}"
			else
				reqid+=" spi -"
			fi
		fi
		if [[ $rec =~ ^src\ [^\ ]+\ dst\ [^\ ]+\ proto\ gre ]] && [[ $rec =~ \ action\ block ]]; then
			got+="$dir $src $dst gre block"$'\n'
		elif [[ $rec =~ ^src\ [^\ ]+\ dst\ [^\ ]+\ proto\ gre ]]; then
			got+="$dir $src $dst gre reqid $reqid"$'\n'
		else
			got+="$dir $src $dst reqid $reqid"$'\n'
		fi
	done
	_mif_diff "$exp" "$got" "policies (dir src dst [gre] reqid|block, out: template SPI)"
	_MIF_OK[spd]=$?
	_MIF_OUT[spd]=$MIF_DIFF
	_mif_count cnt "$got"
	_MIF_DESC[spd]="XFRM policies: $cnt (GRE of $nlive live paths + out/in/fwd of the other CHILD SAs)"

	# --- table 210
	exp= got=
	_mif_sorted devs "${act_hops[@]}"
	if [ "$nact" -gt 0 ]; then
		for ((k = 0; k < ${#c_name[@]}; k++)); do
			[[ ${c_name[k]} == mif-path-* ]] && continue
			for r in ${c_rts[k]}; do
				r=${r%%\[*}
				case $r in 0.0.0.0/0|::/0|"$ike_remote/32"|"$ike_remote/128") continue ;; esac
				[ -n "${seen_rt[$r]}" ] && continue
				seen_rt[$r]=1
				exp+="$r via $devs"$'\n'
			done
		done
	fi
	for f in 4 6; do
		while IFS= read -r line; do
			[[ $line =~ \ table\ 210\  ]] || continue
			[[ $line =~ ^(unicast\ |blackhole\ |unreachable\ |prohibit\ )?([^\ ]+) ]] || continue
			_mif_prefix dst "${BASH_REMATCH[2]}" $f
			if [ "$ndead" -gt 0 ] && { [ "$dst" = "$ike_remote/32" ] || [ "$dst" = "$ike_remote/128" ]; }; then
				continue	# steering the IKE SA off a dead path
			fi
			# next hops: IPv4 paths the shared device with the path's outer
			# addresses as encapsulation ("encap ip id 0 src L dst R ...
			# dev mifgre4"), IPv6 paths their own device
			read -ra words <<< "$line"
			rhops=() el= er= enc=
			for ((i = 0; i + 1 < ${#words[@]}; i++)); do
				case ${words[i]} in
				encap) enc=1 el= er= ;;
				src) [ -n "$enc" ] && el=${words[i + 1]} ;;
				dst) [ -n "$enc" ] && er=${words[i + 1]} ;;
				dev) if [ -n "$enc" ]; then rhops+=("$el>$er"); else rhops+=("${words[i + 1]}"); fi
					enc= el= er= ;;
				esac
			done
			_mif_sorted r "${rhops[@]}"
			got+="$dst via $r"$'\n'
		done < "$d/routes$f.txt"
	done
	_mif_diff "$exp" "$got" "table 210 routes (dst via the paths: IPv4 local>remote encapsulation, IPv6 device)"
	_MIF_OK[table]=$?
	_MIF_OUT[table]=$MIF_DIFF
	_mif_count cnt "$got"
	_MIF_DESC[table]="table 210: $cnt routes, over the $nact ACTIVE paths"

	# --- rules
	while IFS= read -r line; do
		[[ $line =~ ^[0-9]+:\ +([^\ ]+)\ +inet6?\ ([^/\ ]+)/ ]] || continue
		addr_if[${BASH_REMATCH[2]}]=${BASH_REMATCH[1]}
	done < "$d/addrs.txt"
	exp= got=
	for f in 4 6; do
		if [ "$nlive" -gt 0 ]; then
			exp+="$f 199: from all ipproto gre goto 211"$'\n'
			exp+="$f 199: from all ipproto udp sport 500 goto 211"$'\n'
			exp+="$f 199: from all ipproto udp sport 4500 goto 211"$'\n'
			exp+="$f 210: from all lookup 210"$'\n'
			exp+="$f 211: from all nop"$'\n'
		fi
		while IFS= read -r line; do
			read -ra words <<< "$line"
			line="${words[*]}"
			case $line in
			199:*|200:*|210:*|211:*|212:*) got+="$f $line"$'\n' ;;
			*"lookup 210"|*"lookup 21"[0-9][0-9][0-9]|*"lookup 22"[0-9][0-9][0-9]) got+="$f $line"$'\n' ;;
			esac
		done < "$d/rules$f.txt"
	done
	# the announcing side: paths whose local address is on their interface here
	for ((i = 0; i < n; i++)); do
		l=${P_LOCAL[i]}
		[ "${addr_if[$l]}" = "${P_IF[i]}" ] && [ -n "${ifindex[${P_IF[i]}]}" ] || continue
		[ -n "${seen_src[$l]}" ] && continue
		seen_src[$l]=1
		case $l in *:*) f=6 ;; *) f=4 ;; esac
		k=$((22000 + ${ifindex[${P_IF[i]}]}))
		exp+="$f 212: from $l lookup $k"$'\n'
		src_tables["$f $k"]=${P_IF[i]}
	done
	_mif_diff "$exp" "$got" "plugin rules (family pref: rule)"
	_MIF_OK[rules]=$?
	_MIF_OUT[rules]=$MIF_DIFF
	_mif_count cnt "$got"
	_MIF_DESC[rules]="ip rules: $cnt of the plugin (${#seen_src[@]} source rules)"

	# --- source and flow tables
	ok=0 out=
	for f in 4 6; do
		while IFS= read -r line; do
			[[ $line =~ \ table\ (2[12][0-9][0-9][0-9])\  ]] || continue
			k=${BASH_REMATCH[1]}
			if [ "$k" -lt 22000 ]; then
				ok=1
				out+=$'\n'"flow table $k: $line"
			elif [ -z "${src_tables["$f $k"]}" ]; then
				ok=1
				out+=$'\n'"IPv$f table $k without a source rule: $line"
			elif [[ $line =~ ^default\ via\ [^\ ]+\ dev\ ([^\ ]+) ]] &&
				 [ "${BASH_REMATCH[1]}" = "${src_tables["$f $k"]}" ]; then
				has_default["$f $k"]=1
			fi
		done < "$d/routes$f.txt"
	done
	for k in "${!src_tables[@]}"; do
		if [ -z "${has_default[$k]}" ]; then
			ok=1
			out+=$'\n'"source table ${k#* } (IPv${k%% *}) lacks its default route through ${src_tables[$k]}"
		fi
	done
	_MIF_OK[srctab]=$ok
	_MIF_DESC[srctab]="source tables: ${#src_tables[@]}, each with its default route, no others, no flow tables"
	_MIF_OUT[srctab]=${out#$'\n'}

	# --- db
	ok=0 out=
	exp= got=
	while read -r k i j l r line; do
		case $k in
		S) nsess=$((nsess + 1)); sid=$i ;;
		B) bind_coa[$j]=$l bind_state[$j]=$r
		   [ "$i" = "$sid" ] || { ok=1; out+=$'\n'"binding $j of session $i"; } ;;
		A) if [ "$j" = 1 ]; then
			nsas_ike=$((nsas_ike + 1)) sas_ike=$l
		   else
			got+="$r $line"$'\n'
		   fi
		   [ "$l" = "$ike_uid" ] || { ok=1; out+=$'\n'"SA ref of IKE SA $l (type $j, SPIs $r $line)"; }
		   [ "$i" = "$sid" ] || { ok=1; out+=$'\n'"SA ref of session $i"; } ;;
		*) ok=1; out+=$'\n'"sqlite: $k $i $j $l $r $line" ;;
		esac
	done < "$d/db.txt"
	[ "$nsess" = 1 ] || { ok=1; out+=$'\n'"sessions: $nsess"; }
	[ "$nsas_ike" = 1 ] && [ "$sas_ike" = "$ike_uid" ] ||
		{ ok=1; out+=$'\n'"IKE SA refs: $nsas_ike (ike_id $sas_ike, IKE SA #$ike_uid)"; }
	for ((k = 0; k < ${#c_name[@]}; k++)); do
		[ -n "${c_in[k]}" ] && exp+="$((16#${c_in[k]})) $((16#${c_out[k]:-0}))"$'\n'
	done
	_mif_diff "$exp" "$got" "CHILD SA refs (spi_in spi_out)" || { ok=1; out+=$'\n'"$MIF_DIFF"; }
	exp=1$'\n' got=
	for ((i = 0; i < n; i++)); do exp+="${P_BID[i]}"$'\n'; done
	for j in "${!bind_coa[@]}"; do got+="$j"$'\n'; done
	_mif_diff "$exp" "$got" "binding BIDs" || { ok=1; out+=$'\n'"$MIF_DIFF"; }
	if [ -n "$ike_local" ] && [ -n "${bind_coa[1]}" ]; then
		_mif_addr_hex hex "$ike_local"
		if [ "${bind_coa[1]}" != "$hex" ]; then
			ok=1
			out+=$'\n'"binding 1 care-of ${bind_coa[1]}, IKE SA on $ike_local"
		fi
	fi
	for ((i = 0; i < n; i++)); do
		j=${P_BID[i]}
		[ -n "${bind_coa[$j]}" ] || continue
		_mif_addr_hex hex "${P_LOCAL[i]}"
		if [ "${bind_coa[$j]}" != "$hex" ]; then
			ok=1
			out+=$'\n'"binding $j care-of ${bind_coa[$j]}, path local ${P_LOCAL[i]}"
		fi
		if [ "${P_STATE[i]}" = ACTIVE ] && [ "${bind_state[$j]}" != 2 ]; then
			ok=1
			out+=$'\n'"binding $j in state ${bind_state[$j]}, path ACTIVE"
		fi
	done
	_MIF_OK[db]=$ok
	_MIF_DESC[db]="libmif database: $nsess session(s), ${#bind_coa[@]} bindings, $nsas_ike IKE SA ref(s)"
	_MIF_OUT[db]=${out#$'\n'}
}

# _mif_ms VAR: milliseconds since the epoch (no fork)
_mif_ms()
{
	local -n _v=$1
	local _us=${EPOCHREALTIME/./}
	_v=$(( _us / 1000 ))
}

# mif_check_states LABEL WAIT NACTIVE HOST[:IGNORE_SPIS_FILE]...: the same
# for several hosts, gathered in parallel
mif_check_states()
{
	local label=$1 wait=$2 nactive=$3 spec h i a all t0 t1 end tries=0
	local -a hosts ignores dirs pids todo
	local -A ok desc out _MIF_OK _MIF_DESC _MIF_OUT
	local tg=0 te=0
	shift 3
	for spec in "$@"; do
		hosts+=("${spec%%:*}")
		if [[ $spec == *:* ]]; then ignores+=("${spec#*:}"); else ignores+=(""); fi
		dirs+=("$MIF_R/state/${label//[^A-Za-z0-9_.-]/_}-${spec%%:*}")
	done
	todo=("${!hosts[@]}")
	_mif_ms t0
	end=$(( t0 + wait * 1000 ))
	while :; do
		tries=$((tries + 1))
		_mif_ms t0
		pids=()
		for i in "${todo[@]}"; do
			_mif_gather "${hosts[i]}" "${dirs[i]}" &
			pids+=($!)
		done
		wait "${pids[@]}"
		_mif_ms t1
		tg=$((tg + t1 - t0))
		all=()
		for i in "${todo[@]}"; do
			_mif_split "${dirs[i]}"
			_mif_eval "${hosts[i]}" "${dirs[i]}" "$nactive" "${ignores[i]}"
			for a in "${!_MIF_OK[@]}"; do
				ok[$i:$a]=${_MIF_OK[$a]} desc[$i:$a]=${_MIF_DESC[$a]} out[$i:$a]=${_MIF_OUT[$a]}
				[ "${_MIF_OK[$a]}" = 0 ] || { [[ " ${all[*]} " == *" $i "* ]] || all+=("$i"); }
			done
		done
		_mif_ms t0
		te=$((te + t0 - t1))
		todo=("${all[@]}")
		[ ${#todo[@]} = 0 ] && break
		[ "$t0" -lt $end ] || break
		msleep 1
	done
	say "state of ${hosts[*]} ($label) after $tries poll(s): gathering ${tg} ms, evaluating ${te} ms"
	for i in "${!hosts[@]}"; do
		for a in ike paths child gre sad spd table rules srctab db; do
			_check_result "${ok[$i:$a]}" "[$label] ${hosts[i]}: ${desc[$i:$a]}" "${out[$i:$a]}"
		done
	done
	[ ${#todo[@]} = 0 ]
}

mif_check_state()
{
	local h=$1 label=${2:-state} wait=${3:-15} nactive=${4:-} ignore=${5:-}
	mif_check_states "$label" "$wait" "$nactive" "$h${ignore:+:$ignore}"
}
