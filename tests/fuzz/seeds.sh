#!/bin/sh
# Seed corpora for the fuzz targets, made from the fixtures with the real
# tools:  sh tests/fuzz/seeds.sh OUTDIR QUIRE
# OUTDIR/<target>/ gets one file per seed.
set -e
root=$(pwd)
mkdir -p "$1/twitter_v1" "$1/container" "$1/store" "$1/query" "$1/readers" "$1/bluesky"
out=$(cd "$1" && pwd)
quire=$2
tweets="$root/tests/fixtures/hostile/tweets.jsonl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/quire-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# twitter_v1: single records, a few lines of each demo input, an array.
i=0
for f in "$tweets" "$root"/corpus/demo/data/*.jsonl; do
	[ -f "$f" ] || continue
	head -n 20 "$f" | while IFS= read -r line; do
		i=$((i + 1))
		printf '%s\n' "$line" >"$out/twitter_v1/line-$(basename "$f")-$i"
	done
	head -n 5 "$f" >"$out/twitter_v1/lines-$(basename "$f")"
done
for f in "$root"/corpus/demo/data/single/*.json; do
	[ -f "$f" ] && cp "$f" "$out/twitter_v1/"
done
{ echo '['; sed '$!s/$/,/' "$tweets"; echo ']'; } >"$out/twitter_v1/array.json"

# container: the fixture in every container kind the layer reads.
cp "$tweets" "$tmp/posts.jsonl"
(
	cd "$tmp"
	gzip -n -c posts.jsonl >"$out/container/posts.jsonl.gz"
	zstd -q -c posts.jsonl >"$out/container/posts.jsonl.zst"
	bzip2 -c posts.jsonl >"$out/container/posts.jsonl.bz2"
	xz -c posts.jsonl >"$out/container/posts.jsonl.xz"
	zip -q -X "$out/container/posts.zip" posts.jsonl
	tar --mtime=2020-06-03 --owner=0 --group=0 -cf "$out/container/posts.tar" posts.jsonl
	tar --mtime=2020-06-03 --owner=0 --group=0 -czf "$out/container/posts.tar.gz" posts.jsonl
	zip -q -X inner.zip posts.jsonl
	zip -q -X "$out/container/nested.zip" inner.zip
	cp posts.jsonl "$out/container/plain.jsonl"
)

# readers: the first byte picks the reader (fuzz_readers.c: 0 twitter-v1,
# 1 twitter-v2, 2 gnip-activity, 3 reddit, 4 telegram, 5 warc, 6 csv,
# 7 jsonl, 8 twitter-archive, 9 mastodon), the fixtures follow.
F="$root/tests/fixtures"
seed() { # selector-octal name file...
	sel=$1 name=$2
	shift 2
	{ printf "\\$sel"; cat "$@"; } >"$out/readers/$name"
}
seed 000 v1 "$tweets"
for f in "$F"/twitter-v2/*.jsonl; do seed 001 "v2-$(basename "$f")" "$f"; done
for f in "$F"/gnip-activity/*.json; do seed 002 "gnip-$(basename "$f")" "$f"; done
for f in "$F"/reddit/*.ndjson; do seed 003 "reddit-$(basename "$f")" "$f"; done
seed 004 telegram "$F/telegram/result.json"
for f in "$F"/csv/*.csv "$F"/csv/*.tsv; do seed 006 "csv-$(basename "$f")" "$f"; done
seed 007 jsonl "$F/jsonl/posts.jsonl"
# warc: one response record of each body, plain and gzip-encoded
for f in "$F"/warc/*.json "$F"/warc/*.jsonl; do
	b=$(basename "$f")
	for enc in plain gzip; do
		if [ $enc = gzip ]; then gzip -9nc "$f" >"$tmp/payload"; else cp "$f" "$tmp/payload"; fi
		{
			printf 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n'
			[ $enc = gzip ] && printf 'content-encoding: gzip\r\n'
			printf 'content-length: %s\r\n\r\n' "$(wc -c <"$tmp/payload")"
			cat "$tmp/payload"
		} >"$tmp/block"
		{
			printf 'WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:11111111-1111-4111-8111-111111111111>\r\n'
			printf 'WARC-Date: 2020-06-03T17:00:00Z\r\nWARC-Target-URI: https://api.twitter.com/2/tweets/search/recent\r\n'
			printf 'Content-Type: application/http;msgtype=response\r\nContent-Length: %s\r\n\r\n' "$(wc -c <"$tmp/block")"
			cat "$tmp/block"
			printf '\r\n\r\n'
		} >"$tmp/warc"
		seed 005 "warc-$enc-$b" "$tmp/warc"
	done
done
# archive readers: single records as the store keeps them (no context)
n=0
sed '1s/^[^=]*= *//' "$F/twitter-archive/data/tweets.js" | jq -c '.[]' | while IFS= read -r rec; do
	n=$((n + 1))
	printf '\010%s' "$rec" >"$out/readers/archive-tweet-$n"
