# What quire should make of twarc2 output, computed independently with jq:
# one line per post, "id<TAB>handle<TAB>created_at<TAB>text as JSON".
# Input: the JSON values of a twarc2 file (pages, stream lines, flattened
# tweets); lines that do not parse are left out by the caller.
def decode: gsub("&amp;"; "&") | gsub("&lt;"; "<") | gsub("&gt;"; ">");
def is_media_link: (.media_key != null) or ((.display_url // "") | startswith("pic.twitter.com/"));
def expanded($ents):
  reduce (($ents.urls // [])[]) as $u (.;
    split($u.url) | join(if ($u | is_media_link) then "" else ($u.expanded_url // $u.url) end))
  | sub("[ \n]+$"; "");
def full($t): if $t.note_tweet.text then ($t.note_tweet.text | expanded($t.note_tweet.entities // {}))
              else ($t.text | expanded($t.entities // {})) end;
def iso: sub("\\.000Z$"; "Z");

# Each tweet with the page it came from.
def tweets:
  if has("data") then
    . as $page
    | ([.data] | flatten) as $data
    | ([$data[] | select(.text != null or .note_tweet != null)] | map(.id)) as $ids
    | ($data[] | select(.text != null or .note_tweet != null) | {t: ., page: $page}),
      (($page.includes.tweets // [])[]
        | select(.id as $i | ($ids | index($i)) == null)
        | select(.id as $i | any($data[]; (.edit_history_tweet_ids // []) | index($i) != null))
        | {t: ., page: $page})
  elif has("id") and (has("text") or has("note_tweet")) then {t: ., page: {}}
  else empty end;

def author($t; $page): $t.author // (($page.includes.users // []) | map(select(.id == $t.author_id)) | first);
def original($t; $page):
  (($t.referenced_tweets // []) | map(select(.type == "retweeted")) | first) as $r
  | if $r == null then null
    elif $r.text != null then $r
    else (($page.includes.tweets // []) | map(select(.id == $r.id)) | first) end;

tweets
| .t as $t | .page as $page
| original($t; $page) as $o
| (if $o then "RT @" + (author($o; $page).username // "?") + ": " + full($o) else full($t) end) as $text
| [$t.id, (author($t; $page).username // ""), ($t.created_at // "" | iso), ($text | decode | tojson)]
| join("\t")
