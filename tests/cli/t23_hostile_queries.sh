# Hostile queries end within 2 s with a clear error or a bounded answer.
. tests/cli/lib.sh

C="$T/c"
# One post holding 1,500 words that start with "a", so that a* expands past
# the bound, and the query fixture.
awk 'BEGIN { printf "{\"created_at\":\"Wed Jun 03 12:00:00 +0000 2020\",\"id_str\":\"1400000000000000001\",\"full_text\":\"";
	for (i = 0; i < 1500; i++) printf "a%04d ", i;
	printf "\",\"user\":{\"id_str\":\"9\",\"screen_name\":\"wordy\",\"name\":\"Wordy\"},\"entities\":{}}\n" }' >"$T/wordy.jsonl"
ingest_or_exit "ingest the fixtures" "$C" "$FIXTURES/query/posts.jsonl" "$T/wordy.jsonl"
export QUIRE_CORPUS="$C"

# hostile DESC WANT-EXIT PATTERN QUERY: ends within 2 s with that exit code
# and a message (or output) matching PATTERN.
hostile() {
	d=$1 want=$2 pat=$3 q=$4
	start=$(date +%s%N)
	out=$(timeout 2 "$QUIRE" search -f ids -n 100 "$q" 2>&1); rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	if [ "$rc" -eq 124 ]; then
		not_ok "$d (still running after 2 s)"
	elif [ "$rc" -ne "$want" ] || ! printf '%s\n' "$out" | grep -Eq -- "$pat"; then
		not_ok "$d (exit $rc, wanted $want)" "$(printf '%s\n' "$out" | head -5)"
	else
		ok "$d ($ms ms)"
	fi
}

q100k=$(awk 'BEGIN { for (i = 0; i < 10240; i++) printf "fancams   "; }')
hostile "a 100 KB query is refused" 2 'it is 102400 bytes long, the most is 65536' "$q100k"
q10k=$(awk 'BEGIN { for (i = 0; i < 10000; i++) printf "w%d ", i; }')
hostile "10,000 terms give a bounded answer" 1 '^$' "$q10k"
q10kor=$(awk 'BEGIN { for (i = 0; i < 4000; i++) printf "%sw%d", i ? " OR " : "", i; printf " OR fancams" }')
hostile "4,000 ORed terms give a bounded answer" 0 '^1267900000000000002$' "$q10kor"
q10001=$(awk 'BEGIN { for (i = 0; i < 10001; i++) printf "w%d ", i; }')
hostile "10,001 terms are refused" 2 'more than 10000 words, fields and operators' "$q10001"
deep=$(awk 'BEGIN { for (i = 0; i < 5000; i++) printf "("; printf "fancams"; for (i = 0; i < 5000; i++) printf ")"; }')
hostile "5,000 nested parentheses are refused" 2 'parentheses nest deeper than 64 \(column 65\)' "$deep"
deep64=$(awk 'BEGIN { for (i = 0; i < 64; i++) printf "("; printf "fancams"; for (i = 0; i < 64; i++) printf ")"; }')
hostile "64 nested parentheses are fine" 0 '1267900000000000002' "$deep64"
hostile "a* past 1000 words is a clear error" 2 'a wildcard matches more than 1000 words: make it longer' 'a*'
hostile "a00* stays within the bound" 0 '^1400000000000000001$' 'a00*'
manyw=$(awk 'BEGIN { for (i = 0; i < 2000; i++) printf "%sb%d*", i ? " OR " : "", i % 10 }')
hostile "2,000 wildcards are refused" 2 'more than 32 wildcards' "$manyw"
ops=$(awk 'BEGIN { for (i = 0; i < 4000; i++) printf "AND "; }')
hostile "a run of operators is a parse error" 2 "'AND' has nothing on its left \\(column 1\\)" "$ops"
hostile "unbalanced brackets are a parse error" 2 "'\\)' closes nothing" ')))))((((('
hostile "a query of quotes gives a bounded answer" 1 '^$' "$(awk 'BEGIN { for (i = 0; i < 3000; i++) printf "\""; }')"
hostile "invalid UTF-8 is refused" 2 'not valid UTF-8' "$(printf 'fan\377cams')"
hostile "control characters are escaped in errors" 2 "is: takes .*not 'x\\\\ex'" "$(printf 'is:x\033x')"
hostile "a huge date is refused" 2 'is not a date or time' 'date:99999-01-01'
hostile "a date before year 1 is refused" 2 'is not a date or time' 'date:0000-01-01'
hostile "a long field value is hashed, not refused" 1 '^$' "hashtag:$(awk 'BEGIN { for (i = 0; i < 3000; i++) printf "x" }')"
check_exit 2 "a 4 GB --limit is refused" "$QUIRE" search --limit 4294967296 fancams
check "a huge --limit is bounded by the results" timeout 2 "$QUIRE" search -f ids --limit 4294967295 fancams

