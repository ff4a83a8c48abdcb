# WARC files of API responses: records built here from the fixture bodies
# with printf, gzip and wc (gzip content-encoding, chunked transfer-encoding,
# request and metadata records, an HTTP 429), then read without --format.
. tests/cli/lib.sh
. tests/cli/warc.sh
F="$FIXTURES/warc"

HTTP='application/http;msgtype=response'
V2='https://api.twitter.com/2/tweets/search/recent?query=%23iWatchDallas'
printf 'software: quire tests\r\nformat: WARC File Format 1.0\r\n' >"$T/info"
printf 'GET /2/tweets/search/recent HTTP/1.1\r\nHost: api.twitter.com\r\n\r\n' >"$T/req"
mkdir "$T/recs"
record warcinfo 00000000-0000-4000-8000-000000000000 "" application/warc-fields "$T/info" >"$T/recs/1"
http_block '200 OK' gzip "$F/search_v2.json" >"$T/b"
record response 11111111-1111-4111-8111-111111111111 "$V2" "$HTTP" "$T/b" >"$T/recs/2"
record request 22222222-2222-4222-8222-222222222222 "$V2" 'application/http;msgtype=request' "$T/req" >"$T/recs/3"
http_block '200 OK' chunked "$F/stream_v1.jsonl" >"$T/b"
record response 33333333-3333-4333-8333-333333333333 https://stream.twitter.com/1.1/statuses/filter.json "$HTTP" "$T/b" >"$T/recs/4"
http_block '200 OK' plain "$F/empty_v2.json" >"$T/b"
record response 44444444-4444-4444-8444-444444444444 "$V2&next_token=x" "$HTTP" "$T/b" >"$T/recs/5"
http_block '429 Too Many Requests' plain "$F/rate_limited.json" >"$T/b"
record response 55555555-5555-4555-8555-555555555555 "$V2&next_token=y" "$HTTP" "$T/b" >"$T/recs/6"
record metadata 66666666-6666-4666-8666-666666666666 "$V2" application/warc-fields "$T/info" >"$T/recs/7"
http_block '200 OK' gzip+chunked "$F/search_v2_more.json" >"$T/b"
record response 77777777-7777-4777-8777-777777777777 "$V2&page=3" "$HTTP" "$T/b" >"$T/recs/8"
cat "$T"/recs/? >"$T/harvest.warc"
# A .warc.gz compresses each record on its own, as harvesters do.
for r in "$T"/recs/?; do gzip -nc "$r"; done >"$T/harvest.warc.gz"

C="$T/corpus1"
check_grep "a WARC is read without --format" \
	'ingested 5 records from 1 input: 5 posts added, 0 updated, 0 duplicates, 0 rejected, 2 without posts' \
	"$QUIRE" ingest -c "$C" "$T/harvest.warc"
check_output "the format recorded is warc" '["warc"]' sh -c "tail -1 '$C/sources.jsonl' | jq -c .formats"
check_output "posts from the gzip page, the chunked v1.1 stream and the gzip+chunked page" \
	"twitter:1268600000000000001 twitter:1268600000000000002 twitter:1268600000000000003 twitter:1268610000000000001 twitter:1268610000000000002" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f jsonl platform:twitter | jq -r .post.id | sort | tr '\n' ' ' | sed 's/ \$//'"
check_output "the WARC record id and target URI are provenance" \
	"urn:uuid:11111111-1111-4111-8111-111111111111 $V2 twitter-v2 warc" \
	sh -c "'$QUIRE' show -c '$C' twitter:1268600000000000001 | jq -r '[.source.provenance.warc_record_id, .source.provenance.warc_target_uri, .source.provenance.payload_format, .source.format] | join(\" \")'"
check_output "the chunked body is read by the v1.1 reader" \
	"twitter-v1 Café Bishop Arts is giving out water to marchers ☕" \
	sh -c "'$QUIRE' show -c '$C' twitter:1268610000000000002 | jq -r '.source.provenance.payload_format + \" \" + .text'"
check_output "the stored record is the WARC record itself" "WARC/1.0" \
	sh -c "'$QUIRE' show -c '$C' --raw twitter:1268610000000000002 | head -1 | tr -d '\r'"

C="$T/corpus2"
check_grep "a .warc.gz of gzip members gives the same posts" \
	'ingested 5 records from 1 input: 5 posts added, .* 2 without posts' \
	"$QUIRE" ingest -c "$C" "$T/harvest.warc.gz"
check_output "its container is gzip" '["gzip"]' sh -c "tail -1 '$C/sources.jsonl' | jq -c .containers"

# A WARC cut off inside its last record.
size=$(wc -c <"$T/harvest.warc")
head -c "$((size - 40))" "$T/harvest.warc" >"$T/cut.warc"
C="$T/corpus3"
check_grep "a record cut off at the end is rejected with its place" \
	'rejected record: WARC record is cut off: .*cut\.warc: line [0-9]+, byte [0-9]+' \
	"$QUIRE" ingest -c "$C" "$T/cut.warc"
check_output "the records before it are in" 4 \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f ids platform:twitter | wc -l | tr -d ' '"

# Garbage between records: rejected, the reader finds the next record.
{ cat "$T/recs/2"; printf 'this is not a WARC record\r\n\r\n'; cat "$T/recs/4"; } >"$T/junk.warc"
C="$T/corpus4"
check_grep "bytes that are no WARC record are rejected, reading goes on" \
	'2 records .* 4 posts added, .* 1 rejected' \
	"$QUIRE" ingest -c "$C" "$T/junk.warc"

# The real harvester WARC files (sfm-twitter-harvester): every response
# read, empty pages counted as records without posts, nothing rejected.
found=0
for W in "$SAMPLES"/warc/*.warc.gz "$SAMPLES"/warc/*.warc; do
	[ -f "$W" ] || continue
	found=1
	C="$T/sample"
	rm -rf "$C"
	name=$(basename "$W" | cut -c1-30)
	check_grep "sample $name...: read to its end, nothing rejected" \
		'^ingested [0-9,]+ records from 1 input: .* 0 rejected' "$QUIRE" ingest -c "$C" "$W"
	check_output "... no rejects.jsonl" "none" sh -c "[ -e '$C/rejects.jsonl' ] && cat '$C/rejects.jsonl' || echo none"
	case "$W" in *.gz) cat=zcat ;; *) cat=cat ;; esac
	want=$($cat "$W" | grep -ac '^WARC-Type: \(response\|resource\)')
	check_output "... as many records as it has responses" "$want" \
		sh -c "tail -1 '$C/sources.jsonl' | jq .records"
done
if [ "$found" = 0 ]; then
	skip "the sample WARC files" "no $SAMPLES/warc"
fi
W="$SAMPLES/warc/sfm-twitter-harvester_0d306636fa5a449db529726a050eae32-20230303155805784-00000-obwhr8ac.warc.gz"
if [ -f "$W" ]; then
	check_grep "the v2 sample: its one response is an empty search page, a record without posts" \
		'ingested 1 records from 1 input: 0 posts added, 0 updated, 0 duplicates, 0 rejected, 1 without posts' \
		"$QUIRE" ingest -c "$T/sample-v2" "$W"
else
	skip "the v2 sample" "no $W"
fi
