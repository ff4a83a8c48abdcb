# Every output format, read by its real consumer: jq for JSON, Python's
# csv module for CSV, pandoc for CSL-JSON (citeproc) and BibTeX, patterns
# for RIS, APA, MLA and Chicago.  Every format carries the locator.
. tests/cli/lib.sh

C="$T/c"
ingest_or_exit "ingest the query fixture" "$C" "$FIXTURES/query/posts.jsonl"
export QUIRE_CORPUS="$C"
S() { "$QUIRE" search --limit 0 --sort oldest "$@"; }
SHA1=$("$QUIRE" show --verify 1267900000000000001 | cut -d' ' -f3)
CID=$(jq -r .id "$C/quire.json" 2>/dev/null)
[ -n "$CID" ] || CID=$(S -f json 'id:1267900000000000001' | jq -r .corpus.id)

# -- every format carries the locator of post 1, and none with --no-locator
for f in text json jsonl csv csl-json bibtex biblatex ris apa mla chicago; do
	check_grep "$f carries the record sha256" "$SHA1" "$QUIRE" search -f "$f" id:1267900000000000001
	check_grep "$f carries the corpus id" "$CID" "$QUIRE" search -f "$f" id:1267900000000000001
	out=$("$QUIRE" search -f "$f" --no-locator id:1267900000000000001 2>&1)
	if printf '%s' "$out" | grep -q "$SHA1"; then not_ok "$f --no-locator leaves the locator out" "$out"
	else ok "$f --no-locator leaves the locator out"; fi
done

# -- json: one document, valid for jq and for schemas/output.schema.json
S -f json '' >"$T/all.json"
check_output "json: jq reads the document" "1 16 16 true" jq -r '"\(.format_version) \(.results | length) \(.shown) \(.total.exact)"' "$T/all.json"
check_output "json: the query is carried" "#blm" sh -c "'$QUIRE' search -f json '#blm' | jq -r .query"
check_output "json: locators match the posts" "16" sh -c "jq '[.results[] | select(.locator.sha256 == .post.record.sha256 and .locator.record == .post.record.locator)] | length' '$T/all.json'"
check_output "json: ids are strings" "string string" jq -r '.results[0].post | "\(.native_id | type) \(.author.id | type)"' "$T/all.json"
check_output "json: no hits is still a document" "0 0" sh -c "'$QUIRE' search -f json zebra | jq -r '\"\\(.results | length) \\(.total.estimated)\"'"
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	S -f json --collapse repost fancams >"$T/collapsed.json"
	check "json: valid against schemas/output.schema.json" /usr/bin/python3 -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
for path in sys.argv[2:]:
    jsonschema.validate(json.load(open(path)), schema, cls=jsonschema.Draft202012Validator)
' "$ROOT/schemas/output.schema.json" "$T/all.json" "$T/collapsed.json"
	S -f jsonl '' >"$T/all.jsonl"
	check "jsonl: each line is a result of the schema" /usr/bin/python3 -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
result = dict(schema["$defs"]["result"], **{"$defs": schema["$defs"]})
for line in open(sys.argv[2]):
    jsonschema.validate(json.loads(line), result, cls=jsonschema.Draft202012Validator)
' "$ROOT/schemas/output.schema.json" "$T/all.jsonl"
else
	skip "json: valid against schemas/output.schema.json" "python3-jsonschema is not installed"
	skip "jsonl: each line is a result of the schema" "python3-jsonschema is not installed"
fi

# -- jsonl: one object per line
check_output "jsonl: one object per post" "16" sh -c "'$QUIRE' search -f jsonl -n 0 '' | jq -c .post.id | wc -l | tr -d ' '"
check_output "jsonl: the Korean text comes back intact" "흑인의 생명도 소중합니다 #블랙라이브스매터 #WhiteLivesMatter" sh -c "'$QUIRE' search -f jsonl id:1267900000000000003 | jq -r .post.text"

# -- ids
check_output "ids: one native id per line" "16" sh -c "'$QUIRE' search -f ids -n 0 '' | grep -Ec '^[0-9]{19}$'"

