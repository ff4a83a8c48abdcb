# Spreadsheets, exactly: -f xlsx read back cell by cell (as quire wrote it,
# and as LibreOffice reads it), -f csv safe in LibreOffice, -f csv-raw exact
# for programs.  Posts that start like formulas, 19-digit ids, controls, a
# text longer than a cell holds: made here at test time.
. tests/cli/lib.sh

CELLS="$ROOT/tests/cli/xlsx_cells.py"
python3 - "$T/hostile.jsonl" <<'EOF'
import json, sys
texts = ["@fan_one thank you", "-5 degrees and marching", "+1 to this", "=1+1",
         '=HYPERLINK("http://evil.example","click")', "\tstarts with a tab", "_x0041_ is not an A",
         "two\nlines", "💜 한국어 #블랙라이브스매터", "bell \u0007 rings", "x" * 40000]
with open(sys.argv[1], "w") as f:
    for k, t in enumerate(texts):
        tid, uid = 1268999999999999900 + k, 1098765432101234500 + k
        f.write(json.dumps({"created_at": "Wed Jun 03 %02d:%02d:%02d +0000 2020" % (4 + k, 5 * k, k), "id": tid,
            "id_str": str(tid), "full_text": t, "truncated": False,
            "entities": {"hashtags": [{"text": "WLM", "indices": [0, 1]}] if k < 3 else [], "user_mentions": [], "urls": []},
            "user": {"id": uid, "id_str": str(uid), "screen_name": "acct_%d" % k, "name": "=Name %d" % k if k == 3 else "Name %d" % k},
            "lang": "en", "in_reply_to_status_id_str": None}, ensure_ascii=False) + "\n")
EOF
C="$T/corpus"
ingest_or_exit "the hostile posts go in" "$C" "$T/hostile.jsonl"
S() { "$QUIRE" search -c "$C" --sort oldest -n 0 "$@"; }
S -f json '' >"$T/posts.json"

# Every cell of a posts sheet against the posts as JSON: ids and texts exact
# strings (a text past a cell's 32,767 characters cut, and said so), times
# date cells of the right instant, no formula anywhere.  $1: cells (JSON),
# $2: the posts, $3: sheet name, $4: "quire" or "csv" (LibreOffice's import
# of the safe CSV: ids and formula-like texts keep their apostrophe).
cat >"$T/check.py" <<'EOF'
import datetime, json, sys
cells, posts, sheet, mode = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3], sys.argv[4]
rows = cells[sheet]
head = [c["value"] for c in rows[0]]
bad = []
def cell(r, name):
    row = rows[r]
    i = head.index(name)
    return row[i] if i < len(row) else {"type": "empty", "value": None, "formula": None}
for name, row in cells.items():
    for r in row:
        for c in r:
            if c["formula"] is not None or c["type"] == "error":
                bad.append("%s: a formula or error cell: %r" % (name, c))
when_col = "created_at (UTC)" if mode == "quire" else "created_at"
for k, res in enumerate(posts["results"]):
    p = res["post"]
    want = {"native_id": p["native_id"], "author_id": p["author"]["id"], "id": p["id"], "text": p["text"],
            "author_name": p["author"]["name"]}
    for col, w in want.items():
        c = cell(k + 1, col)
        if mode == "csv" and (col in ("native_id", "author_id") or w[:1] in "=+-@\t"):
            w = "'" + w
        if mode == "csv" and col == "text":
            w = w.replace("\x07", "\\x07")
        if c["type"] != "string":
            bad.append("row %d %s: a %s cell, not a string: %r" % (k + 1, col, c["type"], c["value"]))
        elif len(w) > 32767:
            # quire cuts it to what a cell holds; LibreOffice's CSV import
            # cuts it too (where it will)
            if not (len(c["value"]) == 32767 if mode == "quire" else len(c["value"]) >= 32767) \
                    or not w.startswith(c["value"]):
                bad.append("row %d %s: not cut to 32,767 characters (%d)" % (k + 1, col, len(c["value"])))
        elif c["value"] != w:
            bad.append("row %d %s: %r, wanted %r" % (k + 1, col, c["value"][:80], w[:80]))
    c = cell(k + 1, when_col)
    t = datetime.datetime.strptime(p["created_at"], "%Y-%m-%dT%H:%M:%SZ")
    if mode == "quire":
        serial = (t - datetime.datetime(1899, 12, 30)).total_seconds() / 86400
        if c["type"] != "date" or abs(c["value"] - serial) > 1e-6:
            bad.append("row %d created_at: %r, wanted the date %s (%f)" % (k + 1, c, p["created_at"], serial))
    elif c["value"] != p["created_at"]:
        bad.append("row %d created_at: %r" % (k + 1, c["value"]))
    if cell(k + 1, "rank")["type"] != "number" or cell(k + 1, "rank")["value"] != k + 1:
        bad.append("row %d rank: %r" % (k + 1, cell(k + 1, "rank")))
