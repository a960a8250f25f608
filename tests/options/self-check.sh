#!/bin/sh
# The checks of this folder see what they are for: run on fixture/ (a .opt
# and a C file with one case of each kind), each rule fails and names
# exactly the options it must name, and nothing else.
set -eu
: "${srcdir:=.}"
dir=$srcdir/tests/options
out=$(mktemp)
trap 'rm -f "$out"' EXIT
export OPT_FILES="$dir/fixture/plugins/fix.opt" OPT_SOURCES="$dir/fixture/reads.c"
status=0

expect() {	# test script, expected output
	if sh "$dir/$1" > "$out" 2>&1; then
		echo "$1 passed on the fixture, it must fail"
		status=1
	elif [ "$(cat "$out")" != "$2" ]; then
		echo "$1 on the fixture said:"; cat "$out"
		echo "expected:"; echo "$2"
		status=1
	fi
}

expect read-described.sh "settings reads whose key is not known (use whole key strings):
$OPT_SOURCES: settings read of key other_key
options read by the code but described in no conf/plugins/*.opt:
  charon.plugins.fix.part.*	$OPT_SOURCES
  charon.plugins.fix.undescribed	$OPT_SOURCES"
expect described-read.sh "options described in conf/plugins/*.opt that no code reads:
  charon.plugins.fix.described_unread"
exit $status
