. ../hostile-common.sh

topology()
{
	topo_standard
	# the flooder and a second, honest client on the core segment
	lan_attach fl eth0 10.0.0.66/24
	lan_attach c2 eth0 10.0.0.77/24
}