if len(rows) != len(posts["results"]) + 1:
    bad.append("%d rows for %d posts" % (len(rows) - 1, len(posts["results"])))
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
EOF

# -- the workbook as quire writes it ------------------------------------------
check "xlsx: written with --out" S -f xlsx --out "$T/posts.xlsx" ''
check "xlsx: to a pipe too, the same sheets" sh -c "'$QUIRE' search -c '$C' --sort oldest -n 0 -f xlsx '' | cat >'$T/piped.xlsx' && unzip -l '$T/piped.xlsx' | grep -q sheet2.xml"
python3 "$CELLS" "$T/posts.xlsx" >"$T/posts.cells" 2>&1
check "xlsx: python's zipfile reads it" jq -e '.posts and .about' "$T/posts.cells"
check "xlsx: ids, texts, times and ranks cell by cell" python3 "$T/check.py" "$T/posts.cells" "$T/posts.json" posts quire
check "xlsx: no formula element in any sheet" sh -c "! unzip -p '$T/posts.xlsx' 'xl/worksheets/*.xml' | grep -q '<f>'"
corpus_id=$(jq -r .corpus.id "$T/posts.json")
check_output "xlsx: the about sheet names the query, the corpus and how to verify" \
"query (every post)
corpus id $corpus_id
verify quire show --corpus $C --verify ID
cut cells 1" jq -r '.about[] | select(.[0].value | IN("query", "corpus id", "verify", "cut cells")) | "\(.[0].value) \(.[1].value | sub(": reads.*"; ""))"' "$T/posts.cells"
check_grep "xlsx: the made time is UTC, to the second" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
	jq -r '.about[] | select(.[0].value == "made (UTC)") | .[1].value' "$T/posts.cells"

# -- refusing a terminal, --out whole or not at all ----------------------------
if command -v script >/dev/null 2>&1; then
	check_grep "xlsx: refused on a terminal" 'will not write a binary workbook to a terminal' \
		script -qec "'$QUIRE' search -c '$C' -f xlsx ''" /dev/null
else
	skip "xlsx: refused on a terminal" "script (util-linux) is not installed"
fi
check_exit 2 "--out: a query that fails leaves no file" S -f xlsx --out "$T/bad.xlsx" 'fancam AND'
check_output "--out: nor a temporary one" "" sh -c "ls '$T' | grep -e '^bad.xlsx'"
check_exit 0 "--out: any format" S -f csv --out "$T/posts.csv" ''
check_output "--out: the file holds the whole output" "$(S -f csv '')" cat "$T/posts.csv"

# -- csv-raw: the cells untouched, for programs --------------------------------
S -f csv-raw '' >"$T/raw.csv"
check "csv-raw: python's csv module reads every cell exactly as in the post" python3 -c '
import csv, json, sys
posts = json.load(open(sys.argv[2]))["results"]
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert len(rows) == len(posts), (len(rows), len(posts))
for r, p in zip(rows, posts):
    p = p["post"]
    for col, want in (("native_id", p["native_id"]), ("author_id", p["author"]["id"]), ("text", p["text"]),
                      ("author_name", p["author"]["name"])):
        assert r[col] == want, (col, r[col][:60], want[:60])
