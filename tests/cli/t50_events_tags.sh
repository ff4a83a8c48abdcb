# Events and codes on a generated corpus: the posts each event tags are the
# ones jq finds in the generator's output with the same rule; codes survive
# re-ingest of a changed record and 'events apply'.
. tests/cli/lib.sh

if ! command -v jq >/dev/null 2>&1; then
	skip "events and tags" "jq is not installed (sh .ci/deps test)"
	exit 0
fi

C="$T/corpus"
sh tests/gen_posts.sh 1200 7 >"$T/posts.jsonl"
check "ingest with --events" "$QUIRE" ingest -q -c "$C" --events tests/fixtures/events "$T/posts.jsonl"
check "the catalogue is stored in the corpus" test -f "$C/events/gen-iwatch.json"

# Post ids of an event, as quire has them and as jq finds them.
ids() { "$QUIRE" search -c "$C" -f ids -n 0 "$@" | sed 's/^twitter://' | sort; }
JQDEF='def ts: .created_at | strptime("%a %b %d %H:%M:%S +0000 %Y") | mktime;
def tags: [.entities.hashtags[].text | ascii_downcase];
def accounts: [(.user.screen_name | ascii_downcase), .user.id_str, (.entities.user_mentions[].screen_name | ascii_downcase)];
def word($re): .full_text | test("(^|[^[:alnum:]_])" + $re + "($|[^[:alnum:]_])"; "i");
def within($lo; $hi): ts >= $lo and ($hi == null or ts < $hi);'
POSTS="$T/posts.jsonl"
expect() { jq -r "$JQDEF select($1) | .id_str" "$POSTS" | sort; }

# Windows in UTC seconds, worked out by hand from the fixture files.
expect 'within(1591056000; 1591142400) and ((tags | index("iwatchdallas")) or word("iwatch\\s+dallas") or (accounts | index("dallas_pd_test")))' >"$T/want"
ids 'event:gen-iwatch' >"$T/got"
check "event gen-iwatch tags exactly the posts jq finds ($(wc -l <"$T/want") posts)" cmp "$T/want" "$T/got"
check "gen-iwatch: the first second of the window is in, the one after it out" sh -c \
	"grep -q '^1267000000000000000$' '$T/got' && grep -q '^1267000000000000002$' '$T/got' && ! grep -q '^1267000000000000001$' '$T/got' && ! grep -q '^1267000000000000003$' '$T/got'"
check "gen-iwatch: by the account, mentioning it, and the hashtag in capitals" sh -c \
	"grep -q '^1267000000000000007$' '$T/got' && grep -q '^1267000000000000008$' '$T/got' && grep -q '^1267000000000000009$' '$T/got'"

expect 'within(1591074000; 1591160400) and word("iwatch\\s+dallas")' >"$T/want"
ids 'event:gen-chicago' >"$T/got"
check "event gen-chicago (a day in America/Chicago) tags exactly the posts jq finds" cmp "$T/want" "$T/got"
check "gen-chicago: 04:59:59Z on 3 June is in, 05:00Z out; a line break inside the phrase matches" sh -c \
	"grep -q '^1267000000000000005$' '$T/got' && ! grep -q '^1267000000000000004$' '$T/got'"

expect 'within(1591009200; 1591311600) and word("fancam")' >"$T/want"
ids 'event:gen-fancam' >"$T/fancam"
check "event gen-fancam (whole word, window written with offsets) tags exactly the posts jq finds" cmp "$T/want" "$T/fancam"

expect 'within(1591153200; null) and ((tags | index("블랙라이브스매터")) or (tags | index("blm")))' >"$T/want"
ids 'event:gen-korean' >"$T/got"
check "event gen-korean (open end, hashtag without case) tags exactly the posts jq finds" cmp "$T/want" "$T/got"

check_grep "events list shows the windows and counts" 'gen-chicago +[0-9]+ posts +2020-06-02 \.\. 2020-06-02 \(America/Chicago\)' \
	"$QUIRE" events list -c "$C"
check_grep "events show prints the references" 'Test Desk \(2020-06-05\)\. A made-up reference\. https://example.org/fancam' \
	"$QUIRE" events show -c "$C" gen-fancam
check_exit 1 "events show of an unknown id" "$QUIRE" events show -c "$C" no-such-event
check_output "events show --format json counts the posts" "$(wc -l <"$T/fancam")" sh -c \
	"'$QUIRE' events show -c '$C' -f json gen-fancam | jq .posts"
check_grep "the JSON record of a post carries its events" '"events":\["gen-chicago","gen-iwatch"\]' \
	"$QUIRE" search -c "$C" -f json 'id:1267000000000000002'

# ---- codes ----
blm=$(jq -r 'select([.entities.hashtags[].text | ascii_downcase] | index("blm")) | .id_str' "$T/posts.jsonl" | wc -l)
check_grep "tag +offmessage on every #BLM post" "^$blm posts matched; \+offmessage on $blm; $blm posts changed" \
	"$QUIRE" tag -c "$C" +offmessage -- '#BLM'
