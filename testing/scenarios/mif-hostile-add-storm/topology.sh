. ../hostile-common.sh

topology()
{
	topo_standard
	# the victim whose address the attacker claims
	lan_attach v eth0 10.0.0.66/24
	hostile_install
}
