# schemas/post.schema.json describes what quire prints: every post of the
# fixtures, as 'quire show' and 'quire search -f json' give it, validates
# (with Debian's python3-jsonschema, draft 2020-12), and broken posts do not.
. tests/cli/lib.sh

SCHEMA="$ROOT/schemas/post.schema.json"
FIX="$FIXTURES/twitter-v1"
PY=/usr/bin/python3

# validate FILE...: each file holds JSON values one after another (pretty or
# not); prints one line per error and exits 1 when there is any.  With
# COUNT_INVALID set it prints "N of M invalid" instead.
validate() {
	"$PY" - "$SCHEMA" "$@" <<'EOF'
import json, os, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
dec = json.JSONDecoder()
bad = seen = invalid = 0
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8").read()
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        value, pos = dec.raw_decode(text, pos)
        seen += 1
        errors = list(validator.iter_errors(value))
        invalid += 1 if errors else 0
        for err in errors:
            bad += 1
            if os.environ.get("COUNT_INVALID"):
                continue
            where = "/".join(str(p) for p in err.absolute_path)
            print("%s: %s: /%s: %s" % (path, value.get("id", "?") if isinstance(value, dict) else "?", where, err.message))
if not seen:
    print("no JSON values to validate")
    bad += 1
if os.environ.get("COUNT_INVALID"):
    print("%d of %d invalid" % (invalid, seen))
    sys.exit(0)
sys.exit(1 if bad else 0)
EOF
}

if ! "$PY" -c 'import jsonschema' 2>/dev/null; then
	skip "posts validate against schemas/post.schema.json" "python3-jsonschema is not installed (sh .ci/deps test)"
	exit 0
fi

check "the schema is a valid draft 2020-12 schema" "$PY" -c "
import json; from jsonschema import Draft202012Validator
Draft202012Validator.check_schema(json.load(open('$SCHEMA')))"

C="$T/corpus"
# A zip member first, so that source.member is there too; the directory
# then brings a changed record, so that a post has record.versions.
(cd "$FIX" && zip -q "$T/tweets.zip" tweets.jsonl)
"$QUIRE" ingest -q -c "$C" "$T/tweets.zip" >/dev/null 2>&1
"$QUIRE" ingest -q -c "$C" "$FIX" >/dev/null 2>&1
"$QUIRE" search -c "$C" -n 0 -f ids '' >"$T/ids"
check_output "the corpus holds the 12 fixture posts" "12" sh -c "wc -l <'$T/ids' | tr -d ' '"
# shellcheck disable=SC2046
"$QUIRE" show -c "$C" $(cat "$T/ids") >"$T/show.json"
check "every post 'quire show' prints validates" validate "$T/show.json"
check_output "...and they use what the schema has: versions, member, media variants, extra, quote_of, reply_to" \
	"1 1 1 1 1 1" jq -s -r '[ (map(select(.record.versions)) | length > 0), (map(select(.source.member)) | length > 0),
	(map(select(.media[]?.variants)) | length > 0), (map(select(.extra.place)) | length > 0),
	(map(select(.quote_of)) | length > 0), (map(select(.reply_to)) | length > 0) ] | map(if . then 1 else 0 end) | join(" ")' \
	"$T/show.json"
"$QUIRE" search -c "$C" -n 0 -f json '' | jq -c '.results[].post' >"$T/search.jsonl"
check "every post of 'quire search -f json' validates" validate "$T/search.jsonl"

# The validator is not a rubber stamp: each of these broken posts fails.
one=$(jq -c 'select(.id == "twitter:1267245000000000003")' "$T/search.jsonl")
: >"$T/broken.jsonl"
for mutation in '.surprise = 1' 'del(.text)' 'del(.record.sha256)' '.created_at = "Wed Jun 03 14:02:11 +0000 2020"' \
	'.kind = "retweet"' '.record.sha256 = "XYZ"' '.record.locator = "1.zst"' '.media[0].size = -1' '.hashtags = "x"' \
	'.metrics.likes = "many"' '.native_id = 1267245000000000003' '.author.followers = 3' '.source.line = 0' \
	'.extra = {}' '.reply_to = "1267245000000000003"' '.media[0].variants = []'; do
	printf '%s\n' "$one" | jq -c "$mutation" >>"$T/broken.jsonl"
done
count_invalid() { export COUNT_INVALID=1; validate "$@"; }
check_output "16 posts broken in 16 ways are all invalid" "16 of 16 invalid" count_invalid "$T/broken.jsonl"
