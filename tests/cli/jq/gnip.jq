# What quire should make of Gnip Activity Streams, computed with jq:
# "id<TAB>handle<TAB>postedTime<TAB>text as JSON" per activity with a body.
def decode: gsub("&amp;"; "&") | gsub("&lt;"; "<") | gsub("&gt;"; ">");
def holder: if (.long_object.body // null) != null then .long_object else . end;
def media($h; $a): ([$h.twitter_extended_entities.media, $h.twitter_entities.media,
                     $a.twitter_extended_entities.media, $a.twitter_entities.media]
                    | map(select(. != null and length > 0)) | first) // [];
def expanded($a):
  ($a | holder) as $h
  | ($h.twitter_entities // $a.twitter_entities // {}) as $e
  | reduce (($e.urls // [])[]) as $u ($h.body; split($u.url) | join($u.expanded_url // $u.url))
  | reduce (media($h; $a)[]) as $m (.; split($m.url) | join(""))
  | sub("[ \n]+$"; "");
def iso: sub("\\.000Z$"; "Z");
select(.postedTime != null and .verb != "delete")
| (if .verb == "share" and (.object.body // null) != null
   then "RT @" + (.object.actor.preferredUsername // "?") + ": " + expanded(.object)
   else expanded(.) end) as $text
| [(.id | split(":") | last), .actor.preferredUsername, (.postedTime | iso), ($text | decode | tojson)]
| join("\t")
