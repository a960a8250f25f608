#!/bin/sh
# Every option a conf/plugins/NAME.opt describes is read by C code (but
# charon.plugins.NAME.load, which charon's plugin loader reads).
. "${srcdir:-.}/tests/options/keys.sh"

cut -f1 "$keys/read" | LC_ALL=C sort -u > "$keys/read-keys"
unread=$(grep -v '^charon\.plugins\.[^.]*\.load$' "$keys/described" |
	LC_ALL=C comm -23 - "$keys/read-keys")
if [ -n "$unread" ]; then
	echo "options described in conf/plugins/*.opt that no code reads:"
	echo "$unread" | sed 's/^/  /'
fi
[ -z "$unread" ]
