dp=$MIF_TESTING/../src/plugins/mif/tests/dataplane
if [ ! -x "$dp/dp_test" ]; then
	fail "src/plugins/mif/tests/dataplane/dp_test is built (make)"
	return 0
fi
DP_TEST=$dp/dp_test sh "$dp/guest-dp.sh" > "$MIF_R/guest-dp.log" 2>&1
rc=$?
while IFS= read -r line; do
	case $line in
	"PASS: "*) _check_result 0 "${line#PASS: }" "" ;;
	"FAIL: "*) _check_result 1 "${line#FAIL: }" \
		"$(grep -F -x -A 12 -- "$line" "$MIF_R/guest-dp.log" | tail -n +2)" ;;
	esac
done < "$MIF_R/guest-dp.log"
check "guest-dp.sh exits with 0" test $rc -eq 0
ip netns del a 2>/dev/null
ip netns del b 2>/dev/null
