# Questions about the demo corpus, asked through the query language: the
# counts must be the generator's own (corpus/demo/TRUTH.json).  Then the
# demo's cited posts go through pandoc's citeproc.
. tests/cli/lib.sh

DEMO="$ROOT/corpus/demo"
TRUTH="$DEMO/TRUTH.json"
if [ ! -f "$TRUTH" ] || ! command -v jq >/dev/null 2>&1; then
	skip "demo questions" "no corpus/demo/TRUTH.json or no jq"
	exit 0
fi
C="$T/demo"
ingest_or_exit "ingest the demo corpus" "$C" "$DEMO/data"
export QUIRE_CORPUS="$C"

# ask DESC QUERY JQ-PATH [OPTIONS...]: quire count QUERY = TRUTH's number.
ask() {
	d=$1 q=$2 path=$3; shift 3
	want=$(jq -r "$path" "$TRUTH")
	check_output "$d: $q = $want" "$want" "$QUIRE" count "$@" "$q"
}

ask "every post" '' '.unique_posts'
for k in original repost reply quote; do ask "kind" "is:$k" ".kinds.$k"; done
for l in $(jq -r '.langs | keys[]' "$TRUTH"); do ask "language" "lang:$l" ".langs[\"$l\"]"; done
for m in photo video gif none; do ask "media" "media:$m" ".media.$m"; done
# A repost carries its original's hashtags (TRUTH's second rule).
for h in $(jq -r '.hashtags_reposts_use_original | keys[]' "$TRUTH"); do
	ask "hashtag" "#$h" ".hashtags_reposts_use_original[\"$h\"]"
done
ask "hashtag, capitalised" '#WhiteLivesMatter' '.hashtags_reposts_use_original.whitelivesmatter'
for d in $(jq -r '.days | keys[]' "$TRUTH"); do ask "day" "date:$d" ".days[\"$d\"]"; done
ask "a range of days" 'date:2020-05-31..2020-06-01' '.days["2020-05-31"] + .days["2020-06-01"]'
ask "an open range" 'date:2020-06-05..' '.days["2020-06-05"] + .days["2020-06-06"] + .days["2020-06-07"]'
ask "--since/--until" '' '.days["2020-06-02"] + .days["2020-06-03"]' --since 2020-06-02 --until 2020-06-03
ask "#WhiteLivesMatter on 3 June" '#whitelivesmatter date:2020-06-03' '.whitelivesmatter_2020_06_03_total'
for h in 0 4 5 6 13 23; do
	hh=$(printf %02d "$h")
	ask "#WhiteLivesMatter, hour $hh" "#whitelivesmatter date:2020-06-03T$hh" ".whitelivesmatter_2020_06_03_by_hour[$h].posts"
	ask "... with video or GIF" "#whitelivesmatter 2020-06-03T$hh:00..2020-06-03T$hh:59 (media:video OR media:gif)" ".whitelivesmatter_2020_06_03_by_hour[$h].with_video_or_gif"
done
ask "fancams" 'fanc*' '.fancam_posts_reposts_use_original'
for a in $(jq -r '.authors_top20[0:5][] | .screen_name' "$TRUTH"); do
	ask "author" "from:$a" "[.authors_top20[] | select(.screen_name == \"$a\") | .posts][0]"
done
for id in $(jq -r '(.duplicate_ids + .changed_ids)[]' "$TRUTH"); do
	check_output "a post collected twice is one post: $id" "1" "$QUIRE" count "id:$id"
done
ids=$(jq -r '.example_whitelivesmatter_fancam | join(" ")' "$TRUTH")
check_output "the example fancams are the five lowest ids of their question" "$ids" sh -c \
	"'$QUIRE' search -f ids -n 0 '#whitelivesmatter fancam* is:original media:video' | sort | head -5 | tr '\n' ' ' | sed 's/ \$//'"
check_output "--collapse counts a post and its reposts once" \
	"$(( $(jq .unique_posts "$TRUTH") - $(jq .kinds.repost "$TRUTH") ))" "$QUIRE" count --collapse repost 'NOT is:repost OR is:repost'

# The demo's cited posts (the statement and the example fancams), through
# pandoc's citeproc with its default style.
statement=$(jq -r .statement_id "$TRUTH")
"$QUIRE" cite -f csl-json "$statement" $ids >"$T/cited.json" 2>"$T/cite.err"
check_output "cite: six CSL-JSON items" "6" jq length "$T/cited.json"
"$QUIRE" cite -f jsonl "$statement" $ids >"$T/cited.jsonl"
if command -v pandoc >/dev/null 2>&1; then
	printf -- '---\nbibliography: %s\nnocite: "@*"\n---\n' "$T/cited.json" >"$T/cited.md"
	if pandoc --citeproc -t plain --wrap=none "$T/cited.md" -o "$T/cited.txt" 2>"$T/pandoc.err"; then
		ok "pandoc --citeproc renders the demo's cited posts"
		check "each rendered reference names author, date, text, label, platform, URL" python3 - "$T/cited.txt" "$T/cited.jsonl" <<'PY'
import json, sys
def plain(s):
    for q in "\u2018\u2019\u201c\u201d'":
        s = s.replace(q, '"')
    return s.replace("\u2060", "")
entries = [plain(e) for e in open(sys.argv[1], encoding="utf-8").read().split("\n\n") if e.strip()]
assert len(entries) == 6, len(entries)
for line in open(sys.argv[2]):
    p = json.loads(line)["post"]
    author = plain("%s [@%s]" % (p["author"]["name"], p["author"]["handle"]))
    text = plain(" ".join(p["text"].split()))
    hits = [e for e in entries if p["url"] in e]
    assert len(hits) == 1, (p["url"], hits)
    e = hits[0]
    for want in (author, text, " 2020", "Tweet. Twitter."):
        assert want in e, "%r not in %r" % (want, e)
    if p["media"]:
        assert "attached" in e, e
PY
	else
		not_ok "pandoc --citeproc renders the demo's cited posts" "$(cat "$T/pandoc.err")"
	fi
else
	skip "pandoc --citeproc renders the demo's cited posts" "pandoc is not installed"
fi
check_grep "the statement in APA 7" "^.+ \\[@[a-z0-9_]+\\]\\. \\(2020, June 4\\)\\. .+ \\[Tweet\\]\\. Twitter\\. https://twitter\\.com/[a-z0-9_]+/status/$statement\$" "$QUIRE" cite "$statement"