# -- csv: RFC 4180, read by Python's csv module in strict mode
S -f csv '' >"$T/all.csv"
check_output "csv: rows end in CRLF" "17" sh -c "tr -cd '\\r' <'$T/all.csv' | wc -c | tr -d ' '"
check "csv: a strict reader reads every row and field" python3 - "$T/all.csv" "$T/all.jsonl" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8'), strict=True))
posts = [json.loads(l)["post"] for l in open(sys.argv[2])]
assert len(rows) == 16, len(rows)
for r, p in zip(rows, posts):
    assert r["id"] == p["id"], (r["id"], p["id"])
    # numeric ids start with the apostrophe that keeps them text
    assert r["native_id"] == "'" + p["native_id"], r["native_id"]
    assert r["author_id"] == "'" + p["author"]["id"], r["author_id"]
    assert r["hashtags"] == " ".join(p["hashtags"]), r["hashtags"]
    assert r["record_sha256"] == p["record"]["sha256"]
    text = p["text"]
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    assert r["text"] == text, (r["text"], text)
by = {r["id"]: r for r in rows}
assert by["twitter:1267900000000000013"]["text"].startswith("'=HYPERLINK(")
assert "\n" in by["twitter:1267900000000000013"]["text"]
assert by["twitter:1267900000000000002"]["author_name"] == "'+Plus Stan"
assert by["twitter:1267900000000000007"]["text"].startswith("'@river_reports")
assert by["twitter:1267900000000000009"]["media_types"] == "photo video"
assert by["twitter:1267900000000000012"]["text"].startswith('Special chars: 50% & rising, {braces} $5')
PY
check_output "csv: --no-locator drops the locator columns" "23" sh -c "'$QUIRE' search -f csv --no-locator fancams | head -1 | tr ',' '\n' | wc -l | tr -d ' '"
check_output "csv: --collapse fills the folded column" "3" sh -c "'$QUIRE' search -f csv --collapse repost --sort oldest fancams | python3 -c 'import csv,sys; print(next(csv.DictReader(sys.stdin))[\"folded\"])'"

# -- text: colour only when asked or on a terminal, NO_COLOR respected
check "text: no colour into a pipe" sh -c "! '$QUIRE' search fancams | grep -q \$(printf '\\033')"
check "text: no colour with --color never" sh -c "! '$QUIRE' search --color never fancams | grep -q \$(printf '\\033')"
check_grep "text: --color always highlights the matched words" "$(printf '\033')\\[1;4mfancams$(printf '\033')\\[0m" "$QUIRE" search --color always fancams
check_grep "text: colour on a terminal" "$(printf '\033')\\[" script -qc "'$QUIRE' search --corpus '$C' fancams" /dev/null
check "text: NO_COLOR on a terminal turns it off" sh -c "! NO_COLOR=1 script -qc \"'$QUIRE' search --corpus '$C' fancams\" /dev/null | grep -q \$(printf '\\033')"
check_grep "text: snippets give back the text Xapian escaped" '50% & .*rising.*, \{braces\} \$5 a_b ~ \^ "quoted" <tag> back' "$QUIRE" search --color always rising
check "text: no HTML entities left in snippets" sh -c "! '$QUIRE' search --color always rising | grep -E '&(amp|lt|gt);'"
check_grep "text: a stemmed match is highlighted too" "$(printf '\033')\\[1;4mFlooding" "$QUIRE" search --color always flood
check_grep "text: times in the zone asked for" '2020-06-02 18:30:00 America/Chicago' "$QUIRE" search --tz America/Chicago id:1267900000000000001
check_grep "text: the block names author, time, platform" '^  1\. River Song @river_reports · 2020-06-02 23:30:00 UTC · twitter$' "$QUIRE" search id:1267900000000000001

# -- CSL-JSON, rendered by pandoc's citeproc with its default style
S -f csl-json '' >"$T/all.csl.json"
check_output "csl-json: items of type post" "16 post" jq -r '"\(length) \(map(.type) | unique | join(","))"' "$T/all.csl.json"
check_output "csl-json: the fields of a tweet with a video" \
	'River Song [@river_reports]|2020-6-4|2020-06-04T23:59:59Z|Tweet|Twitter|Video attached|https://twitter.com/river_reports/status/1267900000000000011' \
	jq -r '.[] | select(.id == "twitter:1267900000000000011") | [.author[0].literal, (.issued."date-parts"[0] | map(tostring) | join("-")), .issued.raw, .genre, ."container-title", .medium, .URL] | join("|")' "$T/all.csl.json"
check_grep "csl-json: the locator is in note" "^Archived in quire corpus $CID, record [^ ]+, sha256 $SHA1\$" jq -r '.[0].note' "$T/all.csl.json"
if command -v pandoc >/dev/null 2>&1; then
	printf -- '---\nbibliography: %s\nnocite: "@*"\n---\n' "$T/all.csl.json" >"$T/refs.md"
	if pandoc --citeproc -t plain --wrap=none "$T/refs.md" -o "$T/refs.txt" 2>"$T/pandoc.err"; then
		ok "csl-json: pandoc --citeproc renders it"
		check "csl-json: every post's author, text, platform and URL in the rendered list" python3 - "$T/refs.txt" "$T/all.jsonl" <<'PY'
