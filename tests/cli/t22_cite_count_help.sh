# quire cite, quire count, quire help: ids in every form, exit codes, and
# help that names every option with examples.
. tests/cli/lib.sh

C="$T/c"
ingest_or_exit "ingest the query fixture" "$C" "$FIXTURES/query/posts.jsonl"
export QUIRE_CORPUS="$C"

# -- cite
check_grep "cite: APA by default" '^River Song \[@river_reports\]\. \(2020, June 2\)\. Marching downtown tonight\. Thousands of protesters #BlackLivesMatter #JusticeForGeorgeFloyd \[Image attached\] \[Tweet\]\. Twitter\. https://twitter\.com/river_reports/status/1267900000000000001$' "$QUIRE" cite 1267900000000000001
check_output "cite: a native id and a full id are the same post" "$("$QUIRE" cite twitter:1267900000000000009)" "$QUIRE" cite 1267900000000000009
check_output "cite: several ids, in the order given" "3" sh -c "'$QUIRE' cite -f csl-json 1267900000000000009 1267900000000000003 | jq -r '.[1].id' | sed 's/.*0//'"
check_output "cite: ids from stdin (what -f ids prints)" "5" sh -c "'$QUIRE' search -f ids -n 0 from:river_reports | '$QUIRE' cite -f ris - | grep -c '^TY  - ICOMM'"
check_grep "cite: MLA" '^@dallas_watch \(Dallas Watch\)\. "The iWatch Dallas app is down after the flood of fancams #iWatchDallas\." Twitter, 3 June 2020, 6:01 p\.m\., https://twitter\.com/dallas_watch/status/1267900000000000009\.$' "$QUIRE" cite -f mla 1267900000000000009
check_grep "cite: Chicago" '^Dallas Watch \(@dallas_watch\), "The iWatch Dallas app is down after the flood of fancams #iWatchDallas," Twitter, June 3, 2020, 6:01 p\.m\., https://twitter\.com/dallas_watch/status/1267900000000000009\.$' "$QUIRE" cite -f chicago 1267900000000000009
check_grep "cite: Chicago in another zone" 'Twitter, June 3, 2020, 2:01 p\.m\., ' "$QUIRE" cite -f chicago --tz America/New_York 1267900000000000009
check_grep "cite: a locator line" '^  archived: corpus [0-9a-f-]{36}, record [^ ]+, sha256 [0-9a-f]{64}$' "$QUIRE" cite 1267900000000000009
check_output "cite: --no-locator gives the reference alone" "1" sh -c "'$QUIRE' cite --no-locator 1267900000000000009 | wc -l | tr -d ' '"
sha=$("$QUIRE" cite -f json 1267900000000000009 | jq -r '.results[0].locator.sha256')
check_grep "cite: the locator is the one show --verify checks" "^ok twitter:1267900000000000009 $sha " "$QUIRE" show --verify 1267900000000000009
check_exit 1 "cite: an unknown id exits 1" "$QUIRE" cite 1267900000000000099
check_grep "cite: an unknown id is named" "no post '1267900000000000099'" "$QUIRE" cite 1267900000000000001 1267900000000000099
check_output "cite: the known ones are still cited" "1" sh -c "'$QUIRE' cite --no-locator 1267900000000000001 1267900000000000099 2>/dev/null | wc -l | tr -d ' '"
check_exit 2 "cite: no id is a usage error" "$QUIRE" cite
check_exit 2 "cite: an unknown format is a usage error" "$QUIRE" cite -f harvard 1267900000000000001
check_grep "cite: the error lists the formats" 'text, json, jsonl, csv, csv-raw, xlsx, ids, csl-json, bibtex, biblatex, ris, apa, mla, chicago' "$QUIRE" cite -f harvard 1267900000000000001

# -- count: exact
check_output "count: every post" "16" "$QUIRE" count
check_output "count: the operands are one query (after --)" "2" "$QUIRE" count -- fancams -is:repost
check_output "count agrees with search" "$("$QUIRE" search -f ids -n 0 'media:any' | wc -l | tr -d ' ')" "$QUIRE" count 'media:any'
check_exit 2 "count: a parse error exits 2" "$QUIRE" count '(a'

