# Reddit dumps: comments and submissions as NDJSON, then as .zst made here
# with a 2 GiB window (zstd --long=31, as Pushshift and Arctic Shift do),
# with a record whose UTF-8 characters straddle read-buffer boundaries.
. tests/cli/lib.sh
F="$FIXTURES/reddit"

field() { "$QUIRE" show -c "$C" "$1" | jq -r "$2"; }

C="$T/corpus"
check_grep "comments and submissions go in without --format" \
	'ingested 8 records from 2 inputs: 8 posts added, 0 updated, 0 duplicates, 0 rejected' \
	"$QUIRE" ingest -c "$C" "$F"
check_output "read as reddit" '["reddit"]' sh -c "jq -c .formats '$C/sources.jsonl' | sort -u"
check_output "ids carry t1_ / t3_ whether the dump has them or not" \
	"$( (jq -r '.id | if startswith("t1_") then . else "t1_" + . end' "$F/RC_2020-06.ndjson"; jq -r '"t3_" + .id' "$F/RS_2020-06.ndjson") | sort | tr '\n' ' ')" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f ids platform:reddit | sort | tr '\n' ' '"
check_output "authors and bodies as the dump has them (HTML entities decoded)" \
	"$(jq -r '[(.id | if startswith("t1_") then . else "t1_" + . end), .author, (.body | gsub("&amp;"; "&"))] | join(" ")' "$F/RC_2020-06.ndjson" | sort)" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f jsonl 'platform:reddit' | jq -r 'select(.post.native_id | startswith(\"t1_\")) | .post | [.native_id, .author.handle, .text] | join(\" \")' | sort"
check_output "created_utc as a number, a string or a float" \
	"2020-06-03T05:22:11Z 2020-06-03T05:26:40Z 2020-06-03T05:28:20Z" \
	sh -c "'$QUIRE' show -c '$C' reddit:t1_fsx0a1b reddit:t1_fsx0a2c reddit:t1_fsx0a3d | jq -r .created_at | tr '\n' ' ' | sed 's/ \$//'"
check_output "[deleted] and [removed] are kept and marked" \
	"[deleted] deleted deleted|[removed] removed " \
	sh -c "'$QUIRE' show -c '$C' reddit:t1_fsx0a2c reddit:t1_fsx0a3d | jq -rs 'map([.text, .extra.body_status, (.extra.author_status // \"\")] | join(\" \")) | join(\"|\")'"
check_output "edited: the time it was edited" "2020-06-03T08:00:34Z" field reddit:t1_fsx0a4e .extra.edited
check_output "a comment replies to its parent, in its thread" "reply reddit:t1_fsx0a1b reddit:t3_gvdal1" \
	field reddit:t1_fsx0a4e '[.kind, .reply_to, .extra.thread] | join(" ")'
check_output "u/ mentions" "dfw_local" field reddit:t1_fsx0a4e '.mentions | join(",")'
check_output "a submission: title and selftext" \
	"$(jq -r 'select(.id == "gvdal1") | .title + "\n\n" + .selftext' "$F/RS_2020-06.ndjson")" field reddit:t3_gvdal1 .text
check_output "link post: url, domain, permalink" \
	"https://example.org/kpop-fans-flood-hashtags?utm_source=reddit&x=1 example.org https://www.reddit.com/r/kpop/comments/gvkpop/kpop_fans_flood_hashtags/" \
	field reddit:t3_gvkpop '[.urls[0], .extra.domain, .url] | join(" ")'
check_output "over_18, an image post, removed selftext" "true photo removed moderator" \
	field reddit:t3_gvimg1 '[.extra.nsfw, .media[0].type, .extra.selftext_status, .extra.removed_by] | join(" ")'
