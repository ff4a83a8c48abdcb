# CSV and JSON lines through mappings: the shipped ones (CrowdTangle,
# twarc-csv), chosen by the header; the user's with --mapping; libcsv's
# quoting rules with BOM, CRLF, ';' and tab; broken rows rejected by line.
. tests/cli/lib.sh
F="$FIXTURES/csv"
J="$FIXTURES/jsonl"

field() { "$QUIRE" show -c "$C" "$1" | jq -r "$2"; }

C="$T/corpus"
check_grep "CrowdTangle and twarc-csv files go in without --format or --mapping" \
	'ingested 7 records from 3 inputs: 6 posts added, 1 updated, 0 duplicates, 0 rejected' \
	"$QUIRE" ingest -c "$C" "$F/crowdtangle.csv" "$F/crowdtangle_semicolon.csv" "$F/twarc.csv"
check_output "read as csv" '["csv"]' sh -c "jq -c .formats '$C/sources.jsonl' | sort -u"
check_output "the mapping used is provenance" "crowdtangle twarc-csv" \
	sh -c "'$QUIRE' show -c '$C' facebook:3301234567890999 twitter:1268800000000000001 | jq -r .source.provenance.mapping | tr '\n' ' ' | sed 's/ \$//'"
check_output "CrowdTangle: post id from the URL (numeric or pfbid)" "3301234567890123 3301234567890999 pfbid02Xyz9AbC" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f ids platform:facebook | sort | tr '\n' ' ' | sed 's/ \$//'"
check_output "CrowdTangle: a quoted newline stays in the message (BOM and CRLF file)" \
	"March tonight at City Hall.
Bring water, masks and a friend.
#BlackLivesMatter #Dallas" field facebook:3301234567890123 .text
check_output "CrowdTangle: EDT, CST and UTC times" "2020-06-02T01:15:00Z 2020-02-14T14:00:00Z 2020-06-03T09:00:00Z" \
	sh -c "'$QUIRE' show -c '$C' facebook:3301234567890123 facebook:pfbid02Xyz9AbC facebook:3301234567890999 | jq -r .created_at | tr '\n' ' ' | sed 's/ \$//'"
check_output "CrowdTangle: page, quotes inside a quoted field" \
	'100200300999 Lakewood Café, "the corner"' field facebook:pfbid02Xyz9AbC '[.author.id, .author.name] | join(" ")'
check_output "CrowdTangle: hashtags from the text, links, counts" \
	"BlackLivesMatter,Dallas 800 120 200 Photo" \
	field facebook:3301234567890123 '[(.hashtags | join(",")), .metrics.likes, .metrics.replies, .metrics.reposts, .extra.post_type] | map(tostring) | join(" ")'
check_output "the ';' export of the same post is a new version of it (one older version kept)" "1" \
	sh -c "'$QUIRE' show -c '$C' facebook:3301234567890123 | jq '.record.versions | length'"
check_output "twarc-csv: newlines and &amp; written out as escapes are undone" \
	"Fancams & light sticks only 💜
We took #WhiteLivesMatter back https://t.co/ZZZZ" field twitter:1268800000000000001 .text
check_output "twarc-csv: hashtags and URLs from JSON cells, media with their types" \
	"WhiteLivesMatter https://example.org/fancam-thread photo,video" \
	field twitter:1268800000000000001 '[(.hashtags | join(",")), (.urls | join(",")), (.media | map(.type) | join(","))] | join(" ")'
check_output "twarc-csv: retweet and reply ids, URL from the template" \
	"repost twitter:1268800000000000001|reply twitter:1268800000000000001 https://twitter.com/dallas_desk/status/1268800000000000003" \
	sh -c "'$QUIRE' show -c '$C' twitter:1268800000000000002 twitter:1268800000000000003 | jq -rs '[(.[0].kind + \" \" + .[0].repost_of), (.[1].kind + \" \" + .[1].reply_to + \" \" + .[1].url)] | join(\"|\")'"
check_output "the stored record is the header line and the row, as in the file" \
	"$(head -1 "$F/twarc.csv")" sh -c "'$QUIRE' show -c '$C' --raw twitter:1268800000000000003 | head -1"
check_output "... whose second line is the row" "$(sed -n 4p "$F/twarc.csv")" \
	sh -c "'$QUIRE' show -c '$C' --raw twitter:1268800000000000003 | sed -n 2p"

# The user's mapping: tab-separated, day/month times in Chicago.
C="$T/corpus2"
check_grep "a TSV file through --mapping" \
	'ingested 2 records from 1 input: 2 posts added, 0 updated, 0 duplicates, 0 rejected' \
	"$QUIRE" ingest -c "$C" --mapping "$F/monitoring-mapping.json" "$F/monitoring.tsv"
