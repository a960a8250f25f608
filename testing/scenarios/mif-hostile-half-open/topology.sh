. ../hostile-common.sh

topology()
{
	topo_standard
	hostile_install
}