check_output "the subreddit is searchable as community:" "t1_fsy1b2c t3_gvkpop" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f ids community:kpop | sort | tr '\n' ' ' | sed 's/ \$//'"
check_output "and as subreddit:, any capitalisation" "t1_fsy1b2c t3_gvkpop" \
	sh -c "'$QUIRE' search -c '$C' -n 0 -f ids subreddit:KPop | sort | tr '\n' ' ' | sed 's/ \$//'"
check_output "hashtags people write in titles" "WhiteLivesMatter,BlueLivesMatter" field reddit:t3_gvkpop '.hashtags | join(",")'

# A dump as the archives ship it: .zst with a 2 GiB window, read from a
# pipe so that the frame cannot say its size.  One comment is long enough
# that a 3-byte and a 4-byte character fall across the 64 KiB and 128 KiB
# read boundaries.
prefix='{"id":"utf8split","author":"filler","author_fullname":"t2_f","subreddit":"test","created_utc":1591200000,"link_id":"t3_gvdal1","parent_id":"t3_gvdal1","body":"'
plen=$(printf '%s' "$prefix" | wc -c)
{
	printf '%s' "$prefix"
	head -c "$((65535 - plen))" /dev/zero | tr '\0' x
	printf '\342\202\254'                     # U+20AC over bytes 65535..65537
	head -c "$((131070 - 65538))" /dev/zero | tr '\0' y
	printf '\360\237\230\200'                 # U+1F600 over bytes 131070..131073
	printf 'end"}\n'
	cat "$F/RC_2020-06.ndjson"
} >"$T/RC_2020-07"
cat "$T/RC_2020-07" | zstd -q --long=31 -19 -c >"$T/RC_2020-07.zst"
if zstd -q -d -c "$T/RC_2020-07.zst" >/dev/null 2>&1; then
	not_ok "the test dump needs a 2 GiB window" "zstd -d read it without --long=31"
else
	ok "the test dump needs a 2 GiB window (zstd -d refuses it without --long=31)"
fi
C="$T/corpus2"
check_grep "the .zst dump is read through libzstd with windowLogMax 31" \
	'ingested 6 records from 1 input: 6 posts added, 0 updated, 0 duplicates, 0 rejected' \
	"$QUIRE" ingest -c "$C" "$T/RC_2020-07.zst"
check_output "its container is zstd" '["zstd"]' sh -c "jq -c .containers '$C/sources.jsonl'"
check_output "characters split across read buffers come through whole" \
	"$(sed -n 1p "$T/RC_2020-07" | jq -r '[(.body | length), (.body | contains("€")), (.body | contains("😀"))] | map(tostring) | join(" ")')" \
	field reddit:t1_utf8split '[(.text | length), (.text | contains("€")), (.text | contains("😀"))] | map(tostring) | join(" ")'
check_output "the stored record is the line, byte for byte" \
	"$(sed -n 1p "$T/RC_2020-07" | sha256sum | cut -c1-64)" \
	sh -c "'$QUIRE' show -c '$C' --raw reddit:t1_utf8split | sha256sum | cut -c1-64"

# Broken lines are rejected with their line; the rest goes in.
{
	sed -n 1,2p "$F/RC_2020-06.ndjson"
	printf '{"id":"nodate1","author":"x","body":"no time","subreddit":"Dallas"}\n'
	printf '{"id":"cut1","author":"x","body":"cut off\n'
	sed -n 3p "$F/RC_2020-06.ndjson"
} >"$T/RC_broken.ndjson"
C="$T/corpus3"
check_grep "a comment without created_utc is rejected with its line" \
	'rejected record: t1_nodate1: created_utc is missing.*RC_broken\.ndjson: line 3' \
	"$QUIRE" ingest -c "$C" "$T/RC_broken.ndjson"
check_output "the good lines are in, the two broken ones in rejects.jsonl" "3 3 4" \
	sh -c "echo \$('$QUIRE' search -c '$C' -n 0 -f ids platform:reddit | wc -l) \$(jq -r .line '$C/rejects.jsonl')"
