# What spread: facets --by reposted|quoted|file|url and search --sort reposts,
# over reposts of every platform that has them (Twitter v1.1 retweets, v2
# retweeted references, Gnip shares, Twitter archive retweets, Mastodon
# boosts), made here at test time from the shapes of tests/fixtures.
. tests/cli/lib.sh
. tests/cli/media.sh

G="$T/in"
mkdir -p "$G"

# -- the inputs --------------------------------------------------------------
python3 - "$G" "$FIXTURES" <<'EOF'
import copy, json, os, sys
out, fx = sys.argv[1], sys.argv[2]

def user(i, handle):
    return {"id": int(i), "id_str": str(i), "screen_name": handle, "name": handle.replace("_", " ").title()}

def tweet(tid, when, u, text, **kw):
    t = {"created_at": when, "id": int(tid), "id_str": str(tid), "full_text": text, "truncated": False,
         "display_text_range": [0, len(text)], "entities": {"hashtags": [], "user_mentions": [], "urls": []},
         "user": u, "lang": "en", "in_reply_to_status_id_str": None}
    t.update(kw)
    return t

def media(mid, url):
    return {"id": mid, "id_str": str(mid), "type": "photo", "media_url_https": url, "url": "https://t.co/m%d" % (mid % 1000),
            "expanded_url": "https://twitter.com/x/status/1/photo/1", "display_url": "pic.twitter.com/x", "indices": [0, 1]}

LONG = "https://news.example/" + "long-path/" * 30 + "story.html"
PIC = "https://pbs.twimg.com/media/SameFancamPic.jpg"
# Twitter v1.1: an original that starts like a formula, retweeted six
# times (10:00 to 12:40); an original known only through two retweets; a
# quote of the first, and a retweet of that quote (no quote of its own).
O1 = tweet(1268900000000000001, "Wed Jun 03 09:00:00 +0000 2020", user(70001, "origin_a"),
           "=HYPERLINK(\"http://x\") fancams only #WhiteLivesMatter")
