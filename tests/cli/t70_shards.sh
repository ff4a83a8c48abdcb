#!/bin/sh
# Shards and federations: the demo data ingested whole and as three shards
# by hash (two served with quire serve-shard on loopback, one a local
# path) answer every query, facet, timeline and raw record exactly alike;
# ssh locations (through a stand-in for ssh); faults named within the
# timeout: a killed server, a stopped one, a wrong port, another corpus,
# another index version; --allow-partial.
. tests/cli/lib.sh
. tests/cli/shards.sh

DATA="$ROOT/corpus/demo/data"
EVENTS="$ROOT/corpus/events"
WHOLE="$T/whole"
"$QUIRE" ingest -q -c "$WHOLE" --events "$EVENTS" "$DATA" >"$T/whole.out" 2>&1 || { not_ok "ingest whole" "$(cat "$T/whole.out")"; exit 1; }
added=0 elsewhere=0
for k in 1 2 3; do
	if ! "$QUIRE" ingest -q -c "$T/s$k" --shard "$k/3" --events "$EVENTS" "$DATA" >"$T/s$k.out" 2>&1; then
		not_ok "ingest shard $k/3" "$(cat "$T/s$k.out")"
		exit 1
	fi
	a=$(sed -n 's/.*: \([0-9,]*\) posts added.*/\1/p' "$T/s$k.out" | tr -d ,)
	e=$(sed -n 's/.*, \([0-9,]*\) elsewhere.*/\1/p' "$T/s$k.out" | tr -d ,)
	added=$((added + a))
	elsewhere=$((elsewhere + ${e:-0}))
done
total=$("$QUIRE" count -c "$WHOLE" '')
[ "$added" -eq "$total" ] && ok "the shards' posts add up to the whole corpus's ($added)" || not_ok "shards add up" "$added against $total"
[ "$elsewhere" -gt 0 ] && ok "records of other shards are counted as elsewhere ($elsewhere)" || not_ok "elsewhere counted" "$(cat "$T/s1.out")"
check_grep "sources.jsonl counts them too" '"elsewhere":[1-9]' cat "$T/s1/sources.jsonl"
check_grep "quire.json records the rule and the place" '"place": "2/3"' cat "$T/s2/quire.json"
check_exit 0 "a shard keeps its own rule without --shard" "$QUIRE" ingest -q -c "$T/s1" "$DATA/2020-05-26_2020-05-30_protests.jsonl"
"$QUIRE" ingest -q -c "$WHOLE" "$DATA/2020-05-26_2020-05-30_protests.jsonl" >/dev/null 2>&1
check_exit 2 "a shard refuses a second rule" "$QUIRE" ingest -q -c "$T/s1" --shard 2/3 "$DATA"
check_grep "  and says which it is" "shard 1/3 by hash" "$QUIRE" ingest -q -c "$T/s1" --shard 2/3 "$DATA"
check_exit 2 "a corpus holding posts does not become a shard" "$QUIRE" ingest -q -c "$WHOLE" --shard 1/3 "$DATA"
check_exit 2 "a place that is not K/N is refused" "$QUIRE" ingest -q -c "$T/bad" --shard 4/3 "$DATA"
check_exit 2 "a month place that is not one is refused" "$QUIRE" ingest -q -c "$T/bad" --shard-by month --shard 2020-13 "$DATA"

# Shards by month: every post once, the untimed ones in the shard that
# says 'undated'.
"$QUIRE" ingest -q -c "$T/m1" --shard-by month --shard ..2020-05 "$DATA" >/dev/null 2>&1
"$QUIRE" ingest -q -c "$T/m2" --shard-by month --shard 2020-06..,undated "$DATA" >/dev/null 2>&1
m1=$("$QUIRE" count -c "$T/m1" '') m2=$("$QUIRE" count -c "$T/m2" '')
[ $((m1 + m2)) -eq "$total" ] && ok "two shards by month hold every post once ($m1 + $m2)" || not_ok "months add up" "$m1 + $m2 against $total"
check_output "  May's shard holds only May" "0" "$QUIRE" count -c "$T/m1" 'date:2020-06-01..'
check_exit 2 "a month shard overlapping another is not added" "$QUIRE" shards add -c "$T/mfed" "$T/m1" "$T/m1"
check_exit 0 "month shards that do not overlap are added" "$QUIRE" shards add -c "$T/mfed" "$T/m1" "$T/m2"
check_output "  and count as one" "$total" "$QUIRE" count -c "$T/mfed" ''

