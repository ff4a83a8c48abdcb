# Real Twitter v1.1 files written by others (../shared/samples/twitter-v1.1,
# never copied into the project): every tweet in them goes in and is found
# by its id; the records come back byte for byte.
. tests/cli/lib.sh

DIR="$SAMPLES/twitter-v1.1"
if [ ! -d "$DIR" ]; then
	skip "the twitter-v1.1 samples are ingested and searchable" "no $DIR here"
	exit 0
fi

C="$T/samples"
"$QUIRE" ingest -c "$C" "$DIR" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 0 ] && ok "the samples ingest (exit 0)" || not_ok "the samples ingest: exit $rc" "$(cat "$T/err")"
check_grep "no record of them is rejected" ' 0 rejected' cat "$T/out"

# Every tweet: each object's id_str, and each status of a search response.
for f in "$DIR"/*; do
	jq -r 'if has("statuses") then .statuses[].id_str else .id_str end' "$f"
done | sort -u >"$T/want"
total=$(wc -l <"$T/want" | tr -d ' ')
[ "$total" -gt 20 ] && ok "the samples hold $total tweets" || not_ok "only $total tweets found in the samples"

query=$(sed 's/^/id:/' "$T/want" | tr '\n' ' ' | sed 's/ $//; s/ / OR /g')
"$QUIRE" search -c "$C" -n 0 -f ids "$query" | sort >"$T/got"
if cmp -s "$T/want" "$T/got"; then ok "every tweet is found by its id"; else
	not_ok "every tweet is found by its id" "$(diff "$T/want" "$T/got")"; fi
check_output "and nothing else is in the corpus" "$total" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f ids '' | wc -l | tr -d ' '"
# shellcheck disable=SC2046
"$QUIRE" show -c "$C" --verify $(cat "$T/want") >"$T/verify"
check_output "every tweet's record verifies against its sha256" "$total" sh -c "grep -c '^ok twitter:' '$T/verify'"

# The single-object files come back byte for byte (show adds one newline);
# a file whose post was read again later from another file is an older
# version of it, listed with its sha256.
bad=""
for f in "$DIR"/*.json; do
	[ "$(jq -s length "$f")" -eq 1 ] || continue
	id=$(jq -r 'if has("statuses") then .statuses[0].id_str else .id_str end' "$f")
	sha=$(printf '%s' "$(cat "$f")" | sha256sum | cut -d' ' -f1)  # the object, without a final newline
	"$QUIRE" show -c "$C" "$id" >"$T/post.json"
	if [ "$(jq -r .record.sha256 "$T/post.json")" = "$sha" ]; then
		{ cat "$f"; [ -n "$(tail -c 1 "$f")" ] && echo; } >"$T/want.raw"
		"$QUIRE" show -c "$C" --raw "$id" >"$T/got.raw"
		cmp -s "$T/want.raw" "$T/got.raw" || bad="$bad $(basename "$f")"
	else
		jq -e --arg s "$sha" 'any(.record.versions[]?; .sha256 == $s)' "$T/post.json" >/dev/null ||
			bad="$bad $(basename "$f")(no version)"
	fi
done
[ -z "$bad" ] && ok "each file's record is the post's record, byte for byte, or an older version of it" ||
	not_ok "records differ for:$bad"

# Ids past 2^53 stay exact where the record's numeric "id" was rounded.
check_output "id_str wins over a rounded numeric id" "twitter:872836479608733696" \
	sh -c "'$QUIRE' show -c '$C' 872836479608733696 | jq -r .id"
check_output "the retweet is a repost of the original, with its full text" "repost twitter:967413349473574913 RT @" \
	sh -c "'$QUIRE' show -c '$C' 967465567773839360 | jq -r '\"\(.kind) \(.repost_of) \(.text[0:4])\"'"
check_output "the extended-mode record is the compat one's newer version" "1" \
	sh -c "'$QUIRE' show -c '$C' 782737772490600448 | jq '.record.versions | length'"