# -- help: every command, every option, examples
check "help lists the commands" sh -c "'$QUIRE' help | grep -q '^  search ' && '$QUIRE' help | grep -q '^  count ' && '$QUIRE' help | grep -q '^  cite '"
for cmd in search count cite show; do
	"$QUIRE" help "$cmd" >"$T/help.$cmd" 2>&1
	check_grep "help $cmd has examples" '^examples:$' cat "$T/help.$cmd"
	check_grep "help $cmd has usage" "^usage: quire $cmd " cat "$T/help.$cmd"
	check_output "quire $cmd -h is quire help $cmd" "$(cat "$T/help.$cmd")" "$QUIRE" "$cmd" -h
done
for opt in corpus format limit offset sort collapse since until tz color no-locator explain; do
	check_grep "help search explains --$opt" "^ +(-., )?--$opt " cat "$T/help.search"
	check_grep "an example of search uses --$opt" "^  quire search .*--$opt|^  quire search .*-[a-z] " cat "$T/help.search"
done
for opt in corpus format tz no-locator; do
	check_grep "help cite explains --$opt" "^ +(-., )?--$opt " cat "$T/help.cite"
done
for opt in corpus collapse since until tz explain; do
	check_grep "help count explains --$opt" "^ +(-., )?--$opt " cat "$T/help.count"
done
for s in 'hashtag:' '#tag' 'from:' 'mention:' 'media:KIND' 'media:sha256:' 'is:KIND' 'lang:' 'platform:' 'domain:' 'url:' 'id:' 'event:' 'tag:' 'source:' 'NEAR' 'ADJ' 'XOR' 'date:2020-06-03\.\.2020-06-04' '2020-06-03T14:00' 'csl-json' 'bibtex' 'ris' 'apa' 'mla' 'chicago' 'exit status'; do
	check_grep "help search documents $s" "$s" cat "$T/help.search"
done
check_exit 2 "help on an unknown command is a usage error" "$QUIRE" help frobnicate

# The query language in the help and in the parser cannot drift apart: the
# help is made from the parser's tables (test_query checks every field has
# its line), and every prefix the help names is one the parser reads as a
# field, never as a plain word.
# The prefixes: in the left column of the language's lines (what is
# written), not in the prose beside it.
sed -n '/^Query language/,/^Output formats/p' "$T/help.search" | grep '^  [^ ]' | sed 's/^  //; s/  .*//' >"$T/language"
grep -oE '(^|[ ,])[a-z]+:' "$T/language" | sed 's/^[ ,]//; s/:$//' | sort -u >"$T/prefixes"
check_output "help search lists every prefix, visibility: community: author: kind: subreddit: among them" \
	"author community date domain event from hashtag id is kind lang media mention platform record source subreddit tag url visibility" \
	sh -c "tr '\n' ' ' <'$T/prefixes' | sed 's/ \$//'"
while read -r p; do
	out=$("$QUIRE" count -c "$C" --explain "$p:zzz" 2>&1)
	if printf '%s' "$out" | grep -q "$p@1"; then
		not_ok "the parser reads $p: as a field" "$out"
	else
		ok "the parser reads $p: as a field"
	fi
done <"$T/prefixes"
check_output "an unknown prefix is read as words, so the check above can fail" "yes" \
	sh -c "'$QUIRE' count -c '$C' --explain 'nosuchfield:zzz' 2>&1 | grep -q 'nosuchfield@1' && echo yes"
sed -n '/^### The query language/,/^### Search controls/p' README.md >"$T/readme-language"
while read -r p; do
	check_grep "README's query table has $p:" '`'"$p:" cat "$T/readme-language"
done <"$T/prefixes"
check_grep "help search lists visibility's values" '^  visibility:WHO +Mastodon posts by audience: public, unlisted, followers or direct$' \
	cat "$T/help.search"
check_grep "help search lists every media kind" 'video, gif, photo, sticker, audio, file,' cat "$T/help.search"

