# quire search and show on the twitter-v1 fixtures: the query language,
# exit codes, the text, JSON and id formats, escaping, show and its errors.
. tests/cli/lib.sh

FIX="$FIXTURES/twitter-v1"
C="$T/corpus"
"$QUIRE" ingest -q -c "$C" "$FIX" >/dev/null 2>&1

# found QUERY...: the ids a search finds, sorted, on one line.
found() { "$QUIRE" search -c "$C" -n 0 -f ids "$@" 2>&1 | sort | tr '\n' ' ' | sed 's/ $//'; }

check_output "an empty query lists every post" "12" sh -c "'$QUIRE' search -c '$C' -n 0 -f ids '' | wc -l | tr -d ' '"
check_output "words, stemmed" "1267245000000000003 1267250000000000004 1268312345678901234" found fancams
check_output "a phrase" "1267245000000000003 1267250000000000004" found '"flooded with fancam videos"'
check_output "#hashtag in any case" "1268312345678901234 1268313000000000001" found '#whitelivesmatter'
check_output "hashtag: as well" "1268312345678901234 1268313000000000001" found 'hashtag:WhiteLivesMatter'
check_output "two hashtags: posts with both" "1267245000000000003 1267250000000000004" found '#iWatchDallas #BlackLivesMatter'
check_output "hashtags ORed" "1268312345678901234 1268313000000000001 1268340000000000010" \
	found '#WhiteLivesMatter OR #WhiteOutWednesday'
check_output "a hashtag and a word" "1268312345678901234" found '#WhiteLivesMatter fancam'
check_output "from: a handle, with or without @, or the numeric id" \
	"1267250000000000004 1268312345678901234 1268500000000000301" found 'from:@Purple_Ribbon_77'
check_output "from: the numeric id" "1267250000000000004 1268312345678901234 1268500000000000301" \
	found 'from:1098765432101234567'
check_output "@mention" "1267250000000000004" found '@dfw_newsdesk_demo'
check_output "date: one UTC day" "1267245000000000003 1267250000000000004 1267260000000000005" found 'date:2020-06-01'
check_output "date: a range of days, the last one whole" \
	"1268312345678901234 1268313000000000001 1268330000000000006 1268340000000000010 1268500000000000301 1268500000000000302" \
	found 'date:2020-06-03..2020-06-04'
check_output "date: times to the minute" "1268312345678901234 1268313000000000001" \
	found 'date:2020-06-03T14:00..2020-06-03T14:05'
check_output "--tz reads dates in a zone (the first hours of 1 June UTC were 31 May in Dallas)" \
	"1267245000000000003 1267250000000000004 1267260000000000005" found --tz America/Chicago 'date:2020-05-31'
check_output "--tz: and 1 June there is none of them" "" found --tz America/Chicago 'date:2020-06-01'
check_output "is: kinds" "1267250000000000004" found 'is:retweet'
check_output "is: reply or quote" "1267260000000000005 1268330000000000006" found 'is:reply OR is:quote'
check_output "media: video (a retweet carries the original's)" "1267245000000000003 1267250000000000004" found 'media:video'
check_output "media: gif and photo" "1268313000000000001 1268340000000000010" found 'media:gif OR media:photo'
check_output "lang:" "1268313000000000001 1268340000000000010 1268500000000000302" found 'lang:ko'
check_output "Korean words (CJK n-grams)" "1268313000000000001" found '혐오'
check_output "domain: finds a host and its parents" "1268330000000000006" found 'domain:example.org'
check_output "url: a whole link" "1268330000000000006" found 'url:https://www.example.org/archive/june-2020?src=tw&amp=1'
check_output "id: with and without the platform" "1268312345678901234 1268313000000000001" \
	found 'id:twitter:1268312345678901234 OR id:1268313000000000001'
check_output "NOT and -" "1267245000000000003 1267250000000000004" found -- 'fancam -#WhiteLivesMatter'
check_output "a bounded wildcard" "1267245000000000003 1267250000000000004 1268312345678901234" found 'fanc*'
check_output "the order of ingest when all weights are equal; --sort oldest" \
	"1267245000000000003 1267250000000000004 1267260000000000005" \
	sh -c "'$QUIRE' search -c '$C' -f ids --sort oldest -n 3 '' | tr '\n' ' ' | sed 's/ \$//'"
check_output "--limit and --offset page through" "1267250000000000004" \
	"$QUIRE" search -c "$C" -f ids --sort oldest -n 1 --offset 1 ''

# ---- exit codes ----
check_exit 0 "search exits 0 with hits" "$QUIRE" search -c "$C" fancam
check_exit 1 "search exits 1 without hits" "$QUIRE" search -c "$C" nothingmatchesthisword
check_exit 1 "a filter that matches nothing is no hits, not an error" "$QUIRE" search -c "$C" 'domain:nowhere.invalid'
check_exit 2 "a bad field value is a query error" "$QUIRE" search -c "$C" 'media:banana'
check_exit 2 "a bad date is a query error" "$QUIRE" search -c "$C" 'date:2020-13-45'
check_exit 2 "a backwards range is a query error" "$QUIRE" search -c "$C" 'date:2020-06-05..2020-06-01'
check_exit 2 "a syntax error is a query error" "$QUIRE" search -c "$C" 'fancam AND'
check_exit 2 "an unknown format is a usage error" "$QUIRE" search -c "$C" -f yaml fancam
check_exit 2 "an unknown zone is a usage error" "$QUIRE" search -c "$C" --tz Mars/Base fancam
check_exit 2 "a missing corpus is a usage error" "$QUIRE" search -c "$T/nothing-here" fancam
check_grep "query errors say what is wrong" "^quire: cannot parse the query: media: takes video, gif, photo, sticker, audio, file, any, none or sha256:HEX, not 'banana' \\(column 1\\)\$" \
	"$QUIRE" search -c "$C" 'media:banana'