O1["entities"]["hashtags"] = [{"text": "WhiteLivesMatter", "indices": [0, 1]}]
O2 = tweet(1268900000000000002, "Wed Jun 03 08:00:00 +0000 2020", user(70002, "origin_b"), "@someone: not collected itself")
v1 = [O1]
for k in range(6):
    v1.append(tweet(1268900000000000100 + k, "Wed Jun 03 %02d:%02d:00 +0000 2020" % (10 + k // 2, 20 * (k % 2)),
                    user(71000 + k, "fan_%d" % k), "RT @origin_a: " + O1["full_text"], retweeted_status=O1))
for k in range(2):
    v1.append(tweet(1268900000000000200 + k, "Wed Jun 03 13:0%d:00 +0000 2020" % k, user(72000 + k, "fan_b%d" % k),
                    "RT @origin_b: " + O2["full_text"], retweeted_status=O2))
Q = tweet(1268900000000000300, "Wed Jun 03 14:00:00 +0000 2020", user(73000, "quoter"), "look at this",
          quoted_status_id_str=str(O1["id"]), quoted_status=O1)
v1.append(Q)
v1.append(tweet(1268900000000000301, "Wed Jun 03 14:30:00 +0000 2020", user(73001, "rt_of_quote"), "RT @quoter: look at this",
                retweeted_status=Q, quoted_status_id_str=str(O1["id"]), quoted_status=O1))
# The same picture posted three times by two accounts; a long link twice.
for k, (uid, h) in enumerate([(74000, "pic_a"), (74001, "pic_b"), (74000, "pic_a")]):
    t = tweet(1268900000000000400 + k, "Wed Jun 03 15:0%d:00 +0000 2020" % k, user(uid, h), "same fancam again")
    t["entities"]["media"] = [media(1268900000000000900, PIC)]
    t["extended_entities"] = {"media": [media(1268900000000000900, PIC)]}
    v1.append(t)
for k in range(2):
    t = tweet(1268900000000000500 + k, "Wed Jun 03 16:0%d:00 +0000 2020" % k, user(75000 + k, "linker_%d" % k),
              "read " + LONG)
    t["entities"]["urls"] = [{"url": "https://t.co/L%d" % k, "expanded_url": LONG, "display_url": "news.example/…",
                              "indices": [5, 6]}]
    v1.append(t)
with open(os.path.join(out, "v1.jsonl"), "w") as f:
    for t in v1:
        f.write(json.dumps(t, ensure_ascii=False) + "\n")

# Twitter v2 (flattened): the fixture's retweet and three more of the same.
first = json.loads(open(os.path.join(fx, "twitter-v2", "flat.jsonl")).readline())
with open(os.path.join(out, "v2.jsonl"), "w") as f:
    for k in range(4):
        t = copy.deepcopy(first)
        t["id"] = t["conversation_id"] = str(1268400000000000500 + k)
        t["author_id"] = t["author"]["id"] = str(96000 + k)
        t["author"]["username"] = "v2_fan_%d" % k
        f.write(json.dumps(t, ensure_ascii=False) + "\n")

# Gnip activities: the fixture's share and four more of the same object.
share = None
for line in open(os.path.join(fx, "gnip-activity", "activities.json")):
    if line.strip() and json.loads(line).get("verb") == "share":
        share = json.loads(line)
with open(os.path.join(out, "gnip.json"), "w") as f:
    for k in range(5):
        a = copy.deepcopy(share)
        a["id"] = "tag:search.twitter.com,2005:%d" % (1268500000000000600 + k)
        a["link"] = "http://twitter.com/gnip_fan_%d/statuses/%d" % (k, 1268500000000000600 + k)
        a["actor"]["id"] = "id:twitter.com:%d" % (97000 + k)
        a["actor"]["preferredUsername"] = "gnip_fan_%d" % k
        f.write(json.dumps(a, ensure_ascii=False) + "\n")

# Mastodon: the export's boost, boosted twice more (three boosts, one account).
tree = os.path.join(out, "mastodon")
ob = json.load(open(os.path.join(fx, "mastodon", "outbox.json")))
boost = [i for i in ob["orderedItems"] if i.get("type") == "Announce"][0]
for k in range(2):
    b = copy.deepcopy(boost)
    b["id"] = b["id"].replace("104289555555555555", "10428955555555556%d" % k)
    ob["orderedItems"].append(b)
ob["totalItems"] = len(ob["orderedItems"])
os.makedirs(tree)
json.dump(ob, open(os.path.join(tree, "outbox.json"), "w"))
for name in ("actor.json", "likes.json", "bookmarks.json"):
    open(os.path.join(tree, name), "w").write(open(os.path.join(fx, "mastodon", name)).read())

# Twitter archive: two retweets whose media name the retweeted post, beside
# the fixture's retweet, which names none (the archive keeps its text alone).
arch = os.path.join(out, "archive")
os.makedirs(os.path.join(arch, "data"))
for name in os.listdir(os.path.join(fx, "twitter-archive", "data")):
    open(os.path.join(arch, "data", name), "w").write(open(os.path.join(fx, "twitter-archive", "data", name)).read())
path = os.path.join(arch, "data", "tweets.js")
head, body = open(path).read().split("=", 1)
items = json.loads(body)
rt = [i for i in items if i["tweet"]["full_text"].startswith("RT @")][0]
for k in range(2):
    r = copy.deepcopy(rt)
    r["tweet"]["id"] = r["tweet"]["id_str"] = str(1268270000000000700 + k)
    m = {"id_str": "1268270000000000799", "media_url_https": "https://pbs.twimg.com/media/ArchivePic.jpg",
         "type": "photo", "source_status_id_str": "1268260000000000042", "url": "https://t.co/x", "indices": ["0", "1"]}
    r["tweet"]["entities"]["media"] = [m]
    r["tweet"]["extended_entities"] = {"media": [m]}
    items.append(r)
open(path, "w").write(head + "= " + json.dumps(items, indent=2))
EOF
check "the inputs are made at test time" test -s "$G/v1.jsonl"
# The archives' files, as tests/cli/t21_twitter_archive.sh and
# t22_mastodon.sh write them: the same picture twice in the Twitter archive.
mkdir -p "$G/archive/data/tweets_media" "$G/mastodon/media_attachments/files/104/288/123/456/789/012/original"
png_red >"$G/archive/data/tweets_media/1268260000000000001-EZ1abcDXsAAb12c.png"
png_red >"$G/archive/data/tweets_media/1668890000000000004-Fz9qwertyAAAbbb.png"
png_blue >"$G/mastodon/media_attachments/files/104/288/123/456/789/012/original/a1b2c3d4e5f6a7b8.png"
check "the Mastodon export is tarred" sh -c "cd '$G/mastodon' && tar -czf '$G/mastodon.tar.gz' media_attachments outbox.json likes.json bookmarks.json actor.json"
check "the Twitter archive is zipped" sh -c "cd '$G/archive' && find . -type f | sed 's|^\./||' | LC_ALL=C sort | zip -q -X '$G/archive.zip' -@"
rm -rf "$G/mastodon" "$G/archive"

C="$T/corpus"
ingest_or_exit "every input goes in" "$C" "$G"
F() { "$QUIRE" facets -c "$C" "$@"; }

# -- reposted, every platform ------------------------------------------------
V1=twitter:1268900000000000001 V2=twitter:1268300000000000009 GN=twitter:1268400000000000077
MA=mastodon:other.example/104287000000000042 AR=twitter:1268260000000000042 NOTIN=twitter:1268900000000000002
F --by reposted -n 0 -f json >"$T/reposted.json"
check_output "reposted: every platform's reposts, most first, exact counts" \
"$V1 6 6
$GN 5 5
$V2 4 4
$MA 3 1
$AR 2 1
$NOTIN 2 2
twitter:1268900000000000300 1 1" jq -r '.values[] | "\(.value) \(.posts) \(.authors)"' "$T/reposted.json"
check_output "reposted: totals (posts, reposts naming a post, the archive's retweet that names none)" \
	"23 7 $("$QUIRE" count -c "$C" '')" jq -r '"\(.carrying) \(.distinct) \(.posts)"' "$T/reposted.json"
check_output "reposted: the archive's retweet without an id is counted as unnamed" "1" jq -r .unnamed "$T/reposted.json"
check_output "reposted: the original in the corpus, with author, time and text" \
	'origin_a 2020-06-03T09:00:00Z =HYPERLINK("http://x") fancams only #WhiteLivesMatter' \
	jq -r '.values[0].post | "\(.author.handle) \(.created_at) \(.text)"' "$T/reposted.json"
check_output "reposted: the first repost of each (time, then id)" \
	"twitter:1268900000000000100 fan_0 2020-06-03T10:00:00Z" \
	jq -r '.values[0].first | "\(.id) \(.author.handle) \(.created_at)"' "$T/reposted.json"
check_output "reposted: a post not in the corpus has no post, but its first repost" "null twitter:1268900000000000200" \
	jq -r ".values[] | select(.value == \"$NOTIN\") | \"\\(.post) \\(.first.id)\"" "$T/reposted.json"
for id in $V1 $GN $V2 $MA $AR; do
	want=$(jq -r ".values[] | select(.value == \"$id\") | .posts" "$T/reposted.json")
	check_output "reposted: $id's count equals 'repost_of:' (${want})" "$want" "$QUIRE" count -c "$C" "repost_of:$id"
done
check_output "repost_of: takes a bare native id too" "6" "$QUIRE" count -c "$C" "repost_of:1268900000000000001"
check_output "reposted: counted within the matches only" "$V1 2" \
	sh -c "'$QUIRE' facets -c '$C' --by reposted -f json 'date:2020-06-03T11:00..2020-06-03T11:59' | jq -r '.values[] | \"\\(.value) \\(.posts)\"'"
check_output "reposted: --top cuts, distinct counts all" "2 7" \
	sh -c "'$QUIRE' facets -c '$C' --by reposted -n 2 -f json | jq -r '\"\\(.values | length) \\(.distinct)\"'"
check_grep "reposted: text names the post, its author and its first repost" \
	'6 +[0-9.]+% +6  twitter:1268900000000000001' F --by reposted
check_grep "reposted: text says when the corpus lacks the post" '\(not in the corpus\) as its first repost shows it: RT @origin_b' \
	F --by reposted
check_grep "reposted: text counts the reposts that name no post" '1 reposts among them name no post' F --by reposted

# -- quoted --------------------------------------------------------------------
check_output "quoted: the quote counts, the retweet of the quote does not" "$V1 1 twitter:1268900000000000300" \
	sh -c "'$QUIRE' facets -c '$C' --by quoted -f json 'from:quoter OR from:rt_of_quote' | jq -r '.values[] | \"\\(.value) \\(.posts) \\(.first.id)\"'"
check_output "quote_of: finds the quote" "1" "$QUIRE" count -c "$C" "quote_of:$V1"

# -- file ----------------------------------------------------------------------
F --by file -n 0 -f json >"$T/file.json"
check_output "file: the same picture, three posts by two accounts" "3 2 photo pic_a" \
	jq -r '.values[] | select(.value == "https://pbs.twimg.com/media/SameFancamPic.jpg") | "\(.posts) \(.authors) \(.media.type) \(.first.author.handle)"' "$T/file.json"
check_output "file: by sha256 when the archive held the file: the same picture twice, one account" "2 1" \
	jq -r '[.values[] | select(.value | startswith("sha256:"))] | max_by(.posts) | "\(.posts) \(.authors)"' "$T/file.json"
sha=$(jq -r '[.values[] | select(.value | startswith("sha256:"))] | max_by(.posts) | .value | ltrimstr("sha256:")' "$T/file.json")
want=$(jq -r '[.values[] | select(.value | startswith("sha256:"))] | max_by(.posts) | .posts' "$T/file.json")
check_output "file: a sha256's count equals media:sha256:" "$want" "$QUIRE" count -c "$C" "media:sha256:$sha"

# -- url -----------------------------------------------------------------------
LONG="https://news.example/$(printf 'long-path/%.0s' $(seq 30))story.html"
check_output "url: a link longer than a term is shown whole, with its posts and authors" "2 2" \
	sh -c "'$QUIRE' facets -c '$C' --by url -n 0 -f json | jq -r '.values[] | select(.value == \"$LONG\") | \"\\(.posts) \\(.authors)\"'"

# -- the formats ---------------------------------------------------------------
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	for by in reposted quoted file url hashtag; do
		F --by "$by" -n 0 -f json >"$T/facets-$by.json"
	done
	"$QUIRE" search -c "$C" --sort reposts -n 0 -f json '' >"$T/sorted-search.json"
	check "search --sort reposts json: valid against schemas/output.schema.json" /usr/bin/python3 -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])), cls=jsonschema.Draft202012Validator)
