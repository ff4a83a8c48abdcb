# quire serve's JSON API with curl and jq: the same bytes as the command
# line for every endpoint, errors as JSON with their statuses, the limits,
# a post ingested while it runs, codes (409 while another writer holds the
# corpus), tokens, and a clean stop.
. tests/cli/lib.sh
. tests/cli/serve.sh

command -v curl >/dev/null 2>&1 || { skip "quire serve API" "curl is not installed"; exit 0; }
command -v jq >/dev/null 2>&1 || { skip "quire serve API" "jq is not installed"; exit 0; }

C="$T/corpus"
serve_corpus "$C" || { not_ok "the corpus is built" "$(cat "$T/serve-ingest.out")"; exit 1; }
ok "the corpus is built"

# same DESC PATH -- CLI ARGS...: the API's body is the command's stdout.
same() {
	d=$1 p=$2
	shift 3
	get "$p" >"$T/api.out"
	"$QUIRE" "$@" >"$T/cli.out" 2>"$T/cli.err"
	if cmp -s "$T/api.out" "$T/cli.out"; then
		ok "$d"
	else
		not_ok "$d" "status $(status); $(diff "$T/cli.out" "$T/api.out" | head -8)"
	fi
}

# want DESC STATUS PATH [CURL ARGS]: the answer's status.
want() {
	d=$1 s=$2 p=$3
	shift 3
	get "$p" "$@" >/dev/null
	if [ "$(status)" = "$s" ]; then ok "$d"; else not_ok "$d (status $(status), wanted $s)" "$(head -c 400 "$T/body")"; fi
}

enc() { jq -rn --arg v "$1" '$v|@uri'; }

if serve_start "$C"; then ok "the server starts and says where"; else
	not_ok "the server starts and says where" "$(cat "$T/serve.out" "$T/serve.err")"
	exit 1
fi
grep -q 'read-only' "$T/serve.out" && ok "it says it is read-only" || not_ok "it says it is read-only" "$(cat "$T/serve.out")"

# ---- counts equal quire count ----
bad=""
for q in '' '#WhiteLivesMatter' 'fancam' 'fanc* -is:repost' '"black lives matter"' 'lang:ko' '#블랙라이브스매터' \
	'media:video date:2020-06-03' 'from:dallas_pd_demo' 'iwatch NEAR app' 'event:iwatch-dallas' 'hostile' \
	'2020-06-03T04:00..2020-06-03T06:00' 'nothingmatchesthis'; do
	a=$(get "api/count?q=$(enc "$q")" | jq -r .count)
	b=$("$QUIRE" count -c "$C" -- "$q" 2>/dev/null)
	[ "$a" = "$b" ] || bad="$bad [$q: api $a, cli $b]"
done
[ -z "$bad" ] && ok "api/count equals quire count on 14 queries" || not_ok "api/count equals quire count" "$bad"
a=$(get "api/count?q=$(enc 'date:2020-06-03')&tz=Asia/Seoul" | jq -r .count)
b=$("$QUIRE" count -c "$C" --tz Asia/Seoul 'date:2020-06-03')
[ "$a" = "$b" ] && ok "a count in a time zone equals the command line's ($a)" || not_ok "count with tz" "api $a cli $b"
same "api/count is quire count -f json" "api/count?q=$(enc '#WhiteLivesMatter fancam')" -- count -c "$C" -f json '#WhiteLivesMatter fancam'
same "filters become query text: api/count?q=fancam&hashtag=..." "api/count?q=fancam&hashtag=whitelivesmatter&media=video" \
	-- count -c "$C" -f json '(fancam) hashtag:whitelivesmatter media:video'

# ---- search: every format, byte for byte ----
Q=$(enc '#WhiteLivesMatter fancam')
for f in json jsonl csv ids csl-json bibtex biblatex ris apa mla chicago text; do
	same "api/search format=$f is quire search -f $f" "api/search?q=$Q&format=$f&limit=7&offset=2&sort=newest" \
		-- search -c "$C" -f "$f" --limit 7 --offset 2 --sort newest --color never '#WhiteLivesMatter fancam'
done
same "api/search with tz, since and until" "api/search?q=fancam&tz=America/Chicago&since=2020-06-02&until=2020-06-03&format=mla&limit=5" \
	-- search -c "$C" -f mla --tz America/Chicago --since 2020-06-02 --until 2020-06-03 --limit 5 fancam
