# API pages that came back empty hold no post: they are records without
# posts, counted, never rejected.  Each reader is checked on its own empty
# pages, as files and as the bodies of a WARC of API responses; the page
# envelopes with posts in them (premium and Gnip search, Reddit listings,
# v1.1 pages one after another) give their posts; a body nobody knows is
# still rejected.
. tests/cli/lib.sh
. tests/cli/warc.sh
V1="$FIXTURES/twitter-v1/tweets.jsonl"
RC="$FIXTURES/reddit/RC_2020-06.ndjson"
GA="$FIXTURES/gnip-activity/activities.json"
P="$T/pages"
mkdir "$P"

# The empty pages, as the APIs send them.
printf '[]\n' >"$P/v1-timeline.json"
printf '{"statuses":[],"search_metadata":{"completed_in":0.012,"max_id":0,"max_id_str":"0","query":"%%23iWatchDallas","refresh_url":"?since_id=0&q=%%23iWatchDallas","count":100,"since_id":0,"since_id_str":"0"}}\n' \
	>"$P/v1-search.json"
printf '{"results": [ ], "requestParameters": {"maxResults": 100, "fromDate": "202006010000", "toDate": "202006040000"}}\n' \
	>"$P/premium-search.json"
printf '{"errors":[{"message":"Rate limit exceeded","code":88}]}\n' >"$P/v1-error.json"
printf '{"meta":{"result_count":0}}\n' >"$P/v2-search.json"
printf '{"data": []}\n' >"$P/v2-list.json"
printf '{"meta":{"result_count":0},"__twarc":{"url":"https://api.twitter.com/2/tweets/search/recent?query=%%23iWatchDallas","version":"2.12.0","retrieved_at":"2020-06-03T17:00:00+00:00"}}\n' \
	>"$P/twarc2-page.jsonl"
printf '{"data":[{"id":"1268000000000000001","name":"Newsroom Desk","username":"newsroom_desk"}]}\n' >"$P/v2-users.json"
printf '{"kind":"Listing","data":{"after":null,"dist":0,"modhash":"","geo_filter":"","children":[],"before":null}}\n' \
	>"$P/reddit-listing.json"
printf '[{"id":4000001,"id_str":"4000001","name":"Newsroom Desk","screen_name":"newsroom_desk","created_at":"Tue Jun 02 10:00:00 +0000 2020","followers_count":10,"status":{"id_str":"1268000000000000002","created_at":"Wed Jun 03 10:00:00 +0000 2020","text":"on air at 6"}}]\n' \
	>"$P/v1-users.json"

# one_page FILE: ingest FILE alone into a new corpus; one line: what it
# printed, its exit status, whether anything was rejected.
one_page() {
	rm -rf "$T/c"
	out=$("$QUIRE" ingest -c "$T/c" "$1" 2>&1)
	rc=$?
	[ -f "$T/c/rejects.jsonl" ] && rej=rejects || rej="no rejects"
	printf '%s | exit %s | %s\n' "$(printf '%s' "$out" | tr '\n' ' ')" "$rc" "$rej"
}
for f in v1-search premium-search v1-error v2-search v2-list twarc2-page v2-users reddit-listing v1-users; do
	check_grep "an empty page as a file ($f): one record without posts, nothing rejected" \
		'^ingested 1 records from 1 input: 0 posts added, 0 updated, 0 duplicates, 0 rejected, 1 without posts \([^)]*\) \| exit 0 \| no rejects$' \
		one_page "$P/$f.json"*
done
check_grep "a timeline's [] as a file: no records, read to its end" \
	'^ingested 0 records from 1 input: 0 posts added, 0 updated, 0 duplicates, 0 rejected \([^)]*\) \| exit 0 \| no rejects$' \
	one_page "$P/v1-timeline.json"

# The envelopes with posts in them.
head -2 "$V1" | jq -c -s '{results: ., next: "eyJtYXhJZCI6MX0=", requestParameters: {maxResults: 100}}' >"$P/premium-full.json"
head -1 "$GA" | jq -c -s '{results: ., next: "NTcxODIy", requestParameters: {maxResults: 100}}' >"$P/gnip-full.json"
head -2 "$RC" | jq -c -s '{kind: "Listing", data: {after: "t1_x", dist: 2, children: ([.[] | {kind: "t1", data: .}] + [{kind: "more", data: {count: 3}}]), before: null}}' \
	>"$P/reddit-full.json"
{ sed -n 3p "$V1" | jq -c -s .; printf '[]\n'; sed -n 4,5p "$V1" | jq -c -s .; } >"$P/v1-pages.json"
C="$T/full"
check_grep "premium search, Gnip search and Reddit pages and v1.1 pages one after another give their posts" \
	'ingested 6 records from 4 inputs: 8 posts added, 0 updated, 0 duplicates, 0 rejected' \
	"$QUIRE" ingest -c "$C" "$P/premium-full.json" "$P/gnip-full.json" "$P/reddit-full.json" "$P/v1-pages.json"