' "$T/raw.csv" "$T/posts.json"
check_grep "csv-raw: the help says the risk" 'csv-raw +every cell exactly as in the post.*RISKY in a +spreadsheet' \
	sh -c "'$QUIRE' help search | tr '\n' ' '"

# -- the other tables ----------------------------------------------------------
check "facets: xlsx" "$QUIRE" facets -c "$C" --by hashtag -f xlsx --out "$T/facets.xlsx" ''
python3 "$CELLS" "$T/facets.xlsx" >"$T/facets.cells"
check_output "facets xlsx: values as text, posts and shares as numbers" "string wlm number 3 number" \
	jq -r '.hashtags[1] | "\(.[0].type) \(.[0].value) \(.[1].type) \(.[1].value) \(.[2].type)"' "$T/facets.cells"
check "timeline: xlsx in a zone" "$QUIRE" timeline -c "$C" --by hour --tz America/Chicago -f xlsx --out "$T/timeline.xlsx" ''
python3 "$CELLS" "$T/timeline.xlsx" >"$T/timeline.cells"
check_output "timeline xlsx: the zone in the header, buckets as dates of local time" \
	"start (America/Chicago) date 43984.958333" \
	jq -r '"\(.timeline[0][0].value) \(.timeline[1][0].type) \(.timeline[1][0].value * 1000000 | round / 1000000)"' "$T/timeline.cells"

# -- LibreOffice reads them back -----------------------------------------------
if command -v soffice >/dev/null 2>&1; then
	# One start of LibreOffice for every file (it takes seconds): the
	# workbooks with their own filter, the CSV as UTF-8 text (--infilter
	# holds for the files after it), each saved again as xlsx.
	cp "$T/posts.xlsx" "$T/p-xlsx.xlsx"
	cp "$T/posts.csv" "$T/p-csv.csv"
	(cd "$T" && HOME="$T" timeout 300 soffice -env:UserInstallation="file://$T/lo-profile" --headless \
		--convert-to xlsx --outdir "$T/lo" p-xlsx.xlsx timeline.xlsx --infilter=CSV:44,34,76,1 p-csv.csv) \
		>"$T/soffice.out" 2>&1
	check "libreoffice: converts the workbooks and the csv" test -s "$T/lo/p-xlsx.xlsx" -a -s "$T/lo/p-csv.xlsx" -a -s "$T/lo/timeline.xlsx"
	python3 "$CELLS" "$T/lo/p-xlsx.xlsx" >"$T/lo-xlsx.cells" 2>&1
	check "libreoffice, xlsx: ids keep 19 digits, texts exact with no apostrophe, dates are dates, no formulas" \
		python3 "$T/check.py" "$T/lo-xlsx.cells" "$T/posts.json" posts quire
	check_output "libreoffice, xlsx: the about sheet comes along" "$corpus_id" \
		jq -r '.about[] | select(.[0].value == "corpus id") | .[1].value' "$T/lo-xlsx.cells"
	python3 "$CELLS" "$T/lo/p-csv.xlsx" >"$T/lo-csv.cells" 2>&1
	check "libreoffice, csv: ids keep 19 digits as text, formula-like texts stay text, no formulas" \
		python3 "$T/check.py" "$T/lo-csv.cells" "$T/posts.json" p-csv csv
	python3 "$CELLS" "$T/lo/timeline.xlsx" >"$T/lo-timeline.cells" 2>&1
	check_output "libreoffice, timeline: dates of local time" "date 43984.958333" \
		jq -r '"\(.timeline[1][0].type) \(.timeline[1][0].value * 1000000 | round / 1000000)"' "$T/lo-timeline.cells"
else
	for d in "converts the workbooks and the csv" "xlsx cells" "xlsx about sheet" "csv cells" "timeline"; do
		skip "libreoffice: $d" "LibreOffice (soffice) is not installed: sh .ci/deps test installs libreoffice-calc"
	done
fi