same "api/search without locators" "api/search?q=fancam&format=apa&locator=0&limit=3" \
	-- search -c "$C" -f apa --no-locator --limit 3 fancam
get "api/search?q=fancam" | jq -e '.format_version == 1 and (.results | length) == 10' >/dev/null &&
	ok "api/search answers JSON by default, 10 results" || not_ok "api/search default" "$(head -c 300 "$T/body")"
same "limit=0 streams every post, as quire search --limit 0" "api/search?q=fancam&format=csv&limit=0" \
	-- search -c "$C" -f csv --limit 0 fancam
same "limit=0 of every post, as JSON lines" "api/search?format=jsonl&limit=0&sort=oldest" \
	-- search -c "$C" -f jsonl --limit 0 --sort oldest ''
get "api/search?q=fancam&format=csv&limit=0&download=1" -D "$T/headers" >/dev/null
grep -qi '^content-disposition: attachment; filename="quire-search.csv"' "$T/headers" && grep -qi '^content-type: text/csv' "$T/headers" &&
	ok "download=1 names the file" || not_ok "download=1 names the file" "$(cat "$T/headers")"

# ---- facets, timeline, show, raw, verify, cite, stats ----
same "api/facets is quire facets -f json" "api/facets?q=$Q&by=hashtag&top=5" -- facets -c "$C" -f json --by hashtag --top 5 '#WhiteLivesMatter fancam'
same "api/facets format=csv" "api/facets?q=lang:ko&by=author&format=csv" -- facets -c "$C" -f csv --by author 'lang:ko'
same "api/facets format=csv-raw" "api/facets?q=fancam&by=mention&format=csv-raw" -- facets -c "$C" -f csv-raw --by mention fancam
same "api/facets by=reposted (what spread)" "api/facets?q=$Q&by=reposted&top=5" -- facets -c "$C" -f json --by reposted --top 5 '#WhiteLivesMatter fancam'
same "api/facets by=file format=csv" "api/facets?by=file&format=csv&top=0" -- facets -c "$C" -f csv --by file --top 0 ''
same "api/timeline format=csv-raw" "api/timeline?q=fancam&by=day&format=csv-raw" -- timeline -c "$C" -f csv-raw --by day fancam
get "api/timeline?q=fancam&by=day&format=xlsx" -D "$T/headers" >"$T/tl.xlsx"
grep -qi '^content-type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' "$T/headers" &&
	unzip -l "$T/tl.xlsx" 2>/dev/null | grep -q 'xl/worksheets/sheet1.xml' &&
	ok "api/timeline format=xlsx is a workbook" || not_ok "api/timeline xlsx" "$(cat "$T/headers")"
same "api/count include_deleted=1 is quire count --include-deleted" "api/count?q=fancam&include_deleted=1" \
	-- count -c "$C" -f json --include-deleted fancam
same "api/search sort=reposts is quire search --sort reposts" "api/search?q=fancam&sort=reposts&format=ids&limit=5" \
	-- search -c "$C" -f ids --sort reposts --limit 5 fancam
same "api/timeline is quire timeline -f json" "api/timeline?q=$Q&by=day" -- timeline -c "$C" -f json --by day '#WhiteLivesMatter fancam'
same "api/timeline svg=1 is quire timeline --svg -" "api/timeline?q=%23WhiteLivesMatter&by=hour&since=2020-06-03&until=2020-06-03&svg=1" \
	-- timeline -c "$C" --by hour --since 2020-06-03 --until 2020-06-03 --svg - '#WhiteLivesMatter'
same "api/timeline with --share" "api/timeline?q=%23WhiteLivesMatter&by=hour&share=$(enc 'media:video OR media:gif')&format=csv" \
	-- timeline -c "$C" -f csv --by hour --share 'media:video OR media:gif' '#WhiteLivesMatter'
ID=twitter:1268399000000000004
same "api/show/ID is quire show" "api/show/$ID" -- show -c "$C" "$ID"
same "api/raw/ID is quire show --raw" "api/raw/$ID" -- show -c "$C" --raw "$ID"
same "api/verify/ID is quire show --verify" "api/verify/$ID" -- show -c "$C" --verify "$ID"
for s in apa mla chicago bibtex ris csl-json; do
	same "api/cite/ID?style=$s is quire cite -f $s" "api/cite/$ID?style=$s" -- cite -c "$C" -f "$s" "$ID"