' "$ROOT/schemas/output.schema.json" "$T/sorted-search.json"
	check "facets json: valid against schemas/output.schema.json (#/\$defs/facets)" /usr/bin/python3 -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
facets = dict(schema["$defs"]["facets"], **{"$defs": schema["$defs"]})
for path in sys.argv[2:]:
    jsonschema.validate(json.load(open(path)), facets, cls=jsonschema.Draft202012Validator)
' "$ROOT/schemas/output.schema.json" "$T"/facets-*.json
else
	skip "facets json: valid against schemas/output.schema.json" "python3-jsonschema is not installed"
fi
check_grep "facets csv: a text that starts like a formula gets an apostrophe" "^$V1,6,[0-9.]+,6,origin_a,Origin A,2020-06-03T09:00:00Z,\"'=HYPERLINK" \
	F --by reposted -f csv
check_grep "facets csv-raw: the same text untouched" "^$V1,6,[0-9.]+,6,origin_a,Origin A,2020-06-03T09:00:00Z,\"=HYPERLINK" \
	F --by reposted -f csv-raw
check_exit 2 "facets: an unknown --by is a usage error" F --by retweeted
check_exit 1 "facets: no matches, exit 1" F --by reposted zebra

# -- search --sort reposts -----------------------------------------------------
"$QUIRE" search -c "$C" --sort reposts -n 0 -f json '' >"$T/sorted.json"
check_output "sort reposts: the most reposted post in the corpus first" "$V1 6" \
	jq -r '.results[0] | "\(.post.id) \(.reposts)"' "$T/sorted.json"