import json, sys
# The style curls quotes; compare them as one kind.
def plain(s):
    for q in "\u2018\u2019\u201c\u201d'":
        s = s.replace(q, '"')
    return s
rendered = plain(open(sys.argv[1], encoding="utf-8").read().replace("\u2060", ""))
for line in open(sys.argv[2]):
    p = json.loads(line)["post"]
    text = plain(" ".join(p["text"].split()))
    author = plain("%s [@%s]" % (p["author"]["name"], p["author"]["handle"]))
    for want in (author, text, p["url"]):
        assert want in rendered, "missing in pandoc's rendering: %r" % want
entries = [e for e in rendered.split("\n\n") if e.strip()]
assert len(entries) == 16, len(entries)
for e in entries:
    assert (" Tweet. Twitter." in e) != (" Post. X." in e), e
PY
		check_grep "csl-json: a 2023 tweet is a Post on X" '“Three years on\. #BlackLivesMatter\.” Post\. X\.' cat "$T/refs.txt"
	else
		not_ok "csl-json: pandoc --citeproc renders it" "$(cat "$T/pandoc.err")"
	fi
else
	skip "csl-json: pandoc --citeproc renders it" "pandoc is not installed"
fi

# -- The same CSL-JSON through the standard styles (Debian's
# citation-style-language-styles): APA 7, MLA 9 and Chicago 17 notes-
# bibliography give each post the date our own apa, mla and chicago give it
# (CSL dates stop at the day; the manuals' time, "6:01 p.m.", is ours alone),
# in UTC and in another zone.
CSL=/usr/share/citation-style-language/styles
if command -v pandoc >/dev/null 2>&1 && [ -f "$CSL/apa.csl" ] && [ -f "$CSL/modern-language-association.csl" ] &&
	[ -f "$CSL/chicago-note-bibliography.csl" ]; then
	for tz in UTC Asia/Seoul; do
		S --tz "$tz" -f csl-json --no-locator '' >"$T/tz.csl.json"
		printf -- '---\nbibliography: %s\nnocite: "@*"\n---\n' "$T/tz.csl.json" >"$T/tz.md"
		for st in apa modern-language-association chicago-note-bibliography; do
			pandoc --citeproc --csl="$CSL/$st.csl" -t plain --wrap=none "$T/tz.md" -o "$T/$st.txt" 2>/dev/null
		done
		for st in apa mla chicago; do S --tz "$tz" -f "$st" --no-locator '' >"$T/ours.$st.txt"; done
		check "citeproc's APA 7, MLA 9 and Chicago 17 dates are ours, in $tz" python3 - "$T" <<'PY'
import re, sys
d = sys.argv[1]
def entries(path):
    """Entries keyed by the post's URL (the last one in the entry)."""
    out = {}
    for e in open(path, encoding="utf-8").read().split("\n\n"):
        urls = re.findall(r"https://\S+?(?=\.?$|\s)", e.strip())
        if urls:
            out[urls[-1].rstrip(".")] = e.strip()
    return out
months = "January February March April May June July August September October November December".split()
mla_months = "Jan. Feb. Mar. Apr. May June July Aug. Sept. Oct. Nov. Dec.".split()
pairs = [
    # style, ours, theirs' date pattern, ours' date-and-time pattern
    # citeproc tells apart one author's posts of one year, as APA's
    # reference list does (2020a, 2020b); our references stand alone.
    ("apa", "apa.txt", r"\((\d{4})[a-z]?, (\w+) (\d{1,2})\)\.", r"\((\d{4}), (\w+) (\d{1,2})\)\. "),
    ("mla", "modern-language-association.txt", r", (\d{1,2}) (\S+) (\d{4}),",
     r", (\d{1,2}) (\S+) (\d{4}), (1[0-2]|[1-9]):[0-5]\d (a|p)\.m\., https"),
    ("chicago", "chicago-note-bibliography.txt", r", (\w+) (\d{1,2}), (\d{4})\.",
     r", (\w+) (\d{1,2}), (\d{4}), (1[0-2]|[1-9]):[0-5]\d (a|p)\.m\., https"),
]
for style, theirs_file, theirs_re, ours_re in pairs:
    ours = entries("%s/ours.%s.txt" % (d, style))
    theirs = entries("%s/%s" % (d, theirs_file))
    assert len(ours) == 16 and set(ours) == set(theirs), (style, len(ours), len(theirs))
    for url, e in ours.items():
        t = re.search(theirs_re, theirs[url])
        o = re.search(ours_re, e)
        assert t and o, (style, e, theirs[url])
        assert t.groups()[:3] == o.groups()[:3], (style, e, theirs[url])
        names = mla_months if style == "mla" else months
        assert (o.group(2) if style != "chicago" else o.group(1)) in names, (style, e)
