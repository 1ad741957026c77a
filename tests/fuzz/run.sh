#!/usr/bin/env bash
# Run each fuzzer for SECONDS on its corpus (seeded from tests/fuzz/corpus)
# and print the executions.  Fails if a fuzzer found a crash, a hang
# (-timeout) or unbounded memory (-rss_limit_mb); the input that did it is
# kept under BUILD/fuzz/artifacts.
# Usage: run.sh BUILD_DIR SECONDS FUZZER...
set -euo pipefail
build=$1 secs=$2
shift 2
total=0
mkdir -p "$build/fuzz/artifacts"
for fuzzer in "$@"; do
	name=$(basename "$fuzzer")
	corpus=$build/fuzz/corpus-$name
	seeds=tests/fuzz/corpus/${name#fuzz_walk_}
	seeds=${seeds/fuzz_/}
	mkdir -p "$corpus"
	if [ -d "$seeds" ]; then cp -n "$seeds"/* "$corpus"/; fi
	log=$build/fuzz/$name.log
	if ! "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		-max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$build/fuzz/artifacts/$name-" "$corpus" >"$log" 2>&1; then
		echo "fuzz: $name FAILED, see $log:" >&2
		grep -E "ERROR|SUMMARY|Test unit written" "$log" >&2 || tail -20 "$log" >&2
		exit 1
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	echo "fuzz: $name: ${runs:-0} executions in ${secs}s, no crash, no hang, no OOM"
	total=$((total + ${runs:-0}))
done
echo "fuzz: $total executions in total"