done
n=0
jq -c '.orderedItems[]' "$F/mastodon/outbox.json" | while IFS= read -r rec; do
	n=$((n + 1))
	printf '\011%s' "$rec" >"$out/readers/mastodon-item-$n"
done

# store: segments of small blocks (1 KiB), whole and cut short.
: >"$tmp/empty.jsonl"
QUIRE_PROGRESS=0 "$quire" ingest -q -c "$tmp/c" "$tmp/empty.jsonl" >/dev/null 2>&1
sed 's/"block_size": *[0-9]*/"block_size": 1024/' "$tmp/c/quire.json" >"$tmp/m" && cp "$tmp/m" "$tmp/c/quire.json"
QUIRE_PROGRESS=0 "$quire" ingest -q -c "$tmp/c" "$tweets" >/dev/null 2>&1
seg="$tmp/c/store/000001.zst"
cp "$seg" "$out/store/segment.zst"
size=$(stat -c %s "$seg")
head -c $((size / 2)) "$seg" >"$out/store/cut-half.zst"
head -c $((size - 3)) "$seg" >"$out/store/cut-end.zst"
# ...and journals (the same target reads the bytes as store/journal.zst):
# codes added and removed, an event catalogue, one cut short.
QUIRE_PROGRESS=0 "$quire" tag -c "$tmp/c" +seed +other -- 'platform:twitter' >/dev/null 2>&1 || true
QUIRE_PROGRESS=0 "$quire" tag -c "$tmp/c" -other -- 'fancam' >/dev/null 2>&1 || true
QUIRE_PROGRESS=0 "$quire" events apply -c "$tmp/c" --events "$root/corpus/events" >/dev/null 2>&1 || true
jn="$tmp/c/store/journal.zst"
if [ -f "$jn" ]; then
	cp "$jn" "$out/store/journal.zst"
	head -c $(($(stat -c %s "$jn") - 5)) "$jn" >"$out/store/journal-cut.zst"
fi

# query: the query language's forms.
n=0
while IFS= read -r q; do
	n=$((n + 1))
	printf '\000%s' "$q" >"$out/query/q$n"
	printf '\017%s' "$q" >"$out/query/q$n-tz"
done <<'QUERIES'
#WhiteLivesMatter fancam
from:kpop_relay_demo date:2020-05-31..2020-06-01
iwatch AND app
"fancams in" NEAR tonight
fanc* OR clip*
media:video is:repost lang:en
@kpop_relay_demo -statement
date:2020-06-03T14:00..2020-06-03T18:00
date:2020-06 domain:example.org
id:1268170000000000001 OR id:twitter:1268170000000000002
2020-06-01..2020-06-04 (statement OR clips)
警察
QUERIES

# bluesky: the first byte picks the work (fuzz_bluesky.c: 0 a CAR file,
# 1 one DAG-CBOR block, 2 a Jetstream capture, 3 API responses); the
# fixtures are made by tests/fixtures/bluesky/gen.py (python3-cbor2).
if /usr/bin/python3 -c 'import cbor2' 2>/dev/null &&
	/usr/bin/python3 "$root/tests/fixtures/bluesky/gen.py" "$tmp/bluesky" >/dev/null 2>&1; then
	bs="$tmp/bluesky"
	bseed() { # selector-octal name file
		{ printf "\\$1"; cat "$3"; } >"$out/bluesky/$2"
	}
	for f in "$bs"/*.car "$bs"/hostile/*.car; do bseed 000 "car-$(basename "$f")" "$f"; done
	bseed 002 jetstream "$bs/jetstream.jsonl"
	for f in "$bs"/searchPosts.json "$bs"/authorFeed.json "$bs"/thread.json; do
		bseed 003 "api-$(basename "$f")" "$f"
	done
	# single blocks: every section of the repo (past its header)
	/usr/bin/python3 - "$bs/repo.car" "$out/bluesky" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
def varint(p):
    v = s = 0
    while True:
        b = data[p]; p += 1
        v |= (b & 0x7f) << s; s += 7
        if b < 0x80:
            return v, p
n, p = varint(0)
p += n
i = 0
while p < len(data) and i < 40:
    n, p = varint(p)
    open("%s/block-%d" % (sys.argv[2], i), "wb").write(b"\x01" + data[p + 36:p + n])
    p += n
    i += 1
PY
fi