PY
	done
else
	skip "citeproc's APA 7, MLA 9 and Chicago 17 dates are ours" "pandoc or citation-style-language-styles is not installed"
fi

# -- BibTeX and biblatex, read back by pandoc's BibTeX reader
S -f bibtex '' >"$T/all.bib"
S -f biblatex '' >"$T/all-latex.bib"
check_output "bibtex: one @misc per post" "16" grep -c '^@misc{twitter:[0-9]*,$' "$T/all.bib"
check_output "biblatex: one @online per post" "16" grep -c '^@online{twitter:[0-9]*,$' "$T/all-latex.bib"
check_grep "bibtex: url, howpublished and note" 'howpublished = \{Twitter\}' cat "$T/all.bib"
if command -v pandoc >/dev/null 2>&1; then
	for v in bibtex biblatex; do
		f="$T/all.bib"
		[ "$v" = biblatex ] && f="$T/all-latex.bib"
		if pandoc -f "$v" -t csljson "$f" -o "$T/$v.json" 2>"$T/pandoc.err"; then
			ok "$v: pandoc parses it"
			check "$v: titles, authors, urls and notes come back exactly" python3 - "$T/$v.json" "$T/all.jsonl" "$SHA1" <<'PY'
import json, sys
items = {i["id"]: i for i in json.load(open(sys.argv[1]))}
assert len(items) == 16, len(items)
for line in open(sys.argv[2]):
    p = json.loads(line)["post"]
    i = items[p["id"]]
    assert i["title"] == " ".join(p["text"].split()), (i["title"], p["text"])
    assert i["author"][0]["literal"] == "%s [@%s]" % (p["author"]["name"], p["author"]["handle"]), i["author"]
    assert i["URL"] == p["url"], i["URL"]
    assert p["record"]["sha256"] in i["note"], i["note"]
    assert i["issued"]["date-parts"][0][0] in (2020, 2023)
assert sys.argv[3] in items["twitter:1267900000000000001"]["note"]
PY
		else
			not_ok "$v: pandoc parses it" "$(cat "$T/pandoc.err")"
		fi
	done
else
	skip "bibtex: pandoc parses it" "pandoc is not installed"
fi
check_grep "biblatex: the date carries the time" 'date += \{2020-06-04T23:59:59\}' cat "$T/all-latex.bib"

# -- RIS
S -f ris '' | tr -d '\r' >"$T/all.ris"
check_output "ris: one ICOMM record per post" "16 16" sh -c "printf '%s %s' \$(grep -c '^TY  - ICOMM\$' '$T/all.ris') \$(grep -c '^ER  - \$' '$T/all.ris')"
check "ris: every line is TAG  - value" sh -c "! grep -Ev '^([A-Z][A-Z0-9]  - .*)?\$' '$T/all.ris'"
check_grep "ris: author, title, date, url" "$(printf 'AU  - River Song \\[@river_reports\\]\nTI  - Marching downtown tonight')" cat "$T/all.ris"
check_grep "ris: date with the time" '^DA  - 2020/06/02/23:30:00$' cat "$T/all.ris"
check_grep "ris: the locator in a note" "^N1  - Archived in quire corpus $CID, record .*, sha256 $SHA1\$" cat "$T/all.ris"
check_grep "ris: the two-line post on one line" '^TI  - =HYPERLINK\("http://evil.example"\) click second line$' cat "$T/all.ris"