check_output "tag: is searchable" "$blm" sh -c "'$QUIRE' search -c '$C' -f ids -n 0 tag:offmessage | wc -l"
check_grep "tag again changes nothing" "; 0 posts changed" "$QUIRE" tag -c "$C" +OffMessage -- '#blm'
by0=$(jq -r 'select(.user.screen_name == "gen_user_00") | .id_str' "$T/posts.jsonl" | wc -l)
both=$(jq -r 'select(.user.screen_name == "gen_user_00" and ([.entities.hashtags[].text | ascii_downcase] | index("blm"))) | .id_str' "$T/posts.jsonl" | wc -l)
check_grep "tag -offmessage +reviewed" "^$by0 posts matched; \+reviewed on $by0; -offmessage off $both" \
	"$QUIRE" tag -c "$C" -offmessage +reviewed -- from:gen_user_00
check_output "tag --list counts each code" "$((blm - both)) offmessage
$by0 reviewed" sh -c "'$QUIRE' tag --list -c '$C' -f csv | tail -n +2 | tr -d '\r' | awk -F, '{print \$2, \$1}' | sort -k2"
check_output "facets --by tag agrees" "offmessage,$((blm - both))" sh -c \
	"'$QUIRE' facets -c '$C' --by tag -f csv | grep offmessage | cut -d, -f1,2"
check "tag an edge post that is in two events" "$QUIRE" tag -c "$C" +edge -- id:1267000000000000002

# A new version of the post's record (collected again, more likes), and
# of a #BLM post: codes and events stay.
blm1=$(jq -r 'select([.entities.hashtags[].text | ascii_downcase] | index("blm")) | .id_str' "$T/posts.jsonl" | head -1)
{ sed -n 3p "$T/posts.jsonl"; grep "\"id_str\":\"$blm1\"" "$T/posts.jsonl"; } | sed 's/"favorite_count":[0-9]*/"favorite_count":99999/' >"$T/again.jsonl"
check_grep "re-ingest of two changed records" ' 2 updated' "$QUIRE" ingest -q -c "$C" "$T/again.jsonl"
check_output "the code stays on the new version" "1267000000000000002" sh -c "'$QUIRE' search -c '$C' -f ids tag:edge | sed 's/^twitter://'"
check_output "the #BLM post keeps its code" "1" sh -c "'$QUIRE' search -c '$C' -f ids -n 0 'tag:offmessage id:$blm1' | wc -l"
check_grep "the new version keeps its events" '"events":\["gen-chicago","gen-iwatch"\]' "$QUIRE" search -c "$C" -f json tag:edge
check_grep "and is the new version" '"likes":99999' "$QUIRE" search -c "$C" -f json tag:edge

# A changed catalogue: gen-fancam goes, gen-iwatch narrows to one hour.
mkdir "$T/cat2"
cp tests/fixtures/events/gen-chicago.json tests/fixtures/events/gen-korean.json "$T/cat2/"
sed 's/"end": "2020-06-02"/"end": "2020-06-02T01:00"/' tests/fixtures/events/gen-iwatch.json >"$T/cat2/gen-iwatch.json"
# The posts whose events change: those of gen-fancam, and those gen-iwatch
# loses.
ids 'event:gen-iwatch' >"$T/iwatch.old"
expect 'within(1591056000; 1591059600) and ((tags | index("iwatchdallas")) or word("iwatch\\s+dallas") or (accounts | index("dallas_pd_test")))' >"$T/iwatch.new"
changed=$({ cat "$T/fancam"; comm -23 "$T/iwatch.old" "$T/iwatch.new"; } | sort -u | wc -l)
check_grep "events apply rewrites only the $changed posts whose events change" "^applied 3 events to 1,200 posts: $changed changed" \
	"$QUIRE" events apply -c "$C" --events "$T/cat2"
check_output "no post is in the removed event" "0" sh -c "'$QUIRE' search -c '$C' -f ids -n 0 event:gen-fancam | wc -l"
ids 'event:gen-iwatch' >"$T/got"
check "the narrowed event tags exactly the posts jq finds" cmp "$T/iwatch.new" "$T/got"
check_output "codes survive events apply" "$((blm - both))" sh -c "'$QUIRE' search -c '$C' -f ids -n 0 tag:offmessage | wc -l"
check_grep "a second apply changes nothing" "applied 3 events to 1,200 posts: 0 changed" "$QUIRE" events apply -c "$C"
check "the corpus keeps the new catalogue" sh -c "test ! -e '$C/events/gen-fancam.json' && ls '$C/events' | wc -l | grep -qx 3"
check_grep "stats says the catalogue is applied" 'events +3 in the catalogue \(applied\)' "$QUIRE" stats -c "$C"

