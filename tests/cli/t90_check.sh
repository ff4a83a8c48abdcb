# quire check: exit codes, a missing or damaged index rebuilt from the
# store by --repair, the write lock honoured by --repair.
. tests/cli/lib.sh

C="$T/c"
"$QUIRE" ingest -q -c "$C" "$FIXTURES/hostile/tweets.jsonl" >/dev/null 2>&1
check_grep "a whole corpus checks clean" '^ok: no damage found' "$QUIRE" check -c "$C"
check_exit 0 "and exits 0" "$QUIRE" check -c "$C"
check_grep "--verbose lists each block" '^block 000001\.zst:0-[0-9]+: 3 records' "$QUIRE" check -v -c "$C"
check_exit 2 "a directory that is not a corpus is a usage error" "$QUIRE" check -c "$T"

# The write lock: --repair waits for nobody.
sleep 3 | "$QUIRE" ingest -q -c "$C" - >/dev/null 2>&1 &
sleep 0.5
check_exit 4 "--repair on a corpus an ingest holds exits 4" "$QUIRE" check --repair -c "$C"
check_grep "and says the corpus is locked" 'corpus is locked' "$QUIRE" check --repair -c "$C"
wait

# A missing index: damage; --repair rebuilds it from the store.
cp -a "$C" "$T/noindex"
rm -rf "$T/noindex/index"
check_exit 3 "a missing index is damage" "$QUIRE" check -c "$T/noindex"
check_grep "and said so" "damage: the index '.*' is missing" "$QUIRE" check -c "$T/noindex"
check_grep "--repair rebuilds a missing index" '^ok: no damage found' "$QUIRE" check --repair -c "$T/noindex"
check_output "with every post" "3" sh -c "'$QUIRE' search -c '$T/noindex' -f ids -n 0 '' | wc -l"

# A damaged index: Xapian's check finds it; --repair moves it aside and
# rebuilds it, the store untouched.
cp -a "$C" "$T/badindex"
f="$T/badindex/index/postlist.glass"
dd if=/dev/zero of="$f" bs=1 count="$(stat -c %s "$f")" conv=notrunc status=none
check_exit 3 "a damaged index is damage" "$QUIRE" check -c "$T/badindex"
(cd "$T/badindex/store" && sha256sum *.zst) >"$T/before"
check_grep "--repair moves a damaged index aside and rebuilds it" 'moved to .*index\.damaged-' "$QUIRE" check --repair -c "$T/badindex"
check_exit 0 "after which the corpus checks clean" "$QUIRE" check -c "$T/badindex"
check_output "with every post" "3" sh -c "'$QUIRE' search -c '$T/badindex' -f ids -n 0 '' | wc -l"
(cd "$T/badindex/store" && sha256sum *.zst) >"$T/after"
check "and the store's bytes as they were" cmp "$T/before" "$T/after"
