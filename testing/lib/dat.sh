# strongSwan-like declarative steps.
#
# pretest.dat / posttest.dat: one step per line, "HOST::COMMAND"; COMMAND is
# a shell command line run in HOST (its own /run, strongswan.conf, swanctl
# dir, so plain `swanctl ...` talks to HOST's charon). The pseudo host
# "harness" runs the line in the harness shell, where the library functions
# (link_down, probe_send, capture_start, ...) are available.
# evaltest.dat: "HOST::COMMAND::REGEX::WANT", a table of checks. WANT is YES
# (the output of COMMAND matches the extended regex), NO (it does not) or =N
# (exactly N lines of it match); "YES~5", "NO~5", "=1~5" poll up to 5 s.
# A line "[NAME]" starts a section: its checks run when test.sh calls
# "evaltest NAME" (checks between the steps of a procedure); the lines
# before the first section and those of the section "[end]" run after
# test.sh. A section that test.sh never evaluates is a failed check.
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

# run_eval FILE [SECTION]: the checks of SECTION (none: the lines before the
# first section and of [end], and a failed check for each other section
# that test.sh never evaluated)
run_eval()
{
	local file=$1 section=${2-} line cur= h rest want re cmd wait
	[ -f "$file" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		''|'#'*) continue ;;
		'['*']')
			cur=${line:1:${#line}-2}
			[ "$cur" = end ] && cur=
			if [ -n "$cur" ] && [ -z "$section" ] && ! grep -qsxF -- "$cur" "$MIF_STATE/evaltest-done"; then
				_check_result 1 "evaltest.dat section [$cur] evaluated (test.sh: evaltest $cur)" ""
			fi
			continue
			;;
		esac
		[ "$cur" = "$section" ] || continue
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
		YES|NO|=[0-9]|=[0-9][0-9]) expect "$h" "$cmd" "$re" "$want" "$wait" < /dev/null ;;
		*) _check_result 1 "malformed evaltest line: $line" "" ;;
		esac
	done < "$file"
	return 0
}

# evaltest NAME: in test.sh, run the checks of section [NAME] of the
# scenario's evaltest.dat
evaltest()
{
	case $1 in ''|end) fail "evaltest: no section name or [end] (${1:-none})"; return 1 ;; esac
	grep -qsxF -- "[$1]" "$MIF_SCEN_DIR/evaltest.dat" ||
		{ fail "evaltest.dat has a section [$1]"; return 1; }
	say "evaltest [$1]"
	mkdir -p "$MIF_STATE"
	echo "$1" >> "$MIF_STATE/evaltest-done"
	run_eval "$MIF_SCEN_DIR/evaltest.dat" "$1"
}