check "sort reposts: counts never go up, equal counts oldest first, then by id" jq -e '
	[.results[] | [-.reposts, .post.created_at // "", .post.id]] as $k | $k == ($k | sort)' "$T/sorted.json"
check_output "sort reposts: counts every repost in the corpus, matching or not" "$V1 6" \
	sh -c "'$QUIRE' search -c '$C' --sort reposts -f json from:origin_a | jq -r '.results[] | \"\\(.post.id) \\(.reposts)\"'"
check_grep "sort reposts: text says how often" 'reposted 6 times in the corpus' \
	"$QUIRE" search -c "$C" --sort reposts -n 1 ''
check_grep "sort reposts: csv has a reposts column" '^rank,id,.*,folded,reposts,events' \
	"$QUIRE" search -c "$C" --sort reposts -n 1 -f csv ''
C1="$T/corpus-one"
"$QUIRE" ingest -c "$C1" --threads 1 "$G" >/dev/null 2>&1
check_output "sort reposts: the same order from a one-thread ingest (stable ties)" \
	"$("$QUIRE" search -c "$C" --sort reposts -n 0 -f ids '')" "$QUIRE" search -c "$C1" --sort reposts -n 0 -f ids ''
check_exit 2 "sort: an unknown order is a usage error" "$QUIRE" search -c "$C" --sort retweets fancams

# -- the demo corpus, against its own files ------------------------------------
# The most reposted posts of corpus/demo, counted here from the raw files
# (every record once, by id, the last one read), then by quire.
DEMO="$ROOT/corpus/demo/data"
python3 - "$DEMO" >"$T/demo-truth.txt" <<'PY'
import gzip, io, json, os, sys, zipfile
d = sys.argv[1]
posts = {}
def take(obj):
    posts[obj["id_str"]] = obj
def lines(data):
    for line in data.decode("utf-8").splitlines():
        if line.strip():
            take(json.loads(line))
take_all = lambda objs: [take(o) for o in objs]
for name in sorted(os.listdir(d)):
    path = os.path.join(d, name)
    if name.endswith(".jsonl"):
        lines(open(path, "rb").read())
    elif name.endswith(".jsonl.gz"):
        lines(gzip.open(path).read())
    elif name.endswith(".json"):
        take_all(json.load(open(path)))
    elif name.endswith(".zip"):
        z = zipfile.ZipFile(path)
        for m in z.namelist():
            data = z.read(m)
            lines(gzip.decompress(data) if m.endswith(".gz") else data)
single = os.path.join(d, "single")
for name in sorted(os.listdir(single)):
    take(json.load(open(os.path.join(single, name))))
counts, authors = {}, {}
for p in posts.values():
    rt = p.get("retweeted_status")
    if rt:
        counts[rt["id_str"]] = counts.get(rt["id_str"], 0) + 1
        authors.setdefault(rt["id_str"], set()).add(p["user"]["id_str"])
top = sorted(counts, key=lambda k: (-counts[k], "twitter:" + k))[:5]
for k in top:
    print("twitter:%s %d %d" % (k, counts[k], len(authors[k])))
PY
D="$T/demo"
"$QUIRE" ingest -c "$D" "$DEMO" >/dev/null 2>&1
check_output "demo: the most reposted posts and their counts equal the files' own" "$(cat "$T/demo-truth.txt")" \
	sh -c "'$QUIRE' facets -c '$D' --by reposted -n 5 -f json | jq -r '.values[] | \"\\(.value) \\(.posts) \\(.authors)\"'"
check_grep "demo: README's worked example (reposted)" '^ +69 +10\.4% +56  twitter:1267936150821441540$' \
	"$QUIRE" facets -c "$D" --by reposted --top 2 '#WhiteLivesMatter date:2020-06-03'
check_grep "demo: README's worked example (file)" '^ +33 +8\.1% +30  https://video\.twimg\.com/ext_tw_video/1267934647991672839/' \
	"$QUIRE" facets -c "$D" --by file --top 2 '#WhiteLivesMatter date:2020-06-03 -is:repost'
