# Event windows written as instants: when start and end both carry Z or an
# offset the zone may be left out, and such a catalogue is applied by
# ingest and by 'events apply' exactly as jq reads the window; a time
# without an offset still needs the zone, and the JSON Schema says the same.
. tests/cli/lib.sh

if ! command -v jq >/dev/null 2>&1; then
	skip "event windows with offsets" "jq is not installed (sh .ci/deps test)"
	exit 0
fi
E=tests/fixtures/events-offsets
sh tests/gen_posts.sh 1200 7 >"$T/posts.jsonl"
POSTS="$T/posts.jsonl"
JQDEF='def ts: .created_at | strptime("%a %b %d %H:%M:%S +0000 %Y") | mktime;
def tags: [.entities.hashtags[].text | ascii_downcase];
def word($re): .full_text | test("(^|[^[:alnum:]_])" + $re + "($|[^[:alnum:]_])"; "i");
def within($lo; $hi): ts >= $lo and ts < $hi;'
expect() { jq -r "$JQDEF select($1) | .id_str" "$POSTS" | sort; }
ids() { "$QUIRE" search -c "$1" -f ids -n 0 "$2" | sed 's/^twitter://' | sort; }
# The windows in UTC seconds, worked out by hand: 2020-06-02T00:00Z to
# 2020-06-03T06:00Z, and 2020-06-02T12:00-05:00 (17:00Z) to
# 2020-06-03T00:00-05:00 (05:00Z).
expect 'within(1591056000; 1591164000) and word("iwatch\\s+dallas")' >"$T/utc.want"
expect 'within(1591117200; 1591160400) and (tags | index("blm"))' >"$T/dallas.want"

check_grep "events check: no zone is needed when both times carry one" '^2 events, no problems$' \
	"$QUIRE" events check "$E"
for f in "$E"/*.json; do
	if jq -e 'has("zone") | not' "$f" >/dev/null; then ok "$(basename "$f") has no zone"; else not_ok "$(basename "$f") has no zone"; fi
done

C="$T/ingested"
check "ingest --events with the zone-less catalogue" "$QUIRE" ingest -q -c "$C" --events "$E" "$POSTS"
ids "$C" event:gen-utc-instants >"$T/got"
check "ingest: the Z window tags exactly the posts jq finds ($(wc -l <"$T/utc.want") posts)" cmp "$T/utc.want" "$T/got"
ids "$C" event:gen-dallas-offsets >"$T/got"
check "ingest: the -05:00 window tags exactly the posts jq finds ($(wc -l <"$T/dallas.want") posts)" cmp "$T/dallas.want" "$T/got"
check_grep "events list shows the window as written, without a zone" \
	'gen-utc-instants +[0-9]+ posts +2020-06-02T00:00:00Z \.\. 2020-06-03T06:00:00.000Z$' "$QUIRE" events list -c "$C"
check_output "events show --format json: no zone, the window in UTC" \
	'null 2020-06-02T17:00:00Z 2020-06-03T05:00:00Z' \
	sh -c "'$QUIRE' events show -c '$C' -f json gen-dallas-offsets | jq -r '[.zone, .start_utc, .end_utc] | map(. // \"null\") | join(\" \")'"

C="$T/applied"
check "a corpus ingested without events" "$QUIRE" ingest -q -c "$C" "$POSTS"
want=$(sort -u "$T/utc.want" "$T/dallas.want" | wc -l | tr -d ' ')
check_grep "events apply --events with the zone-less catalogue tags $want posts" \
	"^applied 2 events to 1,200 posts: $want changed" "$QUIRE" events apply -c "$C" --events "$E"
ids "$C" event:gen-utc-instants >"$T/got"
check "events apply: the Z window tags exactly the posts jq finds" cmp "$T/utc.want" "$T/got"
ids "$C" event:gen-dallas-offsets >"$T/got"
check "events apply: the -05:00 window tags exactly the posts jq finds" cmp "$T/dallas.want" "$T/got"

# A time without an offset still needs the zone.
for f in no-zone no-zone-local-end; do
	check_exit 3 "events check refuses $f.json" "$QUIRE" events check "tests/fixtures/events-bad/$f.json"
done
check_grep "... and says which time has no offset" \
	"no-zone-local-end.json: zone: missing: '2020-06-02T00:00' has no offset" \
	"$QUIRE" events check tests/fixtures/events-bad/no-zone-local-end.json
check_grep "a bare date without a zone is refused too" "no-zone.json: zone: missing: '2020-06-01' has no offset" \
	"$QUIRE" events check tests/fixtures/events-bad/no-zone.json

if python3 -c 'import jsonschema' 2>/dev/null; then
	check "schemas/event.schema.json: zone optional with offsets, required without" python3 -c '
import json, jsonschema, sys
s = json.load(open("schemas/event.schema.json"))
jsonschema.Draft202012Validator.check_schema(s)
for f in ("gen-utc-instants", "gen-dallas-offsets"):
    jsonschema.validate(json.load(open("tests/fixtures/events-offsets/%s.json" % f)), s)
for f in ("no-zone", "no-zone-local-end"):
    try:
        jsonschema.validate(json.load(open("tests/fixtures/events-bad/%s.json" % f)), s)
        sys.exit("schema accepts " + f)
    except jsonschema.ValidationError as e:
        if "zone" not in e.message:
            sys.exit(f + ": " + e.message)
'
else
	skip "the schema says when the zone is required" "python3 jsonschema is not installed"
fi
