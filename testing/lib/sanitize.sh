# Sanitizer runs (MIF_SANITIZE=1 testing/run ...): the guest has the ASan+UBSan
# build of scripts/sanitize installed, and every charon, the stock
# uninstrumented one, runs with the sanitizer runtime preloaded
# ($MIF_SAN_PRELOAD from the job), so the instrumented plugin and libmif
# can be dlopen()ed and check every access to their own and to charon's heap
# (the preloaded allocator serves the whole process).
#
#   san_tools_env         ASAN/UBSAN_OPTIONS for the scenario's instrumented
#                         tools (mifctl); charon_start sets charon's own
#   san_charon_check HOST PID
#                         fail unless charon runs with the runtime; notes
#                         whether it loaded libmif (sanitize.txt)
#   san_reports           after the hosts are gone: every report file in the
#                         results is a failed check with the report in
#                         failed.txt; none is one passed check
#
# Reports go to $MIF_R/HOST.asan.PID and HOST.ubsan.PID (mifctl and other
# instrumented tools: $MIF_R/asan.PID, ubsan.PID).

# ASan in charon:
# - detect_leaks=1: LeakSanitizer runs when charon exits on the harness'
#   SIGTERM (topo_cleanup, charon_stop); stock charon 5.9.8 frees everything
#   by then (no report in demo), so a report is the plugin's or libmif's.
#   A charon still busy after 5 s is SIGKILLed and not checked.
#   tests/lsan.supp applies as in make check.
# - quarantine_size_mb=32: by default ASan holds back 256 MiB of freed
#   memory per process; the charons of a scenario share the 1 GiB guest
#   with its tmpfs root, captures and tools
# - allow_user_segv_handler=0: charon installs its own SIGSEGV handler,
#   which writes a backtrace into charon's log only; ASan's writes a report
# - handle_abort=1: an abort() (assertion, strongSwan's own checks) as well
# - check_printf=0: strongSwan's printf hooks (%H, %Y, %B, ...) are unknown
#   to ASan's printf checker, which would write a warning into the report
MIF_SAN_ASAN="detect_leaks=1:quarantine_size_mb=32:allow_user_segv_handler=0:handle_abort=1:check_printf=0:halt_on_error=1:abort_on_error=0"
MIF_SAN_UBSAN="halt_on_error=1:print_stacktrace=1"
MIF_SAN_LSAN="suppressions=$MIF_TESTING/../tests/lsan.supp:print_suppressions=0"

# instrumented tools run by scenarios (mifctl) report into the results too
san_tools_env()
{
	[ "${MIF_SANITIZE:-0}" = 1 ] || return 0
	export ASAN_OPTIONS="$MIF_SAN_ASAN:log_path=$MIF_R/asan"
	export UBSAN_OPTIONS="$MIF_SAN_UBSAN:log_path=$MIF_R/ubsan"
	export LSAN_OPTIONS=$MIF_SAN_LSAN
}

san_charon_check()
{
	local h=$1 pid=$2 maps
	maps=$(< "/proc/$pid/maps") 2>/dev/null
	if [[ $maps != *libasan* && $maps != *clang_rt.asan* ]]; then
		_check_result 1 "$h: charon (pid $pid) runs with the ASan runtime" \
			"LD_PRELOAD=$MIF_SAN_PRELOAD"
		return 1
	fi
	if [[ $maps == */libmif.so* ]]; then
		echo "$h: charon pid $pid, ASan+UBSan runtime, instrumented libmif/plugin loaded" >> "$MIF_R/sanitize.txt"
	else
		echo "$h: charon pid $pid, ASan+UBSan runtime, no mif plugin" >> "$MIF_R/sanitize.txt"
	fi
	return 0
}

san_reports()
{
	local f n=0 first line plugin=0
	for f in "$MIF_R"/*asan.[0-9]* "$MIF_R"/*ubsan.[0-9]*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		first=$(grep -m 1 -E 'ERROR: |runtime error: |WARNING: ' "$f")
		first=${first#*==[0-9]*==}
		echo "FAIL sanitizer report ${f##*/}" >> "$MIF_R/checks.log"
		{
			echo "FAIL sanitizer report ${f##*/}: ${first:-see the file}"
			sed 's/^/    /' "$f"
		} >> "$MIF_R/failed.txt"
		say "  FAIL sanitizer report ${f##*/}: $first"
	done
	if [ $n -eq 0 ]; then
		if [ -f "$MIF_R/sanitize.txt" ]; then
			while IFS= read -r line; do
				[[ $line == *libmif* ]] && plugin=$((plugin + 1))
			done < "$MIF_R/sanitize.txt"
		fi
		_check_result 0 "sanitizers: no ASan/UBSan report ($plugin charon(s) ran the instrumented plugin)" \
			"$(cat "$MIF_R/sanitize.txt" 2>/dev/null)"
	fi
}
