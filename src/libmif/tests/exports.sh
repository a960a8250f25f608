#!/bin/sh
# libmif.so exports exactly what its users need: every libmif symbol that a
# module of the suite (the mif plugin, the test plugin of the hostile
# scenarios) or a tool leaves undefined is exported by libmif.so, and
# libmif.so exports nothing that src/libmif/libmif.map does not list. A
# plugin that used a hidden symbol would link, and then fail to load in
# charon; this test fails first.
# Run by make check from the top build directory.
set -u
lib=src/libmif/.libs/libmif.so
users="src/plugins/mif/.libs/libstrongswan-mif.so testing/hostile/.libs/libstrongswan-mif-hostile.so"
map=${srcdir:-.}/src/libmif/libmif.map
rc=0

[ -f "$lib" ] || { echo "SKIP: $lib not built"; exit 77; }
exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | sort -u)
listed=$(sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);.*/\1/p' "$map" | sort -u)

for user in $users; do
	[ -f "$user" ] || continue
	# the libmif symbols a user leaves for the loader to resolve
	for sym in $(nm -D --undefined-only "$user" | awk '{print $2}' |
				 grep -E '^(lib)?mif_?' | sed 's/@.*//'); do
		# the user's own mif_* symbols (plugin code) are defined there
		nm -D --defined-only "$user" | awk '{print $3}' | grep -qx "$sym" && continue
		if ! echo "$exported" | grep -qx "$sym"; then
			echo "FAIL: $user needs $sym, which libmif.so does not export"
			rc=1
		fi
	done
done
for sym in $exported; do
	if ! echo "$listed" | grep -qx "$sym"; then
		echo "FAIL: libmif.so exports $sym, which libmif.map does not list"
		rc=1
	fi
done
for sym in $listed; do
	if ! echo "$exported" | grep -qx "$sym"; then
		echo "FAIL: libmif.map lists $sym, which libmif.so does not define"
		rc=1
	fi
done
[ $rc -eq 0 ] && echo "libmif.so exports $(echo "$exported" | wc -l) symbols, all listed, none missing for its users"
exit $rc