check_output "platform from a column, lower-cased; times from %d/%m/%Y in America/Chicago" \
	"instagram:ig-001 2020-06-03T14:15:00Z|tiktok:tt-002 2020-06-04T02:40:00Z" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f jsonl -s oldest '' | jq -rs 'map(.post.id + \" \" + .post.created_at) | join(\"|\")'"
check_output "hashtags split from a column and found in the text; media split; 1,204 read as a count" \
	"kpop,fancam,WhiteOutWednesday photo,video 1204 K-pop Dallas" \
	field instagram:ig-001 '[(.hashtags | join(",")), (.media | map(.type) | join(",")), .metrics.shares, .extra.community] | map(tostring) | join(" ")'
check_output "a leading @ is dropped from handles; mentions and links from the text" \
	"moa.dallas|dallas_desk https://example.org/story" \
	sh -c "'$QUIRE' show -c '$C' instagram:ig-001 tiktok:tt-002 | jq -rs '[.[0].author.handle, ((.[1].mentions | join(\",\")) + \" \" + (.[1].urls | join(\",\")))] | join(\"|\")'"

C="$T/corpus3"
check_grep "broken rows are rejected with their line, the rest goes in" \
	'3 posts added, 0 updated, 0 duplicates, 5 rejected' \
	"$QUIRE" ingest -c "$C" --mapping "$F/monitoring-mapping.json" "$F/bad.csv"
check_output "rejected: two bad quotes, a short row, a bad time, a quote that never closes" \
	"3 bad quoting|4 bad quoting|6 row has 8 fields, the header has 12|7 fb-015: created_at 'not a date' does not fit the time format '%d/%m/%Y %H:%M'|8 a quoted field opened in this row never closes" \
	sh -c "jq -r '(.line | tostring) + \" \" + (.reason | sub(\": a quote inside.*\"; \"\"))' '$C/rejects.jsonl' | paste -sd '|'"
check_output "the rows after an unclosed quote are read again" "fb-010 fb-013 fb-017" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f ids '' | sort | tr '\n' ' ' | sed 's/ \$//'"

C="$T/corpus4"
check_grep "a CSV no mapping fits is reported with a hint" \
	'unknown format; it begins "post_id\\tnetwork.*no mapping fits: give one with --mapping' \
	"$QUIRE" ingest -c "$C" "$F/monitoring.tsv"
printf '{"name": "x", "input": "csv", "fields": {"id": "a", "platform": {"value": "x"}, "created_at": {"from": "b", "fromat": "unix"}}}' >"$T/typo.json"
check_exit 2 "a mapping with a typo is a usage error" "$QUIRE" ingest -c "$C" --mapping "$T/typo.json" "$F/monitoring.tsv"
check_grep "... naming the key" "mapping '.*typo.json': fields.created_at: unknown key 'fromat'" \
	"$QUIRE" ingest -c "$C" --mapping "$T/typo.json" "$F/monitoring.tsv"
printf '{"name": "x", "input": "csv", "fields": {"id": "a", "platform": {"value": "x"}, "created_at": {"from": "b", "zone": "Mars/Olympus"}}}' >"$T/zone.json"
check_grep "an unknown zone is refused" "fields.created_at.zone 'Mars/Olympus' is neither" \
	"$QUIRE" ingest -c "$C" --mapping "$T/zone.json" "$F/monitoring.tsv"

# JSON lines through a mapping.
C="$T/corpus5"
check_grep "JSON lines through --mapping; records without the required paths or with a bad time are rejected" \
	'ingested 4 records from 1 input: 2 posts added, 0 updated, 0 duplicates, 2 rejected' \
	"$QUIRE" ingest -c "$C" --mapping "$J/scraper-mapping.json" "$J/posts.jsonl"
check_output "read as jsonl" '["jsonl"]' jq -c .formats "$C/sources.jsonl"
check_output "paths, unix times, template URLs, list paths, reply ids" \
	"vk:4401 2020-06-03T14:02:11Z https://vk.com/wall-77001_4401 BlackLivesMatter,солидарность photo 210 СПб новости|vk:4402 reply vk:4401" \
	sh -c "'$QUIRE' show -c '$C' vk:4401 vk:4402 | jq -rs '[([.[0].id, .[0].created_at, .[0].url, (.[0].hashtags | join(\",\")), .[0].media[0].type, (.[0].metrics.likes | tostring), .[0].extra.community] | join(\" \")), ([.[1].id, .[1].kind, .[1].reply_to] | join(\" \"))] | join(\"|\")'"
check_output "the mapping's sha256 is provenance" "$(sha256sum "$J/scraper-mapping.json" | cut -c1-64)" \
	field vk:4401 .source.provenance.mapping_sha256
C="$T/corpus6"
check_exit 3 "without the mapping the same file is an unknown format" "$QUIRE" ingest -c "$C" "$J/posts.jsonl"