done
same "a native id alone is found too" "api/cite/1268399000000000004?style=apa&tz=Asia/Seoul" -- cite -c "$C" -f apa --tz Asia/Seoul 1268399000000000004
same "api/stats is quire stats -f json" "api/stats" -- stats -c "$C" -f json
SHA=$(sha256sum "$T/archive/data/tweets_media/1268260000000000001-EZ1abcDXsAAb12c.png" | cut -d' ' -f1)
"$QUIRE" media -c "$C" -o "$T/photo.cli" "$SHA"
get "media/$SHA" -D "$T/headers" >"$T/photo.api"
cmp -s "$T/photo.api" "$T/photo.cli" && grep -qi '^content-type: image/png' "$T/headers" &&
	grep -qi "^content-security-policy: default-src 'none'; sandbox" "$T/headers" &&
	ok "media/SHA256 is the file the store keeps, an image in a sandbox" || not_ok "media/SHA256" "$(cat "$T/headers")"

# ---- errors as JSON with their statuses ----
get "api/search?q=$(enc 'fancam AND (media:video OR)')" >/dev/null
[ "$(status)" = 400 ] && jq -e '.column == 25 and (.error | test("nothing on its right"))' "$T/body" >/dev/null &&
	ok "a bad query: 400 with the reason and the column" || not_ok "a bad query: 400 with the column" "$(status) $(cat "$T/body")"
want "an unknown post: 404" 404 "api/show/twitter:1"
jq -e '.status == 404 and (.error | test("no post"))' "$T/body" >/dev/null && ok "the 404 says why, as JSON" || not_ok "404 body" "$(cat "$T/body")"
want "an unknown endpoint: 404" 404 "api/nothing"
want "a limit that is no number: 400" 400 "api/search?q=x&limit=ten"
want "a sort that does not exist: 400" 400 "api/search?q=x&sort=sideways"
want "an unknown format: 400" 400 "api/search?q=x&format=docx"
want "an unknown time zone: 400" 400 "api/count?q=x&tz=Mars/Olympus"
want "a wildcard that matches too much is refused" 400 "api/search?q=$(enc 'a* b* c* d* e* f* g* h* i* j* k* l* m* n* o* p* q* r* s* t* u* v* w* x* y* z* aa* bb* cc* dd* ee* ff* gg*')"
want "PUT is not answered" 405 "api/search" -X PUT
want "a path out of the assets is not found" 404 "assets/../../../etc/passwd" --path-as-is
want "an encoded one neither" 404 "assets/%2e%2e%2f%2e%2e%2fquire.json" --path-as-is
want "codes on a read-only server: 403" 403 "api/tag" --data "add=x&id=$ID"

# ---- headers ----
get "" -D "$T/headers" >"$T/page.html"
grep -qi "^content-security-policy: default-src 'none'; script-src 'self'" "$T/headers" &&
	grep -qi '^x-content-type-options: nosniff' "$T/headers" && ! grep -qi '^access-control-allow-origin' "$T/headers" &&
	ok "a Content-Security-Policy without inline script, nosniff, no CORS" || not_ok "security headers" "$(cat "$T/headers")"
get "assets/quire.css" -D "$T/headers" >/dev/null
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\([^[:space:]]*\).*/\1/p' "$T/headers")
grep -qi '^cache-control: public' "$T/headers" && [ -n "$etag" ] && ok "assets have caching headers" || not_ok "asset headers" "$(cat "$T/headers")"
want "an unchanged asset: 304" 304 "assets/quire.css" -H "If-None-Match: $etag"
want "a request for another host name is refused (DNS rebinding)" 403 "api/count" -H "Host: attacker.example"

# ---- the page: hostile posts escaped ----
get "?q=hostile&n=50" >"$T/page.html"
if ! grep -q '<script>window' "$T/page.html" && ! grep -q '<img src=x' "$T/page.html" &&
	! grep -q 'href="javascript' "$T/page.html" && ! grep -q 'href="data:' "$T/page.html" &&
	grep -q '&lt;script&gt;window.__pwned=1&lt;/script&gt;' "$T/page.html" &&
	grep -q '\\u{202e}gnp.exe' "$T/page.html"; then
	ok "the page shows hostile posts as escaped text, bidi overrides visible"
else
	not_ok "the page shows hostile posts as escaped text" "$(grep -n 'pwned\|202e' "$T/page.html" | head -5)"
