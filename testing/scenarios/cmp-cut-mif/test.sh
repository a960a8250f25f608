. "$MIF_SCEN_DIR/../cmp-common.sh"
cmp_run cut mif
