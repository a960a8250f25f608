# Sourced by the tests in this folder: writes the keys C code reads and the
# options conf/plugins/*.opt describe, one a line, sorted and unique, to
# $keys/read and $keys/described. Placeholder segments are "*" in both:
# a key built with a connection name is charon.plugins.mif.connections.*.enable,
# the option connections.<name>.enable as well. Unresolved reads are lines
# starting with "?" in $keys/read (see settings-keys.awk).
# Sources: the C files under src/ but tests and fuzz targets; the options
# and the sources may be given as OPT_FILES and OPT_SOURCES (for a check of
# the checks).
set -eu
: "${srcdir:=.}"
AWK=${AWK:-awk}
keys=$(mktemp -d)
trap 'rm -rf "$keys"' EXIT
OPT_FILES=${OPT_FILES:-$(ls "$srcdir"/conf/plugins/*.opt)}
OPT_SOURCES=${OPT_SOURCES:-$(find "$srcdir/src" -name '*.c' ! -path '*/tests/*' ! -path '*/fuzz/*' | sort)}
# shellcheck disable=SC2086 # lists of paths without blanks
$AWK -f "$srcdir/tests/options/settings-keys.awk" $OPT_SOURCES |
	LC_ALL=C sort -u > "$keys/read"
for opt in $OPT_FILES; do
	$AWK -f "$srcdir/conf/format-opt.awk" -v format=keys -v root=charon.plugins "$opt"
done | sed 's/<[^>]*>/*/g' | LC_ALL=C sort -u > "$keys/described"
