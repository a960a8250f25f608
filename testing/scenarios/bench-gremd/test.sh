# bench/gremd-proof.sh in its own namespaces: PASS/FAIL lines become checks
"$MIF_TESTING/../bench/gremd-proof.sh" > "$MIF_R/proof.txt" 2>&1
cat "$MIF_R/proof.txt" >> "$MIF_R/steps.log"
while IFS= read -r line; do
	case $line in
	"PASS: "*) _check_result 0 "${line#PASS: }" "" ;;
	"FAIL: "*) _check_result 1 "${line#FAIL: }" "$(grep -F -x -A 8 -- "$line" "$MIF_R/proof.txt" | tail -n +2)" ;;
	"INFO: "*) say "${line#INFO: }" ;;
	esac
done < "$MIF_R/proof.txt"
check "gremd-proof.sh ran to the end without failures" grep -qx 'fails=0' "$MIF_R/proof.txt"
