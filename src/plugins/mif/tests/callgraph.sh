#!/bin/sh
# Test-suite entry: fails if the mif plugin's source files call each other in
# a cycle (DEVELOPERS.md: no call cycles between files). The file graph comes
# from the objects the plugin is built of: file A calls file B when A's
# object leaves a symbol undefined that B's object defines (nm). The graph is
# printed, then tsort(1) looks for loops.
#
# usage: callgraph.sh [OBJECT_DIR]   (default: src/plugins/mif/.libs, which
#        holds the archives of libmif-core.la and libmif-msg.la, rebuilt from
#        the current sources only, and the plugin module's own objects)

# "A B" lines on stdin (A calls B) -> loops reported, non-zero if any
check_edges()
{
	loops=$(tsort 2>&1 >/dev/null)
	if [ -n "$loops" ]; then
		echo "$loops"
		return 1
	fi
	return 0
}

# the checker must see a cycle where there is one
if printf 'a b\nb c\nc a\nc d\n' | check_edges >/dev/null ||
   ! printf 'a b\nb c\na c\n' | check_edges >/dev/null; then
	echo "FAIL: tsort does not detect cycles here"
	exit 99
fi

dir=${1:-src/plugins/mif/.libs}
set -- "$dir"/libmif-core.a "$dir"/libmif-msg.a "$dir"/libstrongswan_mif_la-*.o
if [ ! -f "$1" ] || [ ! -f "$2" ] || [ ! -f "$3" ]; then
	echo "ERROR: no objects in $dir (build first)"
	exit 99
fi

# file of a symbol: [DIR/ARCHIVE.a:]libmif_core_la-mif_paths.o:ADDR -> mif_paths
edges=$(nm -A "$@" 2>/dev/null | awk '
	NF >= 2 {
		obj = $1; sub(/:[0-9a-f]*$/, "", obj); sub(/.*[:\/]/, "", obj)
		sub(/^lib[a-z_]*_la-/, "", obj); sub(/\.o$/, "", obj)
		nodes[obj] = 1
		if ($(NF-1) == "U")
			used[obj, $NF] = 1
		else if ($(NF-1) ~ /^[A-TV-Z]$/)
			def[$NF] = obj
	}
	END {
		for (key in used)
		{
			split(key, k, SUBSEP)
			if ((k[2] in def) && def[k[2]] != k[1])
				edge[k[1] " " def[k[2]]] = 1
		}
		for (n in nodes)
			print n, n
		for (e in edge)
			print e
	}' | sort -u)

echo "file graph of the mif plugin (A B: A calls B):"
echo "$edges" | awk '$1 != $2 { print "  " $0 }'
if ! echo "$edges" | check_edges; then
	echo "FAIL: call cycle between the files above (tsort lists the loop)"
	exit 1
fi
echo "no call cycles"
exit 0
