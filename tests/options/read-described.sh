#!/bin/sh
# Every plugin option C code reads (charon.plugins.*) is described in a
# conf/plugins/NAME.opt, from which mif.conf and strongswan-mif(5) are made.
. "${srcdir:-.}/tests/options/keys.sh"

bad=$(cut -f1 "$keys/read" | grep '^?' || true)
missing=$(cut -f1 "$keys/read" | grep '^charon\.plugins\.' | LC_ALL=C sort -u |
	LC_ALL=C comm -23 - "$keys/described")
if [ -n "$bad" ]; then
	echo "settings reads whose key is not known (use whole key strings):"
	grep '^?' "$keys/read" | cut -f2-
fi
if [ -n "$missing" ]; then
	echo "options read by the code but described in no conf/plugins/*.opt:"
	for key in $missing; do
		grep -F "$key	" "$keys/read" | sed 's/^/  /'
	done
fi
[ -z "$bad$missing" ]