# Merging back: one ordinary corpus, the same answers, every record read
# back; the codes in its journal.
"$QUIRE" shards add -c "$T/lfed" "$T/s1" "$T/s2" "$T/s3" >/dev/null 2>&1
"$QUIRE" tag -c "$T/lfed" +merged -- '#BlackLivesMatter fancam' >/dev/null 2>&1
"$QUIRE" tag -c "$WHOLE" +merged -- '#BlackLivesMatter fancam' >/dev/null 2>&1
check_grep "shards merge: one corpus, every record checked" "merged 3 shards .*: $total posts; [0-9]+ records" 	"$QUIRE" shards merge -c "$T/lfed" --out "$T/one"
check_grep "  which quire check finds whole" "^ok: no damage found" "$QUIRE" check -c "$T/one"
FED_SAVED=$FED
FED="$T/one"
same "  the same search" search --sort oldest -f ids --limit 0 'fancam OR tag:merged'
same "  the same facets" facets --by mention --top 0 ''
same "  the same reposted posts" facets --by reposted --top 0 ''
FED="$T/lfed"
for by in reposted quoted file url; do
	same "what spread, shards on this machine: facets --by $by" facets --by "$by" --top 0 '#WhiteLivesMatter'
done
same "  search --sort reposts" search --sort reposts -f ids --limit 0 ''
FED=$FED_SAVED
check_output "  its codes" "$("$QUIRE" count -c "$T/lfed" tag:merged)" "$QUIRE" count -c "$T/one" tag:merged
check_grep "  kept in its journal" '"op":"snapshot".*"merged"' sh -c "zstd -dc '$T/one/store/journal.zst'"
rm -rf "$T/one/index"
check_exit 0 "  which survive a rebuild of its index" "$QUIRE" check -c "$T/one" --repair
check_output "  (the codes again)" "$("$QUIRE" count -c "$T/lfed" tag:merged)" "$QUIRE" count -c "$T/one" tag:merged
check_exit 2 "merge refuses an existing directory" "$QUIRE" shards merge -c "$T/lfed" --out "$T/one"
check_grep "shards merge of month shards" "merged 2 shards" "$QUIRE" shards merge -c "$T/mfed" --out "$T/mone"
check_output "  every post once" "$total" "$QUIRE" count -c "$T/mone" ''

# An archive whose media files the store keeps: read whole and by each shard.
. tests/cli/media.sh
cp -R "$FIXTURES/twitter-archive" "$T/archive"
mkdir -p "$T/archive/data/tweets_media"
png_red >"$T/archive/data/tweets_media/1268260000000000001-EZ1abcDXsAAb12c.png"
png_blue >"$T/archive/data/tweets_media/1668890000000000004-Fz9qwertyAAAbbb.png"
mp4_tiny shards >"$T/archive/data/tweets_media/1268280000000000003-VidXyz123.mp4"
(cd "$T/archive" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | zip -q -X "$T/archive.zip" -@)
for c in "$WHOLE" "$T/s1" "$T/s2" "$T/s3"; do
	"$QUIRE" ingest -q -c "$c" "$T/archive.zip" >"$T/archive.out" 2>&1 || not_ok "ingest the archive into $c" "$(cat "$T/archive.out")"
done
total=$("$QUIRE" count -c "$WHOLE" '')