# A catalogue edited in the corpus is applied by the next ingest.
sed -i 's/"terms": \["iwatch dallas"\]/"terms": ["nothing to see"]/' "$C/events/gen-chicago.json"
check_grep "stats notices an edited catalogue" 'not applied to every post' "$QUIRE" stats -c "$C"
sh tests/gen_posts.sh 1201 7 | tail -1 >"$T/one.jsonl"
check_grep "the next ingest applies it first" 'applied 3 events to 1,200 posts' "$QUIRE" ingest -q -c "$C" "$T/one.jsonl"
cat "$T/posts.jsonl" "$T/one.jsonl" >"$T/all.jsonl"
POSTS="$T/all.jsonl"
expect 'within(1591074000; 1591160400) and word("nothing\\s+to\\s+see")' >"$T/want"
ids 'event:gen-chicago' >"$T/got"
check "the edited event tags exactly the posts jq finds" cmp "$T/want" "$T/got"

# ---- hostile input ----
check_exit 3 "events check of broken files" "$QUIRE" events check tests/fixtures/events-bad
out=$("$QUIRE" events check tests/fixtures/events-bad 2>&1)
for want in 'bad-json.json: not valid JSON \(line 3, column 17\)' \
	'unknown-field.json: hashtag: unknown field' \
	"bad-zone.json: zone: 'Mars/Olympus_Mons' is not a time zone" \
	"bad-time.json: start: '2020-13-01' is not a date or time" \
	"end-before-start.json: end: '2020-06-02T23:00' is not after the start" \
	'no-criteria.json: an event needs at least one of hashtags, terms or accounts' \
	"dup-b.json: id: 'twice' is already the id of another event" \
	'dup-key.json: id: appears more than once' \
	'bad-ref.json: references\[0\]\.date: missing' \
	"bad-ref.json: references\[0\]\.url: 'ftp://example.org/x' is not an http or https URL" \
	'bad-lists.json: hashtags\[0\]' 'bad-lists.json: accounts\[0\]: must be a string' 'bad-lists.json: terms\[0\]' \
	'not-object.json: an event file holds one JSON object' \
	"escape-id.json: id: 'Bad\\\\e\[31mId' is not an event id"; do
	if printf '%s\n' "$out" | grep -Eq -- "$want"; then ok "check names file and field: $want"; else not_ok "check names file and field: $want" "$out"; fi
done
if printf '%s' "$out" | grep -q "$(printf '\033')"; then not_ok "no raw escape reaches the terminal"; else ok "no raw escape reaches the terminal"; fi
check_exit 3 "ingest --events with a broken catalogue" "$QUIRE" ingest -c "$T/never" --events tests/fixtures/events-bad "$T/posts.jsonl"
check "and creates no corpus" test ! -e "$T/never"
check_exit 2 "events with no action" "$QUIRE" events -c "$C"
check_exit 2 "events with an unknown action" "$QUIRE" events -c "$C" frobnicate
check_exit 2 "tag without a code" "$QUIRE" tag -c "$C" -- '#BLM'
check_exit 2 "tag without a query" "$QUIRE" tag -c "$C" +x
check_exit 2 "tag with a malformed code" "$QUIRE" tag -c "$C" '+a"b' -- '#BLM'
check_exit 2 "tag adding and removing the same code" "$QUIRE" tag -c "$C" +a -a -- '#BLM'
check_exit 1 "tag with no match" "$QUIRE" tag -c "$C" +x -- 'nosuchwordanywhere'
check_grep "tag --dry-run changes nothing" 'would change \(dry run\)' "$QUIRE" tag -c "$C" --dry-run +dry -- '#BLM'
check_output "after a dry run the code is nowhere" "0" sh -c "'$QUIRE' search -c '$C' -f ids -n 0 tag:dry | wc -l"

if [ -d corpus/demo/data ]; then
	check "the shipped catalogue is valid" "$QUIRE" events check corpus/events
	if python3 -c 'import jsonschema' 2>/dev/null; then
		check "the shipped catalogue and the fixtures follow schemas/event.schema.json" python3 -c '
import glob, json, jsonschema, sys
s = json.load(open("schemas/event.schema.json"))
jsonschema.Draft202012Validator.check_schema(s)
for f in sorted(glob.glob("corpus/events/*.json") + glob.glob("tests/fixtures/events/*.json")):
    jsonschema.validate(json.load(open(f)), s)
bad = 0
for f in sorted(glob.glob("tests/fixtures/events-bad/*.json")):
    try:
        jsonschema.validate(json.load(open(f)), s)
        if not f.endswith(("dup-a.json", "dup-b.json", "dup-key.json", "bad-zone.json", "bad-time.json", "end-before-start.json")):
            sys.exit("schema accepts " + f)
    except (ValueError, jsonschema.ValidationError):
        bad += 1
'
	else
		skip "the catalogue follows the JSON Schema" "python3 jsonschema is not installed"
	fi
fi
