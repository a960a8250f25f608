# strongSwan-like declarative steps.
#
# pretest.dat / posttest.dat: one step per line, "HOST::COMMAND"; COMMAND is
# a shell command line run in HOST (its own /run, strongswan.conf, swanctl
# dir, so plain `swanctl ...` talks to HOST's charon). The pseudo host
# "harness" runs the line in the harness shell, where the library functions
# (link_down, probe_send, capture_start, ...) are available.
# evaltest.dat: "HOST::COMMAND::REGEX::YES|NO", output of COMMAND must (YES)
# or must not (NO) match the extended regex; "YES~5" polls up to 5 s.
# As in strongSwan's tests, write a literal "::" (IPv6) inside a field as
# ":\:" (e.g. fd02:\:10); the harness turns it back into "::".
# Empty lines and lines starting with # are ignored.

# run_dat FILE STRICT: STRICT=yes turns a failing step into a failed check
run_dat()
{
	local file=$1 strict=$2 line h cmd rc out
	[ -f "$file" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in ''|'#'*) continue ;; esac
		h=${line%%::*}
		cmd=${line#*::}
		cmd=${cmd//:\\:/::}
		say "$h# $cmd"
		if [ "$h" = harness ]; then
			eval "$cmd" < /dev/null >> "$MIF_R/steps.log" 2>&1
			rc=$?
		else
			out=$(hxs "$h" "$cmd" < /dev/null 2>&1)
			rc=$?
			[ -n "$out" ] && echo "$out" >> "$MIF_R/steps.log"
		fi
		if [ $rc -ne 0 ] && [ "$strict" = yes ]; then
			_check_result 1 "step $h::$cmd (exit $rc)" "$out"
		fi
	done < "$file"
	return 0
}

run_eval()
{
	local file=$1 line h rest want re cmd wait
	[ -f "$file" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in ''|'#'*) continue ;; esac
		h=${line%%::*}
		rest=${line#*::}
		cmd=${rest%%::*}
		rest=${rest#*::}
		re=${rest%%::*}
		want=${rest#*::}
		cmd=${cmd//:\\:/::}
		re=${re//:\\:/::}
		wait=0
		case $want in *~*) wait=${want#*~}; want=${want%~*} ;; esac
		case $want in
		YES|NO) expect "$h" "$cmd" "$re" "$want" "$wait" < /dev/null ;;
		*) _check_result 1 "malformed evaltest line: $line" "" ;;
		esac
	done < "$file"
	return 0
}