# Two shards served on loopback, one a local path.
shard_start two "$T/s2" --allow-writes && ok "serve-shard starts (shard 2)" || not_ok "serve-shard starts" "$(cat "$T/srv-two.err")"
shard_start three "$T/s3" --allow-writes && ok "serve-shard starts (shard 3)" || not_ok "serve-shard starts" "$(cat "$T/srv-three.err")"
check_grep "its endpoint names the Xapian port, the corpus and the place" '"xapian_port":[0-9]+.*' \
	curl -sS --max-time 10 "http://127.0.0.1:$PORT_two/info"
check_grep "  and the data of documents by their numbers, a page at a time" '^2 [0-9]+$' \
	curl -sS --max-time 10 "http://127.0.0.1:$PORT_two/documents?at=1,2"
check_output "  (numbers that are not are refused)" "400" \
	curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT_two/documents?at=1,x"
FED="$T/fed"
check_exit 0 "shards add: a path and two tcp:// locations" \
	"$QUIRE" shards add -c "$FED" "$T/s1" "tcp://127.0.0.1:$PORT_two" "tcp://127.0.0.1:$PORT_three"
check_grep "shards list: each reachable, with its posts" "reachable, index version [0-9]+, [0-9,]+ posts" "$QUIRE" shards -c "$FED"
check_exit 2 "quire check on a federation says to check its shards" "$QUIRE" check -c "$FED"
check_exit 2 "quire ingest into a federation is refused" "$QUIRE" ingest -q -c "$FED" "$DATA"
check_grep "  saying where to write" "write to its shards" "$QUIRE" ingest -q -c "$FED" "$DATA"
check_exit 2 "shards merge needs every shard on this machine" "$QUIRE" shards merge -c "$FED" --out "$T/nope"
check_grep "a Xapian stub file lists the shards" "^remote 127.0.0.1:" cat "$FED/index"
check_grep "  and xapian-delve reads the federation through it" "number of documents = $total" xapian-delve "$FED/index"

for q in '' '#WhiteLivesMatter' 'fancam' 'media:video date:2020-06-03' 'protest* -is:repost' '"black lives matter"' \
	'event:iwatch-dallas OR #BLM' 'lang:ko'; do
	same "count '$q'" count "$q"
	same "search --sort oldest '$q'" search --sort oldest -f ids --limit 0 "$q"
done
same "search --sort newest" search --sort newest -f ids --limit 0 '#WhiteLivesMatter OR #BlackLivesMatter'
same "search by relevance, ties by post id" search -f ids --limit 0 'fancam OR protest'
# whole posts, their documents read a page at a time from each served shard
for sort in relevance oldest newest; do
	same "search -f jsonl --portable --sort $sort: the same posts, field for field" \
		search -f jsonl --portable --sort "$sort" --limit 0 'fancam OR protest OR media:any'
done
same "search -f csv --portable --offset 100 --limit 700" search -f csv --portable --offset 100 --limit 700 --sort oldest ''
same "search --collapse repost" search --collapse repost -f ids --limit 0 '#WhiteLivesMatter'
same "count --collapse repost" count --collapse repost '#WhiteLivesMatter'
for by in hashtag author mention media lang event tag domain platform kind; do
	same "facets --by $by" facets --by "$by" --top 0 'date:2020-06-01..2020-06-05'
done
same "facets -f json" facets --by hashtag -f json '#WhiteLivesMatter'
same "timeline --by hour" timeline --by hour '#WhiteLivesMatter date:2020-06-03'
same "timeline --by day --tz" timeline --by day --tz America/Chicago ''
same "timeline --split-by media --stack" timeline --by day --split-by media --stack -f csv ''
same "timeline --share" timeline --by hour --share 'media:video OR media:gif' '#WhiteLivesMatter date:2020-06-03'
check_exit 2 "what spread through tcp:// shards stops (Xapian's servers run no spy of quire's)" \
	"$QUIRE" facets -c "$FED" --by reposted '#WhiteLivesMatter'