# -- APA 7, MLA 9, Chicago 17: the patterns of the styles
MONTH='(January|February|March|April|May|June|July|August|September|October|November|December)'
S -f apa --no-locator '' >"$T/apa.txt"
check_output "apa: every reference has the APA 7 shape" "16" grep -Ec "^.+ \\[@[a-z_]+\\]\\. \\(20[0-9]{2}, $MONTH [0-9]{1,2}\\)\\. .+( \\[(Video|Image|GIF) attached\\])* \\[(Tweet|Post)\\]\\. (Twitter|X)\\. https://twitter\\.com/[a-z_]+/status/[0-9]+\$" "$T/apa.txt"
check_grep "apa: twenty words, the emoji one word each, then the medium" '^River Song \[@river_reports\]\. \(2020, June 4\)\. Protesting peacefully🙏🏽🙏🏽 today with friends and neighbours, a long post with more words than the APA rule keeps \[Video attached\] \[Tweet\]\. Twitter\. https://twitter\.com/river_reports/status/1267900000000000011$' cat "$T/apa.txt"
check_grep "apa: two media, both attached" 'fancams #iWatchDallas \[Video attached\] \[Image attached\] \[Tweet\]\. Twitter\.' cat "$T/apa.txt"
check_grep "apa: a GIF" '^제이드 별빛🌙 \[@byeol_demo\]\. \(2020, June 3\)\. 흑인의 생명도 소중합니다 #블랙라이브스매터 #WhiteLivesMatter \[GIF attached\] \[Tweet\]\. Twitter\. ' cat "$T/apa.txt"
check_grep "apa: after July 2023 a tweet is a Post on X" '\(2023, August 1\)\. Three years on\. #BlackLivesMatter \[Post\]\. X\. https' cat "$T/apa.txt"
check_grep "apa: the date in the zone asked for" '^River Song \[@river_reports\]\. \(2020, June 3\)\. Marching' "$QUIRE" search -f apa --tz Asia/Seoul id:1267900000000000001
check_grep "apa: the locator follows on its own line" "^  archived: corpus $CID, record [^ ]+, sha256 $SHA1\$" "$QUIRE" search -f apa id:1267900000000000001
S -f mla --no-locator '' >"$T/mla.txt"
check_output "mla: every entry has the MLA 9 shape" "16" grep -Ec "^@[a-z_]+ \\(.+\\)\\. \".+[.!?]\" (Twitter|X), [0-9]{1,2} (Jan\\.|Feb\\.|Mar\\.|Apr\\.|May|June|July|Aug\\.|Sept\\.|Oct\\.|Nov\\.|Dec\\.) 20[0-9]{2}, ([1-9]|1[0-2]):[0-5][0-9] (a|p)\\.m\\., https://twitter\\.com/[a-z_]+/status/[0-9]+\\.\$" "$T/mla.txt"
check_grep "mla: full text, quotes inside made single" "^@stan_account \\(\\+Plus Stan\\)\\. \"Special chars: 50% & rising, \\{braces\\} \\\$5 a_b ~ \\^ 'quoted' <tag> back.slash #blm\\.\" Twitter, 5 June 2020, 12:00 a\\.m\\., https://twitter\\.com/stan_account/status/1267900000000000012\\.\$" cat "$T/mla.txt"
check_grep "mla: twelve-hour time, as MLA 9 writes it" '"Marching downtown tonight\. Thousands of protesters #BlackLivesMatter #JusticeForGeorgeFloyd\." Twitter, 2 June 2020, 11:30 p\.m\., ' cat "$T/mla.txt"
S -f chicago --no-locator '' >"$T/chicago.txt"
check_output "chicago: every note has the Chicago 17 shape" "16" grep -Ec "^.+ \\(@[a-z_]+\\), \".+[,?!]\" (Twitter|X), $MONTH [0-9]{1,2}, 20[0-9]{2}, [0-9]{1,2}:[0-5][0-9] (a|p)\\.m\\., https://twitter\\.com/[a-z_]+/status/[0-9]+\\.\$" "$T/chicago.txt"
check_grep "chicago: 12-hour time with a.m./p.m." '^River Song \(@river_reports\), "Marching downtown tonight\. Thousands of protesters #BlackLivesMatter #JusticeForGeorgeFloyd," Twitter, June 2, 2020, 11:30 p\.m\., https://twitter\.com/river_reports/status/1267900000000000001\.$' cat "$T/chicago.txt"
check_grep "chicago: midnight is 12:00 a.m." 'Twitter, June 5, 2020, 12:00 a\.m\., ' cat "$T/chicago.txt"
check "chicago: the text stops at 160 characters, at a word" python3 - "$T/chicago.txt" <<'PY'
import re, sys
for line in open(sys.argv[1], encoding="utf-8"):
    if not line.strip():
        continue
    m = re.match(r'^.+? \(@[a-z_]+\), "(.*)" (Twitter|X), ', line)
    assert m, line
    text = m.group(1).rstrip(",")
    assert len(text) <= 161, (len(text), text)
    if "1267900000000000011" in line:
        assert text.endswith("#BlackLivesMatter and…"), text
PY

