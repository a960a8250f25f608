# The mif plugin's kernel objects in this host, one per line:
#   dev NAME             the GRE device of the IPv4 paths (mifgre4) and
#                        those of IPv6 paths (mif<IKE>p<BID>)
#   pol SRC DST DIR      XFRM policies with protocol GRE (paths' out/in,
#                        the block of plaintext GRE to a path's address)
#   rule4|rule6 ...      rules at the plugin's preferences (199-212)
#   route4|route6 ...    routes in table 210, path tables (21000...) and
#                        source tables (22000...)
#   sysctl V4 V6         fib_multipath_hash_policy
# (few processes: each costs up to a second under TCG)
{
	echo @link; ip -o link show
	echo @pol; ip xfrm policy
	echo @rule4; ip -4 rule show
	echo @rule6; ip -6 rule show
	echo @route4; ip -4 -o route show table all
	echo @route6; ip -6 -o route show table all
} | awk '
/^@/ { sec = substr($0, 2); next }
sec == "link" && /^[0-9]+: mif(gre4|[0-9a-f]*p[0-9a-f]*)[@:]/ {
	n = $2; sub(/[@:].*/, "", n); print "dev " n
}
sec == "pol" && /proto gre/ { s = $2 " " $4; getline; print "pol " s " " $2 }
sec ~ /^rule/ && /^(199|200|210|211|212):/ { print sec " " $0 }
sec ~ /^route/ && / table (210|2[12][0-9][0-9][0-9]) / { print sec " " $0 }
'
echo "sysctl $(< /proc/sys/net/ipv4/fib_multipath_hash_policy) $(< /proc/sys/net/ipv6/fib_multipath_hash_policy)"
