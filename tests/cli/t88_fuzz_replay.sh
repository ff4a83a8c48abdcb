# The fuzz targets' functions replayed without libFuzzer on every
# regression input (tests/fuzz/regressions/) and on the seeds.
. tests/cli/lib.sh
sh tests/fuzz/seeds.sh "$T/seeds" "$QUIRE" >"$T/seeds.log" 2>&1 || not_ok "the seeds build" "$(cat "$T/seeds.log")"
for t in twitter_v1 readers container store query bluesky; do
	bin="$ROOT/$B/tests/fuzz/replay_$t"
	if [ ! -x "$bin" ]; then
		not_ok "replay_$t is built"
		continue
	fi
	# A target without a regression input yet has no folder (git keeps
	# no empty ones).
	regs="$ROOT/tests/fuzz/regressions/$t"
	[ -d "$regs" ] || regs=
	out=$("$bin" $regs "$T/seeds/$t" 2>&1)
	if [ $? -eq 0 ]; then
		ok "fuzz target $t: $(printf '%s\n' "$out" | tail -1)"
	else
		not_ok "fuzz target $t replays its regressions and seeds" "$out"
	fi
done