check_grep "  saying why" "remote servers cannot run" "$QUIRE" facets -c "$FED" --by file ''
check_exit 2 "  search --sort reposts too" "$QUIRE" search -c "$FED" --sort reposts -f ids fancam
bad=0 checked=0
for id in $("$QUIRE" search -c "$WHOLE" --sort oldest -f ids --limit 60 'fancam OR #BLM'); do
	"$QUIRE" show -c "$WHOLE" --raw "$id" >"$T/raw.a" 2>&1
	"$QUIRE" show -c "$FED" --raw "$id" >"$T/raw.b" 2>&1
	cmp -s "$T/raw.a" "$T/raw.b" || bad=$((bad + 1))
	checked=$((checked + 1))
done
[ "$bad" -eq 0 ] && [ "$checked" -gt 0 ] && ok "show --raw gives the same bytes ($checked records, from all three shards)" || not_ok "show --raw" "$bad of $checked differ"
id=$("$QUIRE" search -c "$WHOLE" --sort oldest -f ids --limit 1 '#WhiteLivesMatter')
shas=$("$QUIRE" search -c "$WHOLE" -f jsonl --limit 0 'media:any' | python3 -c '
import json, sys
for line in sys.stdin:
    for m in json.loads(line)["post"].get("media", []):
        if m.get("locator") and m.get("sha256"):
            print(m["sha256"])' | sort -u)
mbad=0 mn=0
for sha in $shas; do
	"$QUIRE" media -c "$WHOLE" "$sha" >"$T/media.a" 2>&1
	"$QUIRE" media -c "$FED" "$sha" >"$T/media.b" 2>&1
	cmp -s "$T/media.a" "$T/media.b" || mbad=$((mbad + 1))
	mn=$((mn + 1))
done
[ "$mn" -gt 0 ] && [ "$mbad" -eq 0 ] && ok "quire media gives the same files through the federation ($mn)" || not_ok "media through the federation" "$mbad of $mn differ"
check_grep "show --verify checks a record read through a shard's endpoint" "^ok twitter:" "$QUIRE" show -c "$FED" --verify "$id"
check_grep "cite through the federation" "\\[Tweet\\]\\. Twitter" "$QUIRE" cite -c "$FED" -f apa "$id"
"$QUIRE" stats -c "$WHOLE" | grep -E '^(posts|authors|time|inputs) ' >"$T/stats.a"
"$QUIRE" stats -c "$FED" | grep -E '^(posts|authors|time|inputs) ' >"$T/stats.b"
cmp -s "$T/stats.a" "$T/stats.b" && [ -s "$T/stats.a" ] && ok "stats: the posts, authors, time span and inputs of one corpus" ||
	not_ok "stats" "$(diff "$T/stats.a" "$T/stats.b")"

# ssh:// locations, with a stand-in for ssh that runs the servers here.
SFED="$T/sfed"
check_exit 0 "shards add: ssh:// locations" \
	"$QUIRE" shards add -c "$SFED" "ssh://user@localhost$T/s1" "ssh://localhost$T/s2" "$T/s3"
same_ssh() {
	FED=$SFED same "$@"
}
same_ssh "count through ssh" count '#WhiteLivesMatter'
same_ssh "facets through ssh" facets --by hashtag 'fancam'
same_ssh "search through ssh" search --sort oldest -f ids --limit 0 'protest'
FED=$SFED same "show --raw through ssh" show --raw "$id"

# Codes through the federation: each shard's journal.
check_exit 0 "tag through the federation" "$QUIRE" tag -c "$FED" +fedcode -- '#WhiteLivesMatter fancam'
"$QUIRE" tag -c "$WHOLE" +fedcode -- '#WhiteLivesMatter fancam' >/dev/null 2>&1
same "  the same codes as on the whole corpus" count 'tag:fedcode'
n3=$("$QUIRE" count -c "$T/s3" 'tag:fedcode')
[ "$n3" -gt 0 ] && ok "  the served shard got its codes ($n3)" || not_ok "served shard tagged" "$n3"
check_grep "  written in the shard's journal" '"fedcode"' sh -c "zstd -dc '$T/s3/store/journal.zst'"
# An edited event catalogue applied through the federation.
cp -R "$EVENTS" "$T/ev"
rm "$T/ev/iwatch-dallas.json"
check_exit 0 "events apply through the federation" "$QUIRE" events apply -c "$FED" --events "$T/ev"
"$QUIRE" events apply -c "$WHOLE" --events "$T/ev" >/dev/null 2>&1
same "  the same events as on the whole corpus" count 'event:iwatch-dallas OR event:kpop-hashtag-flood'
check_output "  the removed event is gone from the served shard" "0" "$QUIRE" count -c "$T/s3" 'event:iwatch-dallas'
check_grep "  the federation keeps the catalogue" "kpop-hashtag-flood" "$QUIRE" events list -c "$FED"

# quire export through the federation: the bag of one corpus, the records
# read from each shard's store (the served ones through their endpoints).
q='#WhiteLivesMatter OR fancam OR media:any OR tag:fedcode'
SOURCE_DATE_EPOCH=1591142400 "$QUIRE" export -c "$WHOLE" -o "$T/bag.whole" --author 'Doe, Jane' "$q" >/dev/null 2>&1
check_exit 0 "export through the federation" env SOURCE_DATE_EPOCH=1591142400 \
	"$QUIRE" export -c "$FED" -o "$T/bag.fed" --author 'Doe, Jane' "$q"
check_grep "  a bag that verifies, every original checked" "sound .*every original record" "$QUIRE" export --verify "$T/bag.fed"
# the same payload but for the records' order (each shard's store in
# turn) and the codes' history (each shard's lines, at its own times)
for b in whole fed; do
	grep -v -e ' data/originals/' -e ' data/datapackage.json' -e ' data/codes-history.jsonl' \
		"$T/bag.$b/manifest-sha256.txt" >"$T/payload.$b"
done
[ "$(grep -c ' data/media/' "$T/payload.fed")" -gt 0 ] && cmp -s "$T/payload.whole" "$T/payload.fed" &&
	ok "  the same posts, CSV, citations, ids, inputs, events, codebook, data card and media files" ||
	not_ok "payload through the federation" "$(diff "$T/payload.whole" "$T/payload.fed" | head -5)"
bag_records() {
	python3 -c '
import json, sys
for line in open(sys.argv[1] + "/data/originals/index.jsonl"):
    r = json.loads(line)
    for k in ("file", "offset", "length"):
        r.pop(k)
    print(json.dumps(r, sort_keys=True))' "$1" | LC_ALL=C sort
}
bag_records "$T/bag.whole" >"$T/records.whole"
bag_records "$T/bag.fed" >"$T/records.fed"
[ "$(grep -c '"kind": "context"' "$T/records.fed")" -gt 0 ] && cmp -s "$T/records.whole" "$T/records.fed" &&
	ok "  the same original records and contexts, each with its input ($(wc -l <"$T/records.fed"))" ||
	not_ok "originals through the federation" "$(diff "$T/records.whole" "$T/records.fed" | head -5)"
coded() {
	python3 -c '
import json, sys
posts = set()
for line in open(sys.argv[1] + "/data/codes-history.jsonl"):
    r = json.loads(line)
    if "fedcode" in r["add"]:
        posts.update(r["posts"])
print(len(posts), sorted(posts))' "$1"
}
[ "$(coded "$T/bag.whole")" = "$(coded "$T/bag.fed")" ] && ok "  the codes' history: the same posts coded" ||
	not_ok "codes' history through the federation" "$(coded "$T/bag.fed" | cut -c1-200)"
SOURCE_DATE_EPOCH=1591142400 "$QUIRE" export -c "$SFED" -o "$T/bag.ssh" --author 'Doe, Jane' "$q" >"$T/bag.ssh.out" 2>&1
# (that federation has no event catalogue of its own: the data card and
# data/events/ differ, nothing else)
for b in fed ssh; do
	grep -v -e ' data/README.md' -e ' data/datapackage.json' -e ' data/events/' "$T/bag.$b/manifest-sha256.txt" >"$T/same.$b"
done
cmp -s "$T/same.fed" "$T/same.ssh" &&
	ok "  through ssh:// locations, the same shards in the same order: the same records, history and files" ||
	not_ok "export through ssh" "$(cat "$T/bag.ssh.out"; diff "$T/same.fed" "$T/same.ssh" | head -5)"
shard_start ro "$T/s2" && ok "serve-shard starts read-only" || not_ok "read-only server" "$(cat "$T/srv-ro.err")"
"$QUIRE" shards add -c "$T/fedro" "$T/s1" "tcp://127.0.0.1:$PORT_ro" "$T/s3" >/dev/null 2>&1
check_exit 3 "a shard served read-only refuses codes" "$QUIRE" tag -c "$T/fedro" +other -- 'fancam'
check_grep "  named, before any shard is changed" "shard 2 .* read-only.*no shard was changed" "$QUIRE" tag -c "$T/fedro" +other -- 'fancam'
check_output "  and none was" "0" "$QUIRE" count -c "$T/s1" 'tag:other'
shard_stop ro

# Faults: a wrong port, another corpus, another index version, a stopped
# server (slow), a killed one.
free=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
check_exit 3 "a wrong port is refused at add" "$QUIRE" shards add -c "$T/fedx" "tcp://127.0.0.1:$free"
check_grep "  naming it" "tcp://127.0.0.1:$free.*(refused|cannot connect)" "$QUIRE" shards add -c "$T/fedx" "tcp://127.0.0.1:$free"
cp -R "$FED" "$T/fedwrong"
sed -i "s|tcp://127.0.0.1:$PORT_two|tcp://127.0.0.1:$free|" "$T/fedwrong/quire.json"
check_exit 3 "a federation whose shard's port is wrong fails" "$QUIRE" count -c "$T/fedwrong" ''
check_grep "  naming the shard" "shard 2 \\(tcp://127.0.0.1:$free\\)" "$QUIRE" count -c "$T/fedwrong" ''
cp -R "$FED" "$T/fedother"
sed -i "s|tcp://127.0.0.1:$PORT_two|tcp://127.0.0.1:$PORT_three|; s|\"location\": \"tcp://127.0.0.1:$PORT_three\"|\"location\": \"tcp://127.0.0.1:$PORT_two\"|2" "$T/fedother/quire.json"
check_exit 3 "another corpus at a shard's address is refused" "$QUIRE" count -c "$T/fedother" ''
check_grep "  naming both corpora" "is corpus .*, not the corpus" "$QUIRE" count -c "$T/fedother" ''
# A shard endpoint of another index version: a stand-in server that
# answers /info as a quire of another version would.
python3 - "$T/fake.port" <<'PY' &
import http.server, socketserver, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = b'{"format":"quire-shard","protocol":1,"corpus_id":"x","index_version":1,"rule":"hash","place":"1/3","xapian_port":1}'
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
s = socketserver.TCPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
threading.Timer(30, s.shutdown).start()
s.serve_forever()
PY
FAKE=$!
i=0
while [ $i -lt 50 ] && [ ! -s "$T/fake.port" ]; do sleep 0.1; i=$((i + 1)); done
check_grep "a shard of another index version is refused, named" "tcp://127.0.0.1:$(cat "$T/fake.port").*index version 1" \
	"$QUIRE" shards add -c "$T/fedv" "tcp://127.0.0.1:$(cat "$T/fake.port")"
kill "$FAKE" 2>/dev/null
wait "$FAKE" 2>/dev/null

# A server stopped (SIGSTOP): slow, named within the timeout.
kill -STOP "$PID_two"
start=$(date +%s)
check_exit 3 "a shard that does not answer in time fails the count" env QUIRE_SHARD_TIMEOUT=2 "$QUIRE" count -c "$FED" 'fancam'
took=$(($(date +%s) - start))
[ "$took" -le 10 ] && ok "  within the timeout (${took} s)" || not_ok "within the timeout" "${took} s"
kill -CONT "$PID_two"
same "  and answers again when it is back" count 'fancam'

# Killed mid-run: a search reads its first page, the server is killed
# (SIGKILL: its Xapian server and that server's connections go with it),
# the next page fails naming it (exit 3), never a shorter list.  The reader holds
# the pipe open for reading and writing, so nothing waits on it unbounded.
mkfifo "$T/pipe"
exec 3<>"$T/pipe"
"$QUIRE" search -c "$FED" -f jsonl --limit 0 --sort oldest '' >"$T/pipe" 2>"$T/midrun.err" &
SEARCH=$!
head -c 4096 <&3 >/dev/null
shard_stop two KILL
cat <&3 >/dev/null &
DRAIN=$!
i=0
while [ $i -lt 300 ] && kill -0 "$SEARCH" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill "$SEARCH" 2>/dev/null
wait "$SEARCH"
rc=$?
kill "$DRAIN" 2>/dev/null
exec 3<&-
[ "$rc" -eq 3 ] && ok "a server killed mid-search stops it with exit 3" || not_ok "killed mid-run (exit $rc)" "$(cat "$T/midrun.err")"
check_grep "  naming the shard" "tcp://127.0.0.1:$PORT_two" cat "$T/midrun.err"
# Killed (SIGKILL): the next count fails, naming it.
old=$PORT_two
shard_start two "$T/s2" --allow-writes || not_ok "serve-shard starts again"
sed -i "s|tcp://127.0.0.1:$old\"|tcp://127.0.0.1:$PORT_two\"|" "$FED/quire.json"
check_exit 0 "  (a restarted server on a new port, listed again)" "$QUIRE" count -c "$FED" '#WhiteLivesMatter'
shard_stop two KILL
check_exit 3 "the next count after a server is killed fails" "$QUIRE" count -c "$FED" '#WhiteLivesMatter'
check_grep "  naming the killed shard" "shard 2 \\(tcp://127.0.0.1:$PORT_two\\)" "$QUIRE" count -c "$FED" '#WhiteLivesMatter'
check_exit 3 "  facets too" "$QUIRE" facets -c "$FED" --by hashtag ''
part=$("$QUIRE" count -c "$FED" --allow-partial '#WhiteLivesMatter' 2>"$T/partial.err")
two=$("$QUIRE" count -c "$T/s2" '#WhiteLivesMatter')
whole=$("$QUIRE" count -c "$WHOLE" '#WhiteLivesMatter')
[ $((part + two)) -eq "$whole" ] && ok "--allow-partial counts the shards that answer ($part)" || not_ok "--allow-partial" "$part + $two against $whole"
check_grep "  with a warning naming the missing shard" "warning: .*tcp://127.0.0.1:$PORT_two.*left out" cat "$T/partial.err"
check_grep "  and partial: true with the missing shards in JSON" "\"partial\": true" "$QUIRE" count -c "$FED" --allow-partial -f json 'fancam'
check_grep "  in search JSON too" "\"partial\":true,\"missing\":\\[\"tcp://127.0.0.1:$PORT_two\"\\]" \
	"$QUIRE" search -c "$FED" --allow-partial -f json --limit 1 'fancam'
"$QUIRE" search -c "$FED" --allow-partial -f json --limit 3 'fancam' >"$T/partial.json" 2>/dev/null
if python3 -c 'import jsonschema' 2>/dev/null; then
	check "  which the output schema describes" python3 -c '
import json, sys
from jsonschema import Draft202012Validator
Draft202012Validator(json.load(open(sys.argv[2]))).validate(json.load(open(sys.argv[1])))' \
		"$T/partial.json" "$ROOT/schemas/output.schema.json"
else
	skip "partial JSON against the output schema" "python3-jsonschema is not installed (sh .ci/deps test)"
fi
check_exit 3 "shards list shows it unreachable" "$QUIRE" shards -c "$FED"
check_grep "  by name" "UNREACHABLE" "$QUIRE" shards -c "$FED"
check_exit 3 "a federation by hash missing a place is refused" sh -c "'$QUIRE' shards remove -c '$FED' 2 >/dev/null && '$QUIRE' count -c '$FED' ''"
shard_stop three
echo "1..$n"
