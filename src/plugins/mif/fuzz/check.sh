#!/bin/sh
# Test-suite entry: a short bounded run of every fuzz target (see run beside it).
# Skips if clang with libFuzzer is not installed; fails on any finding.
fuzz=$(cd "$(dirname "$0")" && pwd)
clang=${CLANG:-clang}

if ! command -v "$clang" >/dev/null 2>&1; then
	echo "SKIP: $clang not found"
	exit 77
fi
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long s){return 0;}' |
	"$clang" -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then
	echo "SKIP: $clang has no libFuzzer runtime (libclang-rt-dev)"
	exit 77
fi
FUZZ_TIME=${FUZZ_CHECK_TIME:-5} FUZZ_OUT=${FUZZ_OUT:-$PWD/src/plugins/mif/fuzz/out} \
	exec "$fuzz/run"
