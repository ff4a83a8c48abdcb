# quire ingest --threads: a load into an empty corpus by two index writers
# gives what one thread gives, as the query side sees it (tests/unit/
# test_bulk.c compares the documents, terms and store themselves); what a
# killed load leaves; the option's bad values.
. tests/cli/lib.sh

IN="$T/in"
mkdir -p "$IN"
sh tests/gen_posts.sh 3000 5 >"$IN/a.jsonl"
# The same posts again (duplicates), and some of them collected later with
# other counts (new versions).
head -n 400 "$IN/a.jsonl" >"$IN/b.jsonl"
sed -n '200,600p' "$IN/a.jsonl" | sed 's/"retweet_count":\([0-9]*\)/"retweet_count":1\1/' >>"$IN/b.jsonl"
cp "$FIXTURES/twitter-v2/pages.jsonl" "$IN/c.jsonl"

for t in 1 2; do
	"$QUIRE" ingest -q --threads "$t" -c "$T/c$t" --events "$FIXTURES/events" "$IN/a.jsonl" "$IN/b.jsonl" \
		"$IN/c.jsonl" >"$T/out$t" 2>"$T/err$t"
	rc=$?
	[ "$rc" -eq 0 ] && ok "--threads $t: ingest exits 0" || not_ok "--threads $t: ingest exits $rc" "$(cat "$T/err$t")"
done
check_grep "the inputs hold duplicates and new versions" ' [1-9][0-9]* updated, [1-9][0-9]* duplicates' cat "$T/out1"
sed 's/ in [0-9.]* s, [0-9]* records\/s//' "$T/out1" >"$T/sum1"
sed 's/ in [0-9.]* s, [0-9]* records\/s//' "$T/out2" >"$T/sum2"
check "the same counts with two writers" cmp "$T/sum1" "$T/sum2"

# Every post as search prints it, in id order (the order of hits that weigh
# the same follows internal numbers, which differ).
posts() { "$QUIRE" search -c "$1" -f jsonl -n 0 --no-locator "$2" | sed 's/^{"rank":[0-9]*,/{/' | sort; }
posts "$T/c1" '' >"$T/p1"
posts "$T/c2" '' >"$T/p2"
[ "$(wc -l <"$T/p1")" -gt 3000 ] && ok "the corpus holds the posts" || not_ok "the corpus holds the posts" "$(wc -l <"$T/p1")"
if cmp -s "$T/p1" "$T/p2"; then ok "two writers: the same posts, field by field"; else
	not_ok "two writers: the same posts, field by field" "$(diff "$T/p1" "$T/p2" | head -5)"; fi
for q in 'fancam' '"iwatch dallas"' 'event:gen-iwatch' '#WhiteLivesMatter date:2020-06-03'; do
	"$QUIRE" search -c "$T/c1" -f ids -n 0 --sort oldest "$q" | sort >"$T/q1"
	"$QUIRE" search -c "$T/c2" -f ids -n 0 --sort oldest "$q" | sort >"$T/q2"
	if [ -s "$T/q1" ] && cmp -s "$T/q1" "$T/q2"; then ok "two writers: the same hits for $q"; else
		not_ok "two writers: the same hits for $q" "$(diff "$T/q1" "$T/q2" | head -5)"; fi
done
check_output "the same count of posts" "$("$QUIRE" count -c "$T/c1")" "$QUIRE" count -c "$T/c2"
check "nothing of the load is left behind" test ! -e "$T/c2/bulk.tmp"
if command -v xapian-check >/dev/null 2>&1; then
	check "xapian-check passes on the merged index" xapian-check "$T/c2/index"
else
	skip "xapian-check passes on the merged index" "xapian-check is not installed"
fi

# A second ingest into a corpus that holds posts goes through one writer,
# and re-reading changes nothing.
check "a second ingest into the merged corpus" "$QUIRE" ingest -q -c "$T/c2" --force "$IN/b.jsonl"
posts "$T/c2" '' >"$T/p3"
check "and changes nothing" cmp "$T/p1" "$T/p3"

# Killed in the middle of a load: readers see no post of it, the next
# ingest indexes what the store holds and reads the input to its end.
sh tests/gen_posts.sh 20000 9 >"$IN/big.jsonl"
"$QUIRE" ingest -q -c "$T/k" "$IN/big.jsonl" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
cnt=$("$QUIRE" count -c "$T/k" 2>&1 | tr -d ,)
if [ "$cnt" = 0 ] || [ "$cnt" = 20000 ]; then ok "readers see none of a killed load, or all of it ($cnt)"; else
	not_ok "readers see none of a killed load, or all of it" "$cnt"; fi
"$QUIRE" ingest -q -c "$T/k" "$IN/big.jsonl" >"$T/kout" 2>&1
check_output "the next ingest ends it: every post is in" "20000" sh -c "'$QUIRE' count -c '$T/k' | tr -d ,"
check "no scratch databases are left" test ! -e "$T/k/bulk.tmp"

# ---- the option ----
check_exit 2 "--threads 0 is a usage error" "$QUIRE" ingest -c "$T/u" --threads 0 "$IN/a.jsonl"
check_exit 2 "--threads 65 is a usage error" "$QUIRE" ingest -c "$T/u" --threads 65 "$IN/a.jsonl"
check_exit 2 "--threads x is a usage error" "$QUIRE" ingest -c "$T/u" --threads x "$IN/a.jsonl"
check_grep "the help names it" '--threads N' "$QUIRE" ingest -h
