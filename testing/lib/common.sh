# Core helpers of the guest side of the harness (sourced by bash).
#
# Every host of a scenario is a network namespace. Commands run in a host
# through mif-hostexec, which gives them the host's private /run (vici
# socket, pid file), /etc/strongswan.conf and /etc/swanctl by bind mounts in
# a private mount namespace (pitfall 3, testing/README.md).
#
# Under TCG every exec of a dynamically linked program costs 0.1-0.4 s, so
# the library avoids helper processes where bash builtins do the job.

MIF_LIB=${MIF_LIB:-$MIF_TESTING/lib}
MIF_STATE=/run/mif			# per-host state: $MIF_STATE/hosts/<host>/
MIF_SCEN=${MIF_SCEN:-}			# current scenario name
MIF_R=${MIF_R:-/tmp}			# current scenario's results dir
export PATH="$MIF_BIN:$PATH"

# a file descriptor nobody writes to, for sleeping without a process
exec {_MIF_SLEEPFD}<> <(:)

# msleep SECONDS: sleep (fractions allowed) without forking
msleep()
{
	read -r -t "$1" -u $_MIF_SLEEPFD
	return 0
}

# now_ms: milliseconds since the epoch
now_ms()
{
	local t=${EPOCHREALTIME/./}
	echo $(( t / 1000 ))
}

# timestamped progress line on the console and in the steps log
say()
{
	local t=${EPOCHREALTIME#*.} line
	printf -v line '[%(%T)T.%s] %s' -1 "${t:0:3}" "$*"
	echo "$line"
	[ -d "$MIF_R" ] && echo "$line" >> "$MIF_R/steps.log"
	return 0
}

warn()
{
	say "WARNING: $*" >&2
}

# hx HOST CMD [ARG...]: run a command in HOST (argv, no shell)
hx()
{
	mif-hostexec "$@"
}

# hxs HOST 'shell command line': run a shell command line in HOST
hxs()
{
	local h=$1
	shift
	mif-hostexec "$h" bash -c "$*"
}

# swan HOST SWANCTL-ARGS...: swanctl against HOST's charon
swan()
{
	local h=$1
	shift
	mif-hostexec "$h" swanctl "$@"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds
wait_for()
{
	local end=$(( $(now_ms) + ${1%.*} * 1000 ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(now_ms)" -lt $end ] || return 1
		msleep 0.1
	done
	return 0
}

# list of all hosts created by the harness
mif_hosts()
{
	[ -d $MIF_STATE/hosts ] && ls $MIF_STATE/hosts
}