ids() { "$QUIRE" search -c "$C" -n 0 -f ids "$1" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'; }
check_output "the premium page's tweets and the pages' tweets" \
	"$(sed -n 1,5p "$V1" | jq -r .id_str | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" ids 'platform:twitter -source:2'
check_output "the Gnip page's activity" 1268500000000000001 ids 'source:2'
check_output "the listing's comments, not its \"more\"" \
	"$(head -2 "$RC" | jq -r .id | sed 's/^/t1_/' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" ids 'platform:reddit'

# The same pages as the bodies of a WARC, gzip-encoded as the APIs send
# them, beside a page with posts.
HTTP='application/http;msgtype=response'
mkdir "$T/recs"
i=0
for f in v1-timeline v1-search premium-search v1-error v2-search v2-list v2-users reddit-listing v1-users premium-full; do
	i=$((i + 1))
	http_block '200 OK' gzip "$P/$f.json" >"$T/b"
	record response "$(printf '%08d-0000-4000-8000-000000000000' "$i")" "https://api.example/$f" "$HTTP" "$T/b" \
		>"$T/recs/$(printf '%02d' "$i")"
done
printf '{"foo": 1}\n' >"$P/unknown.json"
http_block '200 OK' plain "$P/unknown.json" >"$T/b"
record response 99999999-0000-4000-8000-000000000000 https://api.example/unknown "$HTTP" "$T/b" >"$T/recs/99"
cat "$T"/recs/* >"$T/pages.warc"
C="$T/warc"
check_grep "a WARC of empty pages: each a record without posts; only the unknown body is rejected" \
	'ingested 11 records from 1 input: 2 posts added, 0 updated, 0 duplicates, 1 rejected, 9 without posts' \
	"$QUIRE" ingest -c "$C" "$T/pages.warc"
# Its record starts two lines above its WARC-Record-ID.
line=$(($(grep -an 'urn:uuid:99999999' "$T/pages.warc" | cut -d: -f1) - 2))
check_output "the one reject is the body of no known format, at its record's line" \
	"JSON body of no known format; it begins \"{\\\"foo\\\": 1}\\n\" $line" \
	jq -r '.reason + " " + (.line | tostring)' "$C/rejects.jsonl"

# The other readers on inputs that hold nothing: a Telegram chat without
# messages, a Mastodon export whose outbox is empty, a Twitter archive
# whose tweets.js is [], a CrowdTangle CSV with its header alone, JSON
# lines that are [] through a mapping.  Each is read to its end: nothing
# rejected, the input complete.
E="$T/nothing"
mkdir -p "$E/mastodon" "$E/archive/data"
printf '{"name": "Quiet Channel", "type": "public_channel", "id": 1600000009, "messages": []}\n' >"$E/telegram.json"
cp "$FIXTURES/mastodon/actor.json" "$E/mastodon/"
printf '{"@context": "https://www.w3.org/ns/activitystreams", "id": "outbox.json", "type": "OrderedCollection", "totalItems": 0, "orderedItems": []}\n' \
	>"$E/mastodon/outbox.json"
(cd "$E/mastodon" && tar -czf "$E/mastodon.tar.gz" outbox.json actor.json)
cp "$FIXTURES/twitter-archive/data/account.js" "$E/archive/data/"
cat >"$E/archive/data/manifest.js" <<'MANIFEST'
window.__THAR_CONFIG = {
  "userInfo" : { "accountId" : "1019283746", "userName" : "quiet_account", "displayName" : "Quiet Account" },
  "dataTypes" : {
    "account" : { "files" : [ { "fileName" : "data/account.js", "globalName" : "YTD.account.part0", "count" : "1" } ] },
    "tweets" : { "files" : [ { "fileName" : "data/tweets.js", "globalName" : "YTD.tweets.part0", "count" : "0" } ] }
  }
}
MANIFEST
printf 'window.YTD.tweets.part0 = [ ]\n' >"$E/archive/data/tweets.js"
(cd "$E/archive" && zip -qr "$E/twitter-archive.zip" data)
head -1 "$FIXTURES/csv/crowdtangle.csv" >"$E/crowdtangle.csv"
printf '[]\n' >"$E/scraped.jsonl"
nothing() {
	rm -rf "$T/c"
	out=$("$QUIRE" ingest -c "$T/c" "$@" 2>&1)
	rc=$?
	[ -f "$T/c/rejects.jsonl" ] && rej=rejects || rej="no rejects"
	printf '%s | exit %s | %s | %s\n' "$(printf '%s' "$out" | tr '\n' ' ')" "$rc" "$rej" \
		"$(jq -r '.status + " " + (.formats | join(","))' "$T/c/sources.jsonl" 2>/dev/null)"
}
for f in telegram.json:telegram mastodon.tar.gz:mastodon twitter-archive.zip:twitter-archive crowdtangle.csv:csv; do
	check_grep "nothing in ${f%%:*}: read to its end by ${f##*:}, nothing rejected" \
		"^ingested 0 records from 1 input: .* 0 rejected \\([^)]*\\) \\| exit 0 \\| no rejects \\| complete ${f##*:}\$" \
		nothing "$E/${f%%:*}"
done
check_grep "nothing in JSON lines read through a mapping" \
	'^ingested 0 records from 1 input: .* 0 rejected \([^)]*\) \| exit 0 \| no rejects \| complete' \
	nothing --mapping "$FIXTURES/jsonl/scraper-mapping.json" "$E/scraped.jsonl"