fi
get "?q=$(enc 'fancam AND (media:video OR)')" >"$T/page.html"
[ "$(status)" = 400 ] && grep -q '(media:video <mark title="here">O</mark>R)' "$T/page.html" &&
	ok "the page marks where a bad query went wrong" || not_ok "the page marks the error" "$(status)"

# ---- a post ingested while the server runs ----
before=$(get "api/count?q=$(enc 'late arrival')" | jq -r .count)
printf '{"created_at":"Thu Jun 04 10:00:00 +0000 2020","id_str":"1268500000000000001","full_text":"a late arrival while serving","user":{"id_str":"5","screen_name":"late_demo"}}\n' >"$T/late.jsonl"
"$QUIRE" ingest -c "$C" "$T/late.jsonl" >/dev/null 2>&1
after=$(get "api/count?q=$(enc 'late arrival')" | jq -r .count)
[ "$before" = 0 ] && [ "$after" = 1 ] && ok "a post ingested beside the server is found without a restart" ||
	not_ok "a post ingested beside the server is found" "before $before after $after"
want "and shown" 200 "api/show/twitter:1268500000000000001"
# quire compact rewrites the store and swaps in a new index under it.
"$QUIRE" compact -c "$C" --level 3 >"$T/compact.out" 2>&1 || not_ok "quire compact runs beside the server" "$(cat "$T/compact.out")"
same "after quire compact swapped the index, raw/ID comes from the new store" "api/raw/$ID" -- show -c "$C" --raw "$ID"
same "and verify/ID names its new place" "api/verify/$ID" -- show -c "$C" --verify "$ID"

# ---- a clean stop ----
serve_stop
[ "$SERVE_RC" = 0 ] && grep -q 'stopped' "$T/serve.out" && ok "SIGTERM stops it cleanly (exit 0)" ||
	not_ok "SIGTERM stops it cleanly" "exit $SERVE_RC; $(tail -3 "$T/serve.err")"
grep -Eq '^[0-9T:-]+Z 200 GET /api/count [0-9.]+ ms$' "$T/serve.err" && ok "one log line per request: time, status, path, duration" ||
	not_ok "log lines" "$(head -3 "$T/serve.err")"

# ---- safe by default: addresses and tokens ----
check_exit 2 "off loopback without a token it refuses to start" "$QUIRE" serve -c "$C" --listen 0.0.0.0:0
check_grep "and says why" 'without a token' "$QUIRE" serve -c "$C" --listen 0.0.0.0:0
check_exit 2 "a short token is refused" "$QUIRE" serve -c "$C" --listen 127.0.0.1:0 --token short
check_exit 2 "a bad address is refused" "$QUIRE" serve -c "$C" --listen nowhere
TOKEN=0123456789abcdef0123456789abcdef
if serve_start "$C" --token "$TOKEN"; then
	want "with a token, a request without it: 401" 401 "api/count?q=x"
	want "with the token as a bearer: 200" 200 "api/count?q=x" -H "Authorization: Bearer $TOKEN"
	want "with a wrong one: 401" 401 "api/count?q=x" -H "Authorization: Bearer ${TOKEN}x"
	want "the page without it asks for the token" 401 ""
	grep -q 'name="token"' "$T/body" && ok "with a sign-in form" || not_ok "sign-in form" "$(head -c 300 "$T/body")"
	get "login" -D "$T/headers" --data "token=$TOKEN" >/dev/null
	cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: *\(quire_session=[0-9a-f]*\).*/\1/p' "$T/headers")
	[ "$(status)" = 303 ] && [ -n "$cookie" ] && grep -qi 'HttpOnly; SameSite=Strict' "$T/headers" &&
		ok "the form sets an HttpOnly cookie" || not_ok "the form sets a cookie" "$(cat "$T/headers")"
	[ -n "$cookie" ] && ! printf '%s' "$cookie" | grep -q "$TOKEN" && ok "the cookie is not the token itself" ||
		not_ok "the cookie is not the token" "$cookie"
	want "the cookie lets the page in" 200 "?q=fancam" -H "Cookie: $cookie"
	want "a wrong token at the form: 403" 403 "login" --data "token=nope"
	serve_stop
else
	not_ok "the server starts with a token" "$(cat "$T/serve.err")"
fi

