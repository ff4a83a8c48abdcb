# The query language against a corpus of sixteen known tweets
# (tests/fixtures/query/README.md lists them): every field, dates and
# times, time zones, operators, CJK, and the errors.
. tests/cli/lib.sh

C="$T/c"
ingest_or_exit "ingest the query fixture" "$C" "$FIXTURES/query/posts.jsonl"
export QUIRE_CORPUS="$C"

# count_is WANT QUERY [OPTIONS...]: quire count prints WANT.
count_is() {
	want=$1 q=$2; shift 2
	check_output "count $* '$q' = $want" "$want" "$QUIRE" count "$@" "$q"
}

# ids_are 'ID ...' QUERY [OPTIONS...]: search finds exactly these posts
# (the last digits of the fixture ids), oldest first.
ids_are() {
	want=$1 q=$2; shift 2
	got=$("$QUIRE" search -f ids --limit 0 --sort oldest "$@" "$q" 2>&1 | sed 's/^1267900000000000*//; s/^1688000000000000*//' | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" = "$want" ]; then ok "search $* '$q' finds $want"; else not_ok "search $* '$q' finds $want" "got: $got"; fi
}

# -- everything, words, stemming, phrases, proximity
count_is 16 ''
ids_are "1 15 7 11" 'protest'
ids_are "1 15 7 11" 'protesters'
count_is 5 'fancams'
ids_are "9" '"flood of fancams"'
count_is 0 '"fancams of flood"'
ids_are "9" 'iwatch NEAR fancams'
ids_are "9" 'app NEAR/6 flood'
count_is 0 'app NEAR/4 flood'
count_is 0 'app NEAR/2 fancams'
ids_are "9" 'iwatch ADJ dallas'
count_is 0 'dallas ADJ iwatch'

# -- boolean operators, brackets, + and -
ids_are "2 9" 'fancams AND NOT is:repost'
ids_are "2 9" 'fancams -is:repost'
ids_are "2 9" 'fancams NOT RT'
ids_are "1 15 7 11 16" 'protest OR #blacklivesmatter'
ids_are "7 16" 'protest XOR #blacklivesmatter'
ids_are "1 2 7" '(protest OR fancams) AND (is:original OR is:reply) AND date:..2020-06-03T17:00'
ids_are "2 4 5 6 9" '+fancams'
count_is 12 'NOT #blacklivesmatter'

# -- wildcards
ids_are "2 4 5 6 9" 'fanc*'
ids_are "1 15 11 16" '#black*'
ids_are "1 5 7 8 11 16" 'from:river_r* OR @river_r*'

# -- hashtags: any capitalisation, Korean, the #tag and hashtag: forms
count_is 4 '#blacklivesmatter'
# A query of hated items alone means every post but those (Xapian alone
# would read them as loved).
count_is 12 '-#blacklivesmatter' --
count_is 11 '-fancams' --
count_is "$("$QUIRE" count 'NOT (fancams OR #blacklivesmatter)')" '-fancams -#blacklivesmatter' --
count_is "$("$QUIRE" count 'NOT (fancams OR #blacklivesmatter)')" '-(fancams OR #blacklivesmatter)' --
count_is "$("$QUIRE" count 'NOT "flood of fancams"')" '-"flood of fancams"' --
count_is 4 '#BLACKLIVESMATTER'
count_is 4 'hashtag:BlackLivesMatter'
count_is 4 'hashtag:#blacklivesmatter'
ids_are "3 10" '#블랙라이브스매터'
ids_are "3 10" 'hashtag:블랙라이브스매터'
ids_are "3" '#블랙라이브스매터 #whitelivesmatter'
ids_are "2 4 5 6 12" '#blm'

# -- CJK text without prefixes
ids_are "3" '흑인의'
ids_are "3" '생명도 소중합니다'
ids_are "10" '감동'

# -- people
ids_are "1 5 8 11 16" 'from:river_reports'
ids_are "1 5 8 11 16" 'from:@River_Reports'
ids_are "6 7 9" 'from:42'
ids_are "7" '@river_reports'
ids_are "2 4 5 6" 'mention:dallas_watch'

# -- media
ids_are "1 15 9 10" 'media:photo'
ids_are "2 4 5 6 9 11" 'media:video'
ids_are "3 14" 'media:gif'
count_is 11 'media:any'
ids_are "7 8 12 13 16" 'media:none'
ids_are "2 3 14 9" '(media:video OR media:gif) -is:repost date:2020-06-03'
count_is 0 'media:sha256:0000000000000000000000000000000000000000000000000000000000000000'
check_grep "media:sha256: searches the media hash terms" 'XH0{64}' "$QUIRE" count --explain 'media:sha256:0000000000000000000000000000000000000000000000000000000000000000'

# -- kinds, languages, platforms, links, ids
count_is 10 'is:original'
ids_are "4 5 15 6" 'is:repost'
ids_are "4 5 15 6" 'is:retweet'
ids_are "7" 'is:reply'
ids_are "8" 'is:quote'
ids_are "3 10" 'lang:ko'
ids_are "14" 'lang:und'
count_is 16 'platform:twitter'
count_is 0 'platform:mastodon'
ids_are "8" 'domain:example.org'
ids_are "8" 'domain:www.example.org'
ids_are "11" 'domain:example.com'
ids_are "11" 'url:https://example.com/a'
ids_are "8" 'url:https://www.example.org/story'
ids_are "3" 'id:1267900000000000003'
ids_are "3" 'id:twitter:1267900000000000003'
ids_are "3 7" 'id:twitter:1267900000000000003 OR id:1267900000000000007'
count_is 16 'source:1'
count_is 0 'event:june3 OR tag:offmessage'
check_grep "event: and tag: search their terms" 'XEjune3.*XToffmessage' "$QUIRE" count --explain 'event:june3 OR tag:offmessage'

# -- dates and times (UTC)
count_is 10 'date:2020-06-03'
count_is 10 'date:2020-06-03..2020-06-03'
count_is 12 'date:2020-06-03..2020-06-04'
ids_are "10 11 12 13 16" 'date:2020-06-04..'
ids_are "1" 'date:..2020-06-02'
count_is 15 'date:2020-06'
ids_are "16" 'date:2023'
ids_are "14 6 7 8" '2020-06-03T14:00..2020-06-03T18:00'
ids_are "14 6 7 8" 'date:2020-06-03T14..2020-06-03T18:00'
ids_are "14 6 7" 'date:2020-06-03T14'
ids_are "8" 'date:2020-06-03T18:00:00..2020-06-03T18:00:59'
ids_are "8" 'date:2020-06-03T13:00-05:00..2020-06-03T13:00-05:00'
ids_are "11" 'date:2020-06-04T23:59:59Z'
ids_are "2 3 4 5 15" 'date:2020-06-03 date:..2020-06-03T05:00'
ids_are "12 13" '' --since 2020-06-05 --until 2020-06-05
ids_are "11 12 13 16" '' --since 2020-06-04T12:00
ids_are "1" '' --until 2020-06-02

# -- time zones: a day in the zone is all of that local day
count_is 6 'date:2020-06-03' --tz America/Chicago
ids_are "15 14 6 7 8 9" 'date:2020-06-03' --tz America/Chicago
count_is 9 'date:2020-06-03' --tz Asia/Seoul
ids_are "8 9 10" 'date:2020-06-04' --tz Asia/Seoul
ids_are "16" 'date:2023-08-01T11:05' --tz Europe/Berlin
count_is 6 '' --tz America/Chicago --since 2020-06-03 --until 2020-06-03
check_exit 2 "an unknown zone is a usage error" "$QUIRE" count --tz Mars/Olympus_Mons ''

# -- sorting, limits, offsets
check_output "newest first" "$(printf '1688000000000000016\n1267900000000000013')" "$QUIRE" search -f ids -n 2 --sort newest ''
check_output "oldest first" "$(printf '1267900000000000001\n1267900000000000002')" "$QUIRE" search -f ids -n 2 --sort oldest ''
check_output "offset skips" "1267900000000000003" "$QUIRE" search -f ids -n 1 --offset 2 --sort oldest ''
check_exit 1 "an offset past the end finds nothing" "$QUIRE" search --offset 4294967295 ''
check_output "limit 0 is all" "16" sh -c "'$QUIRE' search -f ids -n 0 '' | wc -l | tr -d ' '"
check_exit 2 "a negative limit is a usage error" "$QUIRE" search -n -1 ''
check_exit 2 "an unknown sort is a usage error" "$QUIRE" search --sort sideways ''

# -- collapse: a post and its reposts once, with the count
check_output "collapse folds the three reposts of a post" "1267900000000000002 3
1267900000000000009 0" sh -c "'$QUIRE' search -f jsonl --collapse repost --sort oldest fancams | jq -r '\"\\(.post.native_id) \\(.folded // 0)\"'"
count_is 2 'fancams' --collapse repost
count_is 12 '' --collapse repost
check_grep "text shows the folded reposts" '\+3 reposts' "$QUIRE" search --collapse repost --sort oldest fancams
check_exit 2 "collapse takes repost only" "$QUIRE" search --collapse author ''

# -- exit codes
check_exit 0 "search exits 0 on hits" "$QUIRE" search fancams
check_exit 1 "search exits 1 on no hits" "$QUIRE" search zebra
check_exit 1 "count exits 1 on zero" "$QUIRE" count zebra
check_output "count prints 0 on zero" "0" "$QUIRE" count zebra
check_exit 2 "a missing corpus is a usage error" "$QUIRE" search --corpus "$T/none" fancams

# -- parse errors: the reason, the column, exit 2
perr() {
	q=$1 pat=$2
	out=$("$QUIRE" search "$q" 2>&1); rc=$?
	if [ "$rc" -eq 2 ] && printf '%s\n' "$out" | grep -Eq -- "$pat"; then ok "parse error for '$q'"
	else not_ok "parse error for '$q' (exit $rc)" "$out"; fi
}
perr '(fancams' "'\\(' is never closed \\(column 1\\)"
perr 'fancams)' "'\\)' closes nothing \\(column 8\\)"
perr '#blm AND' "'AND' has nothing on its right \\(column 6\\)"
perr 'OR #blm' "'OR' has nothing on its left \\(column 1\\)"
perr 'a AND OR b' "'OR' has nothing on its left \\(column 7\\)"
perr '(a OR)' "'OR' has nothing on its right \\(column 4\\)"
perr '()' "'\\(\\)' holds nothing"
perr 'fancams NEAR #blm' "'NEAR' links two words"
perr 'media:film' "media: takes video, gif, photo, sticker.*not 'film' \\(column 1\\)"
perr 'fancams is:boosted' "is: takes original, repost, reply, quote or deleted, not 'boosted' \\(column 9\\)"
perr 'date:2020-06-31' "'2020-06-31' is not a date or time"
perr 'date:2020-06-04..2020-06-03' "ends before it starts"
perr 'from:' "'from:' needs a value"
perr 'tag:"open' "the quote after 'tag:' is never closed"
perr '#블랙라이브스매터 AND' "'AND' has nothing on its right \\(column 11\\)"
check_grep "the error shows the query and a caret" '^  fancams\)$' "$QUIRE" search 'fancams)'
check_grep "the caret points at the place" '^         \^$' "$QUIRE" search 'fancams)'
check_exit 2 "a bad --since is a usage error" "$QUIRE" search --since yesterday ''
check_grep "explain shows the parsed query" 'Zfancam' "$QUIRE" search --explain -f ids fancams

# -- paging past the first thousand results (bounded memory, every page)
awk 'BEGIN { for (i = 0; i < 2100; i++)
	printf "{\"created_at\":\"Wed Jun 03 %02d:%02d:00 +0000 2020\",\"id_str\":\"13000000000000%05d\",\"full_text\":\"paging post %d\",\"user\":{\"id_str\":\"7\",\"screen_name\":\"pager\",\"name\":\"Pager\"},\"entities\":{}}\n", (i / 60) % 24, i % 60, i, i }' >"$T/many.jsonl"
"$QUIRE" ingest --corpus "$T/many" "$T/many.jsonl" >/dev/null 2>&1
check_output "all 2100 results come back, in three pages" "2100 2100" sh -c "'$QUIRE' search --corpus '$T/many' -f ids -n 0 paging | sort -u | wc -l | tr -d ' ' | tr '\n' ' '; '$QUIRE' count --corpus '$T/many' paging"
check_output "offset 2000 reaches the third page" "100" sh -c "'$QUIRE' search --corpus '$T/many' -f ids -n 0 --offset 2000 paging | wc -l | tr -d ' '"

