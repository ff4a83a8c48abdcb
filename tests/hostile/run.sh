#!/bin/sh
# Hostile archives.  Each case tests/hostile/NN_name.sh builds its input at
# test time (zip, tar, gzip, zstd, or python3's zipfile/tarfile for odd
# headers) in build(), and names it (INPUT, or STDIN_CMD for a stream) with
# the ingest options (ARGS).  tests/hostile/NN_name.expected holds the exit
# status and every message it must give, paths and timings made generic
# (REGEN=1 rewrites them).  Every case must match, stay under 256 MB of
# memory (/usr/bin/time), keep sources.jsonl and rejects.jsonl valid JSON,
# and write nothing outside the corpus.
# Prints: hostile: N cases, N matched, peak memory M MB, written outside: 0
# Parameters: ONLY (a pattern of case names).
. tests/cli/lib.sh

HOSTILE="$ROOT/tests/hostile"
TWEETS="$FIXTURES/hostile/tweets.jsonl"
ONLY=${ONLY:-}
MAX_RSS_KB=$((256 * 1024))
TIME=/usr/bin/time
[ -x "$TIME" ] || TIME=""
# Sanitizers keep freed memory in quarantine: the bound is for real builds.
case $B in *asan* | *ubsan* | *coverage*) MAX_RSS_KB=$((4096 * 1024)) ;; esac
export TWEETS

cases=0 matched=0 peak=0 outside=0 badjson=0 heavy=0

for f in "$HOSTILE"/[0-9]*.sh; do
	name=$(basename "$f" .sh)
	[ -n "$ONLY" ] && ! echo "$name" | grep -q -- "$ONLY" && continue
	cases=$((cases + 1))
	W="$T/$name"
	mkdir -p "$W/in" "$W/cwd"
	INPUT="" ARGS="" STDIN_CMD="" CANARY=""
	. "$f"
	if ! (cd "$W/in" && build) >"$W/build.log" 2>&1; then
		not_ok "$name: the input builds" "$(cat "$W/build.log")"
		continue
	fi
	touch "$W/stamp"
	# Run from an empty directory, so that anything written outside the
	# corpus shows.
	(
		cd "$W/cwd" || exit 1
		if [ -n "$STDIN_CMD" ]; then
			sh -c "$STDIN_CMD" | ${TIME:+$TIME -f %M -o "$W/rss"} timeout 120 "$QUIRE" ingest -c corpus $ARGS - \
				>"$W/out" 2>"$W/err"
		else
			${TIME:+$TIME -f %M -o "$W/rss"} timeout 120 "$QUIRE" ingest -c corpus $ARGS "$W/in/$INPUT" \
				>"$W/out" 2>"$W/err"
		fi
		echo $? >"$W/rc"
	)
	rc=$(cat "$W/rc")
	{
		echo "exit: $rc"
		sed 's/ ([0-9.]* MB in [0-9.]* s, [0-9]* records\/s)//' "$W/out"
		cat "$W/err"
	} | sed -e "s|$W/in/|<in>/|g" -e "s|$W/cwd/corpus|<corpus>|g" -e "s|$T|<tmp>|g" >"$W/got"
	exp="$HOSTILE/$name.expected"
	if [ "${REGEN:-0}" = 1 ]; then
		cp "$W/got" "$exp"
	fi
	if cmp -s "$exp" "$W/got"; then
		matched=$((matched + 1))
		ok "$name"
	else
		not_ok "$name: the outcome is as expected" "$(diff "$exp" "$W/got" 2>&1 | head -20)"
	fi
	# Memory.
	if [ -n "$TIME" ] && [ -s "$W/rss" ]; then
		kb=$(tail -1 "$W/rss")
		[ "$kb" -gt "$peak" ] && peak=$kb
		[ "$kb" -gt "$MAX_RSS_KB" ] && { heavy=$((heavy + 1)); not_ok "$name: under $((MAX_RSS_KB / 1024)) MB ($((kb / 1024)) MB)"; }
	fi
	# Nothing outside the corpus: no file newer than the stamp but the
	# corpus and what this script wrote.
	find "$T" -newer "$W/stamp" ! -type d | grep -v -e "^$W/cwd/corpus/" -e "^$W/rss$" -e "^$W/out$" -e "^$W/err$" \
		-e "^$W/rc$" -e "^$W/got$" -e "^$W/outside$" >"$W/outside"
	if [ -n "$CANARY" ]; then
		(cd "$W/cwd/corpus" 2>/dev/null && [ -e "$CANARY" ]) && echo "$CANARY" >>"$W/outside"
		case $CANARY in /*) [ -e "$CANARY" ] && echo "$CANARY" >>"$W/outside" ;; esac
	fi
	if [ -s "$W/outside" ]; then
		outside=$((outside + 1))
		not_ok "$name: nothing written outside the corpus" "$(head -5 "$W/outside")"
	fi
	# The logs stay valid JSON whatever the names and bytes.
	for log in sources.jsonl rejects.jsonl; do
		[ -f "$W/cwd/corpus/$log" ] || continue
		if command -v jq >/dev/null 2>&1 && ! jq -e . "$W/cwd/corpus/$log" >/dev/null 2>&1; then
			badjson=$((badjson + 1))
			not_ok "$name: $log is valid JSON"
		fi
	done
	# Big inputs are not kept for the next case.
	rm -rf "$W/in" "$W/cwd/corpus/store" "$W/cwd/corpus/index"
done

echo "# hostile: $cases cases, $matched matched, peak memory $((peak / 1024)) MB, written outside: $outside, invalid logs: $badjson"
[ "$matched" -eq "$cases" ] && ok "every hostile case as expected ($matched of $cases)" ||
	not_ok "every hostile case as expected ($matched of $cases)"
[ $heavy -eq 0 ] && [ -n "$TIME" ] && ok "peak memory under $((MAX_RSS_KB / 1024)) MB ($((peak / 1024)) MB)"