# ---- codes, with --allow-tagging ----
if serve_start "$C" --allow-tagging --facet-limit 100; then
	get "?q=fancam" >"$T/page.html"
	grep -q 'class="count-facets"' "$T/page.html" && ! grep -q 'data-facet="hashtag"' "$T/page.html" &&
		ok "past --facet-limit the page offers to count facets" || not_ok "the page offers facets" "$(status)"
	get "?q=fancam&facets=all" >"$T/page.html"
	grep -q 'data-facet="hashtag"' "$T/page.html" && ok "and counts them when asked" || not_ok "facets when asked" "$(status)"
	get "api/tag" --data "add=reviewed&id=$ID" >/dev/null
	[ "$(status)" = 200 ] && jq -e '.matched == 1 and .changed == 1' "$T/body" >/dev/null &&
		ok "api/tag adds a code to one post" || not_ok "api/tag adds a code" "$(status) $(cat "$T/body")"
	cnt=$("$QUIRE" count -c "$C" 'tag:reviewed')
	[ "$cnt" = 1 ] && ok "the command line sees it" || not_ok "the command line sees the code" "$cnt"
	"$QUIRE" tag -c "$C" --history -f json 'tag:reviewed' >"$T/history.json" 2>&1
	jq -e '[.operations[] | select(.command == "quire serve" and .add == ["reviewed"])] | length == 1' "$T/history.json" >/dev/null &&
		ok "  and its journal names the server as the command" || not_ok "the journal names quire serve" "$(head -c 400 "$T/history.json")"
	get "api/tag" --data "add=batch&q=hostile&media=photo" >/dev/null
	want_n=$("$QUIRE" count -c "$C" '(hostile) media:photo')
	jq -e --argjson n "$want_n" '.matched == $n' "$T/body" >/dev/null && [ "$("$QUIRE" count -c "$C" tag:batch)" = "$want_n" ] &&
		ok "api/tag codes every post of a search ($want_n)" || not_ok "api/tag on a search" "$(cat "$T/body")"
	want "an empty search is not coded whole" 400 "api/tag" --data "add=everything"
	want "a bad code is refused" 400 "api/tag" --data "add=two%20words&id=$ID"
	want "a form from another site is refused" 403 "api/tag" --data "add=x&id=$ID" -H "Origin: http://attacker.example"
	get "tag" --data "code=fromform&action=add&id=$ID&back=/%3Fq%3Dhostile" >"$T/tagged.html"
	[ "$(status)" = 200 ] && grep -q 'href="/?q=hostile"' "$T/tagged.html" && [ "$("$QUIRE" count -c "$C" tag:fromform)" = 1 ] &&
		ok "the page's form codes a post and links back" || not_ok "the page's form" "$(status)"
	# Another writer: an ingest reading a pipe that stays open holds the
	# corpus until the pipe closes.
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
	"$QUIRE" ingest -c "$C" - <"$T/fifo" >/dev/null 2>&1 7>&- &
	ING=$!
	# Wait until it holds the corpus's lock (asking for the lock here could
	# take it first and make the ingest fail instead).
	i=0
	while [ $i -lt 100 ] && ! ls -l "/proc/$ING/fd" 2>/dev/null | grep -Eq 'quire.lock|flintlock'; do
		sleep 0.1
		i=$((i + 1))
	done
	"$QUIRE" tag -c "$C" --dry-run +probe -- 'id:1' >"$T/probe.out" 2>&1
	probe=$?
	get "api/tag" --data "add=locked&q=fancam" >/dev/null
	[ "$(status)" = 409 ] && jq -e '.error | test("locked")' "$T/body" >/dev/null &&
		ok "while an ingest holds the corpus: 409, with the reason" ||
		not_ok "409 while locked" "$(status) $(cat "$T/body"); probe exit $probe: $(cat "$T/probe.out")"
	exec 7>&-
	i=0
	while [ $i -lt 100 ] && kill -0 "$ING" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	kill "$ING" 2>/dev/null
	wait "$ING"
	[ "$("$QUIRE" count -c "$C" tag:locked)" = 0 ] && ok "and nothing was changed" || not_ok "nothing changed while locked"
	get "api/tag" --data "remove=reviewed&id=$ID" >/dev/null
	[ "$("$QUIRE" count -c "$C" tag:reviewed)" = 0 ] && ok "api/tag removes a code" || not_ok "api/tag removes a code" "$(cat "$T/body")"
	serve_stop
else
	not_ok "the server starts with --allow-tagging" "$(cat "$T/serve.err")"
fi
