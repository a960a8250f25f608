topology()
{
	topo_standard
	# v will receive what gw sends to 10.2.0.10 once rl routes it there
	node v
	link rl:eth2 v:eth0
	addr v eth0 10.2.0.10/32
	route v 10.2.0.1/32 dev eth0
	route v default via 10.2.0.1 dev eth0
}
