# bench/mif-dpcost.sh with N from bench/guest-bench (DPCOST_N), else small
DPCOST_N=100 DPCOST_VARIANTS="gre gre-group gre-xfrm mark nftmap ifid gremd"
[ -f "/out/.bench-env.$MIF_SCEN" ] && . "/out/.bench-env.$MIF_SCEN"
say "mif-dpcost.sh N=$DPCOST_N variants=$DPCOST_VARIANTS"
"$MIF_TESTING/../bench/mif-dpcost.sh" -o "$MIF_R/dpcost.txt" -v "$DPCOST_VARIANTS" $DPCOST_N \
	> "$MIF_R/dpcost.log" 2>&1
cat "$MIF_R/dpcost.log" "$MIF_R/dpcost.txt" >> "$MIF_R/steps.log"
for n in $DPCOST_N; do
	for v in $DPCOST_VARIANTS; do
		line=$(grep "^dpcost n=$n variant=$v " "$MIF_R/dpcost.txt")
		check "dpcost $v N=$n measured" test -n "$line"
		check "dpcost $v N=$n: every object deleted (links/states/policies left: ${line##*=})" \
			test "${line##*=}" = "0/0/0"
	done
done
check "dpcost: no errors from ip/nft" test ! -s "$MIF_R/dpcost.log"
for v in $DPCOST_VARIANTS; do
	line=$(grep "^dpcost n=${DPCOST_N##* } variant=$v " "$MIF_R/dpcost.txt")
	[ -n "$line" ] || continue
	k=${v//-/_}
	metric "dpcost_${k}_kb" "$(sed 's/.* kb_per_path=\([^ ]*\).*/\1/' <<< "$line")"
	metric "dpcost_${k}_create_ms" "$(sed 's/.* per_path_create_ms=\([^ ]*\).*/\1/' <<< "$line")"
	metric "dpcost_${k}_delete_ms" "$(sed 's/.* per_path_delete_ms=\([^ ]*\).*/\1/' <<< "$line")"
done