check_grep "query errors escape what they quote (C1, bidi, DEL)" "not 'ba\\\\u\\{009b\\}n\\\\u\\{202e\\}a\\\\x7f' \\(column 1\\)\$" \
	"$QUIRE" search -c "$C" "$(printf 'media:ba\302\233n\342\200\256a\177')"

# ---- output formats ----
"$QUIRE" search -c "$C" -f json -n 0 'fancam' >"$T/out.json"
check "search -f json is one JSON document jq reads" jq -e . "$T/out.json"
check_output "-f json: query, shown, and a result per hit" "fancam 3 3" \
	jq -r '"\(.query) \(.shown) \(.results | length)"' "$T/out.json"
check_output "-f json: ranks, scores, posts and locators" "true" jq -r \
	'[.results[] | (.rank | type == "number") and (.score | type == "number") and (.post.id | startswith("twitter:"))
	  and (.locator.sha256 | test("^[0-9a-f]{64}$")) and (.locator.record | test("^[0-9]{6}\\.zst:[0-9]+:[0-9]+$"))
	  and (.locator.corpus_id | test("^[0-9a-f-]{36}$"))] | all' "$T/out.json"
check_output "-f json: ids past 2^53 are exact strings" "1268312345678901234" \
	jq -r '.results[] | .post.native_id | select(startswith("12683"))' "$T/out.json"
"$QUIRE" search -c "$C" -f jsonl fancam >"$T/out.jsonl"
check_output "-f jsonl: one object per line" "3 3" \
	sh -c "printf '%s %s' \$(jq -c .post.id '$T/out.jsonl' | wc -l) \$(wc -l <'$T/out.jsonl')"
check_output "-f json with no hits is still valid, and exits 1" "0 1" \
	sh -c "'$QUIRE' search -c '$C' -f json nothingmatchesthisword >'$T/none.json'; rc=\$?; printf '%s %s' \"\$(jq '.results | length' '$T/none.json')\" \$rc"

"$QUIRE" search -c "$C" --color never 'from:civic_archive_demo is:reply' >"$T/text"
check_grep "text: author, handle and UTC time" '^  1\. Civic Archive & Co \(demo\) @civic_archive_demo · 2020-06-03 15:00:00 UTC' cat "$T/text"
check_grep "text: the permalink" '^    https://twitter.com/civic_archive_demo/status/1268330000000000006$' cat "$T/text"
check_grep "text: the archival locator" \
	'^    archived: corpus [0-9a-f-]{36}, record 000001\.zst:[0-9]+:[0-9]+, sha256 [0-9a-f]{64}$' cat "$T/text"
check_grep "text: escape sequences and bidi controls are shown, not sent" '\\e\]0;pwned\\x07\\u\{202e\}gnp\.exe' cat "$T/text"
check_output "text: no raw ESC, BEL or RLO reaches the terminal" "0" \
	sh -c "LC_ALL=C grep -c \"\$(printf '\033')\\|\$(printf '\007')\\|\$(printf '\342\200\256')\" '$T/text'"
"$QUIRE" show -c "$C" 1268330000000000006 >"$T/show.json"
check_output "show: the JSON keeps the text exact" "$(printf '@purple_ribbon_77 Thank you \342\200\224 we are keeping a copy of every post: https://www.example.org/archive/june-2020?src=tw&amp=1 \033]0;pwned\007\342\200\256gnp.exe')" \
	jq -r .text "$T/show.json"
check_output "show: but prints escapes, not raw controls" "0" \
	sh -c "LC_ALL=C grep -c \"\$(printf '\033')\\|\$(printf '\342\200\256')\" '$T/show.json'"
check_golden t03_search_text.out "$QUIRE" search -c "$C" --color never --sort oldest '#iWatchDallas OR is:quote'

# ---- show ----
check_output "show by native id" "twitter:1268313000000000001" sh -c "'$QUIRE' show -c '$C' 1268313000000000001 | jq -r .id"
check_output "show: normalized fields" \
	"ko 2 photo 두 장의 사진: 촛불을 든 사람들 2020-06-03T14:05:00Z https://twitter.com/seoul_stan_demo/status/1268313000000000001" \
	sh -c "'$QUIRE' show -c '$C' twitter:1268313000000000001 | jq -r '\"\(.lang) \(.media | length) \(.media[0].type) \(.media[0].alt_text) \(.created_at) \(.url)\"'"
check_output "show: several ids, one object each" "2" \
	sh -c "'$QUIRE' show -c '$C' 1267245000000000003 1267250000000000004 | jq -s length"
check_exit 1 "show of an unknown id exits 1" "$QUIRE" show -c "$C" 999
check_grep "show of an unknown id says so" "^quire: no post '999' in the corpus\$" "$QUIRE" show -c "$C" 999
check_exit 2 "show without an id is a usage error" "$QUIRE" show -c "$C"
check_exit 2 "show on a missing corpus is a usage error" "$QUIRE" show -c "$T/nothing-here" 1
