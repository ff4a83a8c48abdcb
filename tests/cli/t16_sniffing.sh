# Sniffing: every fixture and every sample is read with the right reader
# without --format; what no reader takes is reported with what was seen.
. tests/cli/lib.sh

# sniffed FILE: the formats ingest recorded for it.
sniffed() {
	rm -rf "$T/s"
	"$QUIRE" ingest -q -c "$T/s" "$1" >/dev/null 2>&1
	jq -r '.formats | join(",")' "$T/s/sources.jsonl"
}

for pair in \
	twitter-v2/pages.jsonl:twitter-v2 twitter-v2/stream.jsonl:twitter-v2 twitter-v2/flat.jsonl:twitter-v2 \
	twitter-v2/counts.jsonl:twitter-v2 twitter-v2/compliance.jsonl:twitter-v2 \
	gnip-activity/activities.json:gnip-activity gnip-activity/original_format.json:twitter-v1 \
	reddit/RC_2020-06.ndjson:reddit reddit/RS_2020-06.ndjson:reddit \
	telegram/result.json:telegram telegram/full/result.json:telegram \
	csv/crowdtangle.csv:csv csv/crowdtangle_semicolon.csv:csv csv/twarc.csv:csv; do
	file=${pair%%:*} want=${pair#*:}
	check_output "$file is sniffed as $want" "$want" sniffed "$FIXTURES/$file"
done

# Compressed, the same: sniffing looks at the decompressed bytes.
gzip -c "$FIXTURES/telegram/result.json" >"$T/result.json.gz"
check_output "a gzip'd Telegram export is still telegram" telegram sniffed "$T/result.json.gz"
(cd "$FIXTURES" && zip -q -r "$T/mixed.zip" reddit twitter-v2/pages.jsonl gnip-activity/activities.json)
rm -rf "$T/z"
"$QUIRE" ingest -q -c "$T/z" "$T/mixed.zip" >/dev/null 2>&1
check_output "each member of a zip gets its own reader" "gnip-activity,reddit,twitter-v2" \
	sh -c "jq -r '.formats | sort | join(\",\")' '$T/z/sources.jsonl'"

# What no reader takes.
printf 'Dear editor,\nplease find the tweets attached.\n' >"$T/letter.txt"
check_grep "an unknown input is reported with its first bytes" \
	'input not fully read: unknown format; it begins "Dear editor,\\nplease find' "$QUIRE" ingest -c "$T/u" "$T/letter.txt"
check_exit 3 "... and the exit status says an input was not read" "$QUIRE" ingest -c "$T/u" --force "$T/letter.txt"
printf '{"foo": 1, "bar": [2, 3]}\n' >"$T/other.json"
check_grep "JSON that is no known format is reported too" 'unknown format; it begins "\{\\"foo\\": 1' \
	"$QUIRE" ingest -c "$T/u" "$T/other.json"
printf '1268312345678901234\n1268312345678901235\n1268312345678901236\n' >"$T/ids.txt"
check_grep "a dehydrated id list says so" 'a list of post ids \(a dehydrated dataset\), not posts: hydrate it first' \
	"$QUIRE" ingest -c "$T/u" "$T/ids.txt"

# The samples nobody on the project wrote.
if [ -d "$SAMPLES" ]; then
	for f in "$SAMPLES"/twitter-v2-twarc2/*.jsonl; do
		check_output "sample $(basename "$f") is sniffed as twitter-v2" twitter-v2 sniffed "$f"
	done
	check_output "the Gnip sample is sniffed as gnip-activity" gnip-activity \
		sniffed "$SAMPLES/twitter-gnip/activity_streams_examples.json"
	for f in "$SAMPLES"/warc/*.warc.gz; do
		check_output "sample $(basename "$f" | cut -c1-30)... is sniffed as warc" warc sniffed "$f"
	done
	for f in "$SAMPLES"/twitter-v1.1/*.json; do
		check_output "v1.1 sample $(basename "$f") still goes to twitter-v1" twitter-v1 sniffed "$f"
	done
	I="$SAMPLES/tweet-ids/twarc_test_ids.txt"
	check_exit 3 "the twarc id list: not read (no posts in it), no crash" "$QUIRE" ingest -c "$T/ids" "$I"
	check_grep "... and it says it is a list of ids to hydrate" 'list of post ids .* hydrate it first' \
		"$QUIRE" ingest -c "$T/ids" "$I"
	check_output "... nothing was indexed from it" 0 \
		sh -c "'$QUIRE' search -c '$T/ids' -n 0 -f ids '' | wc -l | tr -d ' '"
else
	skip "samples" "no $SAMPLES"
fi
