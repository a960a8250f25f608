# The standard topology without mn's global IPv6 addresses: this is the
# IPv4 baseline (mobike-v6 is the IPv6 one). With them, MOBIKE probes the
# IPv6 pairs too and takes whichever answers first: in one run the IKE SA
# moved to fd02::10 === fd00::1 and the IPv4 checks failed.
topology()
{
	topo_standard || return 1
	_q mn addr del fd01::10/64 dev wlan0
	_q mn addr del fd02::10/64 dev lte0
}
