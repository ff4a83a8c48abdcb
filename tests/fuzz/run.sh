#!/bin/sh
# make fuzz: run each libFuzzer target for FUZZ_SECONDS (60) on seeds made
# from the fixtures; report executions and crashes.  Every crash, leak or
# timeout found is copied to tests/fuzz/regressions/<target>/, which make
# test replays.
B=${1:-build/fuzz}
SECS=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"twitter_v1 readers container store query bluesky"}
root=$(pwd)
sh tests/fuzz/seeds.sh "$B/seeds" "$root/build/quire" || exit 1
total=0
for t in $TARGETS; do
	bin="$B/tests/fuzz/fuzz_$t"
	mkdir -p "$B/corpus/$t" "$B/artifacts/$t"
	rm -f "$B/artifacts/$t"/*
	# A target without a regression input yet has no folder (git keeps
	# no empty ones): libFuzzer stops at a folder that is not there.
	regs="tests/fuzz/regressions/$t"
	[ -d "$regs" ] || regs=
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions="$root/tests/lsan.supp" "$bin" -max_total_time="$SECS" -print_final_stats=1 -max_len=65536 -timeout=20 \
		-rss_limit_mb=2048 -artifact_prefix="$B/artifacts/$t/" "$B/corpus/$t" "$B/seeds/$t" \
		$regs >"$B/fuzz-$t.log" 2>&1
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/fuzz-$t.log" | tail -1)
	found=$(ls "$B/artifacts/$t" 2>/dev/null | wc -l)
	for a in "$B/artifacts/$t"/*; do
		[ -f "$a" ] && mkdir -p "tests/fuzz/regressions/$t" && cp "$a" "tests/fuzz/regressions/$t/"
	done
	total=$((total + found))
	echo "fuzz $t: ${execs:-0} executions in $SECS s, $found crashes$([ "$found" -gt 0 ] && echo " (copied to tests/fuzz/regressions/$t/; see $B/fuzz-$t.log)")"
done
echo "fuzz: $total crashes"
[ "$total" -eq 0 ]
