# quire export: BagIt bags of the demo corpus, checked by quire and, on their
# own, by sha256sum/sha512sum, an RFC 8493 validator written with Python's
# standard library (bagit_check.py), and the published JSON Schemas of
# Frictionless Data Packages and CITATION.cff (schema_check.py); tampering;
# reproducible bytes; ingest of a bag and export again.
. tests/cli/lib.sh

for tool in jq zstd python3 sha256sum sha512sum zip unzip; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		skip "export" "$tool is not installed (sh .ci/deps test)"
		exit 0
	fi
done

C="$T/corpus"
Q='#WhiteLivesMatter date:2020-06-03'
BAGCHECK="python3 $ROOT/tests/cli/bagit_check.py"
ingest_or_exit "the demo corpus goes in" "$C" --events corpus/events corpus/demo/data
"$QUIRE" tag -c "$C" +offmessage -- "$Q -fancam" >/dev/null
"$QUIRE" tag -c "$C" +reviewed -- 'iwatch date:2020-06-03' >/dev/null
N=$("$QUIRE" count -c "$C" "$Q")
export SOURCE_DATE_EPOCH=1591228800   # 2020-06-04

B="$T/wlm"
set -- --title 'WLM on 3 June 2020' --author 'Doe, Jane' --author 'Newsroom Desk' --version 1.0 --license CC-BY-4.0 \
	--contact-name 'Data Desk' --contact-email desk@example.org
check_grep "export writes a bag" "^exported $N posts to $B \(content originals: $N original records" \
	"$QUIRE" export -c "$C" -o "$B" "$@" "$Q"
check_output "quire export --verify: sound" "$B: sound (every manifest, Payload-Oxum, tag manifests, every original record)" \
	"$QUIRE" export --verify "$B"
check "sha256sum -c over manifest-sha256.txt" sh -c "cd '$B' && sha256sum -c --quiet --strict manifest-sha256.txt"
check "sha512sum -c over manifest-sha512.txt" sh -c "cd '$B' && sha512sum -c --quiet --strict manifest-sha512.txt"
check "sha256sum -c over the tag manifest" sh -c "cd '$B' && sha256sum -c --quiet --strict tagmanifest-sha256.txt"
check "every payload file is in the manifest" sh -c "cd '$B' && find data -type f | LC_ALL=C sort >'$T/files' &&
	cut -c67- manifest-sha256.txt | LC_ALL=C sort | cmp - '$T/files'"
check_output "the independent RFC 8493 validator finds the folder valid" "valid" $BAGCHECK "$B"
check_output "bagit.txt" "BagIt-Version: 1.0
Tag-File-Character-Encoding: UTF-8" cat "$B/bagit.txt"
check_grep "bag-info.txt: the Bagging-Date of SOURCE_DATE_EPOCH" '^Bagging-Date: 2020-06-04$' cat "$B/bag-info.txt"
check_grep "bag-info.txt: the query exactly, as JSON" '^Quire-Query: "#WhiteLivesMatter date:2020-06-03"$' cat "$B/bag-info.txt"
check_grep "bag-info.txt: the count and level" "^Quire-Posts: $N\$" cat "$B/bag-info.txt"
check_grep "bag-info.txt: the contact" '^Contact-Email: desk@example.org$' cat "$B/bag-info.txt"
check_grep "bag-info.txt: the corpus id" "^Quire-Corpus-Id: $(jq -r .id "$C/quire.json")\$" cat "$B/bag-info.txt"
oxum=$(find "$B/data" -type f -exec cat {} + | wc -c).$(find "$B/data" -type f | wc -l)
check_grep "Payload-Oxum is the payload's bytes and files" "^Payload-Oxum: $oxum\$" cat "$B/bag-info.txt"

# The payload files are what the CLI prints for the same query and sort.
for f in jsonl:posts.jsonl csv:posts.csv csl-json:citations.csl.json ids:ids/twitter.txt; do
	"$QUIRE" search -c "$C" --portable -f "${f%%:*}" --sort oldest -n 0 "$Q" >"$T/cli.out"
	check "data/${f#*:} is byte for byte 'quire search --portable -f ${f%%:*}'" cmp "$T/cli.out" "$B/data/${f#*:}"
done
check_output "posts.jsonl holds every post the query matches" "$N" sh -c "wc -l <'$B/data/posts.jsonl' | tr -d ' '"
check_output "posts.jsonl: no corpus id, no store place, no source number" "0" \
	sh -c "grep -c -e '$(jq -r .id "$C/quire.json")' -e '\"locator\"' -e '\"number\"' '$B/data/posts.jsonl'"
check_output "posts.jsonl: every post valid against schemas/post.schema.json" "valid" python3 -c '
import json, sys
from jsonschema import Draft202012Validator
v = Draft202012Validator(json.load(open(sys.argv[1])))
bad = [e.message for line in open(sys.argv[2]) for e in v.iter_errors(json.loads(line)["post"])]
print("\n".join(bad[:5]) or "valid")' "$ROOT/schemas/post.schema.json" "$B/data/posts.jsonl"
check_output "posts.jsonl: codes and events are in the posts" "offmessage" \
	sh -c "jq -r '.post.tags[]?' '$B/data/posts.jsonl' | sort -u"
check_output "posts.csv: ids untouched (no spreadsheet apostrophe) for programs" "0" \
	sh -c "cut -d, -f4 '$B/data/posts.csv' | grep -c \"^'\""
check_output "search -f csv (not portable) keeps the apostrophes" "$N" \
	sh -c "'$QUIRE' search -c '$C' -f csv -n 0 '$Q' | cut -d, -f4 | grep -c \"^'\""

# Originals: every post's record, byte-exact, its sha256 the corpus's.
"$QUIRE" search -c "$C" -f jsonl -n 0 "$Q" | jq -r '"\(.post.id) \(.post.record.sha256)"' | sort >"$T/corpus.sha"
jq -r 'select(.kind == "record") | "\(.post) \(.sha256)"' "$B/data/originals/index.jsonl" | sort >"$T/bag.sha"
check "every post's original is listed with the corpus's sha256" cmp "$T/corpus.sha" "$T/bag.sha"
check_output "zstd -d gives back every record, each followed by nothing" "$(jq -s 'map(select(.kind == "record")) | unique_by(.sha256) | map(.size) | add' "$B/data/originals/index.jsonl")" \
	sh -c "zstd -dc '$B'/data/originals/records-*.zst | wc -c | tr -d ' '"
ID=$(sed -n 5p "$T/corpus.sha" | cut -d' ' -f1)
jq -r --arg id "$ID" 'select(.post == $id) | "\(.file) \(.offset) \(.length)"' "$B/data/originals/index.jsonl" >"$T/where"
read -r file off len <"$T/where"
tail -c +$((off + 1)) "$B/data/originals/$file" | head -c "$len" | zstd -dc >"$T/one"
"$QUIRE" show -c "$C" --raw "$ID" >"$T/raw"
echo >>"$T/one" # show --raw ends the record with a newline
check "the data card's jq + zstd line gives back a record byte for byte (quire show --raw)" cmp "$T/one" "$T/raw"
check_output "...and its sha256 is the one in the index" "$(grep "^$ID " "$T/corpus.sha" | cut -d' ' -f2)" \
	sh -c "head -c -1 '$T/one' | sha256sum | cut -d' ' -f1"

# What the bag says about itself.
check_grep "data card: the query exactly" '^#WhiteLivesMatter date:2020-06-03$' cat "$B/data/README.md"
check_grep "data card: the content level" 'Content level \*\*originals\*\*' cat "$B/data/README.md"
check_grep "data card: counts per platform" "^- platforms: twitter $N\$" cat "$B/data/README.md"
check_grep "data card: posts per day" "^\| 2020-06-03 \| $N \|\$" cat "$B/data/README.md"
check_grep "data card: the inputs with their sha256" "$(jq -r 'select(.path | endswith("collection.zip")) | .sha256' "$C/sources.jsonl" | head -1)" cat "$B/data/README.md"
check_grep "data card: how to verify" 'sha256sum -c manifest-sha256.txt' cat "$B/data/README.md"
check_output "codebook: the codes with their counts" "offmessage $("$QUIRE" count -c "$C" "$Q tag:offmessage")" \
	jq -r '.codes[] | "\(.code) \(.posts)"' "$B/data/codebook.json"
check_output "events/: the definitions of the events the posts carry" "$(jq -r '.post.events[]?' "$B/data/posts.jsonl" | sort -u | sed 's/$/.json/')" \
	sh -c "ls '$B/data/events' | sort"
check "events/: each definition is the catalogue's file" cmp "$B/data/events/kpop-hashtag-flood.json" corpus/events/kpop-hashtag-flood.json
check_grep "CITATION.cff: the authors" 'family-names: "Doe"' cat "$B/data/CITATION.cff"
check_grep "datapackage.json: posts.csv's primary key" '"primaryKey": "id"' cat "$B/data/datapackage.json"
check_output "datapackage.json: the Table Schema's fields are the CSV's header" "$(head -1 "$B/data/posts.csv" | tr -d '\r')" \
	jq -r '[.resources[] | select(.name == "posts") | .schema.fields[].name] | join(",")' "$B/data/datapackage.json"
check_output "datapackage.json: posts.csv's sha256 and size" "sha256:$(sha256sum "$B/data/posts.csv" | cut -d' ' -f1) $(wc -c <"$B/data/posts.csv")" \
	jq -r '.resources[] | select(.name == "posts") | "\(.hash) \(.bytes)"' "$B/data/datapackage.json"

# The published schemas (tests/npm, installed by .ci/deps test).
PROFILES="$ROOT/tests/npm/node_modules/datapackage/lib/profiles"
CFFJS="$ROOT/tests/npm/node_modules/cffjs/dist/schema.js"
if [ -f "$PROFILES/data-package.json" ] && [ -f "$CFFJS" ] && command -v node >/dev/null 2>&1 &&
	python3 -c 'import jsonschema, yaml' 2>/dev/null &&
	node --input-type=module -e "import {schema} from '$CFFJS'; process.stdout.write(JSON.stringify(schema))" >"$T/cff.json"; then
	check_output "datapackage.json (Data Package, Tabular Data Resource profiles), posts.csv against its Table Schema, CITATION.cff (CFF 1.2.0): valid" \
		"valid" python3 "$ROOT/tests/cli/schema_check.py" "$B" "$PROFILES" "$T/cff.json"
	cp -R "$B" "$T/badschema"
	sed -i 's/"type": "datetime"/"type": "integer"/; s/^authors:/writers:/' "$T/badschema/data/datapackage.json" "$T/badschema/data/CITATION.cff"
	check_grep "...and the checks do fail a wrong type and a CITATION.cff without authors" \
		"created_at '2020-06-03T[0-9:]*Z' is not a integer" python3 "$ROOT/tests/cli/schema_check.py" "$T/badschema" "$PROFILES" "$T/cff.json"
	check_grep "...(CITATION.cff)" "CITATION.cff: 'authors' is a required property" \
		python3 "$ROOT/tests/cli/schema_check.py" "$T/badschema" "$PROFILES" "$T/cff.json"
else
	skip "schema checks of datapackage.json and CITATION.cff" "tests/npm is not installed or node/jsonschema missing (sh .ci/deps test)"
fi

# Reproducible: the same corpus, query and options give the same bytes.
"$QUIRE" export -c "$C" -o "$T/again" "$@" "$Q" >/dev/null
for f in manifest-sha256.txt manifest-sha512.txt tagmanifest-sha256.txt bag-info.txt; do
	check "exported again: the same $f" cmp "$B/$f" "$T/again/$f"
done
mkdir -p "$T/z1" "$T/z2"
for d in z1 z2; do
	"$QUIRE" export -c "$C" -o "$T/$d/wlm.zip" "$@" "$Q" >/dev/null
	"$QUIRE" export -c "$C" -o "$T/$d/wlm.tar.gz" "$@" "$Q" >/dev/null
done
check "a .zip bag is the same bytes every time" cmp "$T/z1/wlm.zip" "$T/z2/wlm.zip"
check "a .tar.gz bag is the same bytes every time" cmp "$T/z1/wlm.tar.gz" "$T/z2/wlm.tar.gz"
check_output "the zip: one top folder named like the file, bagit.txt first, every member at the Bagging-Date" \
	"wlm/ wlm/bagit.txt 1" sh -c "unzip -Z1 '$T/z1/wlm.zip' | head -2 | tr '\n' ' '; unzip -l '$T/z1/wlm.zip' | grep -c ' 2020-06-04 00:00 *wlm/bagit.txt'"
check_output "the independent validator: the zip is valid" "valid" $BAGCHECK "$T/z1/wlm.zip"
check_output "the independent validator: the tar.gz is valid" "valid" $BAGCHECK "$T/z1/wlm.tar.gz"
check_grep "quire export --verify: zip and tar.gz sound" 'wlm.tar.gz: sound' "$QUIRE" export --verify "$T/z1/wlm.zip" "$T/z1/wlm.tar.gz"
mkdir -p "$T/unz" && (cd "$T/unz" && unzip -q "$T/z1/wlm.zip")
check "unzipped, sha256sum -c passes" sh -c "cd '$T/unz/wlm' && sha256sum -c --quiet manifest-sha256.txt"
check "the zip's payload manifest is the folder's" cmp "$T/unz/wlm/manifest-sha256.txt" "$B/manifest-sha256.txt"

# Tampering: each caught, named, exit 3; the independent validator agrees.
tamper() {
	rm -rf "$T/tb" && cp -R "$B" "$T/tb"
	sh -c "$1"
	check_exit 3 "tampered ($2): export --verify exits 3" "$QUIRE" export --verify "$T/tb"
	check_grep "tampered ($2): the file is named" "$3" "$QUIRE" export --verify "$T/tb"
	check_grep "tampered ($2): the independent validator fails it too" "$4" $BAGCHECK "$T/tb"
}
tamper "printf X | dd of='$T/tb/data/posts.csv' bs=1 seek=100 conv=notrunc 2>/dev/null" "one byte of a payload file" \
	'bad bag: data/posts.csv: sha256 does not match manifest-sha256.txt' 'data/posts.csv: sha256 checksum'
tamper "rm '$T/tb/data/codebook.json'" "a missing file" \
	'bad bag: data/codebook.json: listed in manifest-sha256.txt but missing' 'data/codebook.json: listed in manifest-sha256.txt but missing'
tamper "echo extra >'$T/tb/data/extra.txt'" "an extra file" \
	'bad bag: data/extra.txt: in the payload but not listed in manifest-sha256.txt' 'data/extra.txt: in the payload but not in manifest-sha256.txt'
tamper "sed -i 's/^Payload-Oxum: .*/Payload-Oxum: 12.3/' '$T/tb/bag-info.txt'" "a wrong Payload-Oxum" \
	'bad bag: bag-info.txt: Payload-Oxum says 12.3' 'bag-info.txt: Payload-Oxum 12.3'
tamper "sed -i 's/^Contact-Name: .*/Contact-Name: Someone Else/' '$T/tb/bag-info.txt'" "a changed tag file" \
	'bad bag: bag-info.txt: sha256 does not match tagmanifest-sha256.txt' 'bag-info.txt: sha256 checksum does not match tagmanifest-sha256.txt'
# A record changed and the manifests made again to match: the index's
# sha256 still catches it.
rm -rf "$T/tb" && cp -R "$B" "$T/tb"
python3 - "$T/tb" <<'EOF2'
import hashlib, json, os, subprocess, sys
bag = sys.argv[1]
idx = os.path.join(bag, "data/originals/index.jsonl")
lines = open(idx).read().splitlines()
first = json.loads(lines[0])
path = os.path.join(bag, "data/originals", first["file"])
data = open(path, "rb").read()
record = subprocess.run(["zstd", "-dc"], input=data[first["offset"]:first["offset"] + first["length"]],
                        capture_output=True, check=True).stdout
frame = subprocess.run(["zstd", "-q", "-c"], input=record.replace(b"a", b"b", 1), capture_output=True, check=True).stdout
first["offset"], first["length"] = len(data), len(frame)
open(path, "ab").write(frame)
lines[0] = json.dumps(first, separators=(",", ":"))
open(idx, "w").write("\n".join(lines) + "\n")
def sha(p):
    return hashlib.sha256(open(os.path.join(bag, p), "rb").read()).hexdigest()
def remake(name):
    out = ["%s  %s\n" % (sha(p), p) for h, p in (l.rstrip("\n").split("  ", 1) for l in open(os.path.join(bag, name)))
           if not p.startswith("manifest-sha512") and not p.startswith("tagmanifest")]
    open(os.path.join(bag, name), "w").write("".join(out))
for n in ("manifest-sha512.txt", "tagmanifest-sha512.txt"):
    os.remove(os.path.join(bag, n))
remake("manifest-sha256.txt")
files = [os.path.join(r, f) for r, _, fs in os.walk(os.path.join(bag, "data")) for f in fs]
oxum = "%d.%d" % (sum(os.path.getsize(f) for f in files), len(files))
info = [("Payload-Oxum: " + oxum) if l.startswith("Payload-Oxum:") else l for l in open(os.path.join(bag, "bag-info.txt")).read().splitlines()]
open(os.path.join(bag, "bag-info.txt"), "w").write("\n".join(info) + "\n")
remake("tagmanifest-sha256.txt")
EOF2
check_output "a record changed with the manifests made anew: sha256sum -c cannot see it" "" \
	sh -c "cd '$T/tb' && sha256sum -c --quiet manifest-sha256.txt"
check_grep "...but export --verify checks every original against its sha256" \
	'bad bag: data/originals/index.jsonl: line 1: data/originals/records-000001.zst: the record at byte [0-9]+ does not match its sha256' \
	"$QUIRE" export --verify "$T/tb"
check_exit 3 "...and exits 3" "$QUIRE" export --verify "$T/tb"
check_exit 3 "a tampered bag is not ingested" "$QUIRE" ingest -c "$T/never" "$T/tb"
check_output "...and nothing of it is restored" "0" sh -c "'$QUIRE' count -c '$T/never' '' 2>/dev/null"
cp "$T/z1/wlm.zip" "$T/bad.zip"
(cd "$T/unz" && echo extra >wlm/data/extra.txt && zip -q "$T/bad.zip" wlm/data/extra.txt)
check_grep "a zip with an extra file: named" 'bad bag: data/extra.txt: in the payload but not listed' \
	"$QUIRE" export --verify "$T/bad.zip"
check_exit 3 "...exit 3" "$QUIRE" export --verify "$T/bad.zip"
check_exit 3 "not a bag at all" "$QUIRE" export --verify "$C"

# Loading back: the same posts, records, events and codes; exported again,
# the same payload.
C2="$T/corpus2"
check_grep "ingest of the bag restores it" "^restored $N records from the bag $B: $N posts added, 0 updated, 0 duplicates, 0 rejected" \
	"$QUIRE" ingest -c "$C2" "$B"
check_output "the same number of posts" "$N" "$QUIRE" count -c "$C2" ''
"$QUIRE" search -c "$C2" -f jsonl -n 0 '' | jq -r '"\(.post.id) \(.post.record.sha256)"' | sort >"$T/c2.sha"
check "the same posts with the same record sha256" cmp "$T/corpus.sha" "$T/c2.sha"
check_output "the codes came along" "$("$QUIRE" count -c "$C" "$Q tag:offmessage")" "$QUIRE" count -c "$C2" 'tag:offmessage'
check_output "codes-history.jsonl: the journal's change of codes on the bag's posts, with its query" \
	"$Q -fancam offmessage $("$QUIRE" count -c "$C" "$Q tag:offmessage")" \
	jq -r 'select(.add == ["offmessage"]) | "\(.query) \(.add[0]) \(.posts | length)"' "$B/data/codes-history.jsonl"
check_output "...no host in it (a deposit need not say which machine coded)" "0" sh -c "grep -c '\"host\"' '$B/data/codes-history.jsonl'"
check_grep "--history of the restored corpus: the change as it was made, and where it came from" \
	"quire tag  \+offmessage on [0-9]+ posts: .* \(restored from $B\)" "$QUIRE" tag -c "$C2" --history
check_output "the events came along, into the catalogue" "$(ls "$B/data/events" | sort)" sh -c "ls '$C2/events' | sort"
check_output "the event of each post is the same" "$("$QUIRE" count -c "$C" "$Q event:whiteout-wednesday")" \
	"$QUIRE" count -c "$C2" 'event:whiteout-wednesday'
check_grep "the restored corpus is sound" '^ok: no damage found' "$QUIRE" check -c "$C2"
check_grep "sources.jsonl: each input restored with its sha256, and the bag" '"status":"restored","collected_status":"complete"' cat "$C2/sources.jsonl"
"$QUIRE" export -c "$C2" -o "$T/back" "$@" "$Q" >/dev/null
check "export, ingest, export again: the same payload manifest (sha256)" cmp "$B/manifest-sha256.txt" "$T/back/manifest-sha256.txt"
check "...and sha512" cmp "$B/manifest-sha512.txt" "$T/back/manifest-sha512.txt"
check_grep "ingesting the same bag again adds nothing" "was restored before: nothing to do" "$QUIRE" ingest -c "$C2" "$B"
C3="$T/corpus3"
check_grep "a .zip bag is restored too" "^restored $N records from the bag .*wlm.zip: $N posts added" "$QUIRE" ingest -c "$C3" "$T/z1/wlm.zip"
check_grep "the same bag as a .tar.gz: restored before, nothing to do" "wlm.tar.gz was restored before" \
	"$QUIRE" ingest -c "$C3" "$T/z1/wlm.tar.gz"
check_grep "...with --force, every post a duplicate" "^restored $N records from the bag .*wlm.tar.gz: 0 posts added, 0 updated, $N duplicates" \
	"$QUIRE" ingest -c "$C3" --force "$T/z1/wlm.tar.gz"

mkdir -p "$T/walk" && cp -R "$B" "$T/walk/"
check_grep "a bag inside a folder given to ingest is skipped, and said" "'$T/walk/wlm' is a BagIt bag: skipped" \
	"$QUIRE" ingest -c "$T/corpus6" "$T/walk"
check_output "...none of its files read as inputs" "0" sh -c "'$QUIRE' count -c '$T/corpus6' '' 2>/dev/null"

# Content levels.
check "--content posts" "$QUIRE" export -c "$C" -o "$T/lp" --content posts "$Q"
check_output "...no original records and no media" "no" sh -c "test -e '$T/lp/data/originals' || test -e '$T/lp/data/media' && echo yes || echo no"
check_grep "...the data card says which level" 'Content level \*\*posts\*\*' cat "$T/lp/data/README.md"
check "--content ids" "$QUIRE" export -c "$C" -o "$T/li" --content ids "$Q"
check_output "...id lists, card, codebook, codes' history, events and the package files only" "CITATION.cff README.md codebook.json codes-history.jsonl datapackage.json events ids sources.jsonl" \
	sh -c "ls '$T/li/data' | tr '\n' ' ' | sed 's/ \$//'"
check_output "...the ids are the corpus's" "$(sort "$B/data/ids/twitter.txt")" sort "$T/li/data/ids/twitter.txt"
check_output "...valid for the independent validator" "valid" $BAGCHECK "$T/li"
check_grep "an ids bag says what it cannot restore" "holds no original records \(content level 'ids'\): $N of its posts are not in the corpus" \
	"$QUIRE" ingest -c "$T/corpus4" "$T/li"
"$QUIRE" ingest -q -c "$T/corpus5" corpus/demo/data >/dev/null 2>&1
check_grep "a posts bag restores the codes of the posts the corpus holds" "codes on $("$QUIRE" count -c "$C" "$Q tag:offmessage") posts" \
	"$QUIRE" ingest -c "$T/corpus5" "$T/lp"
check_output "...the codes are there" "$("$QUIRE" count -c "$C" "$Q tag:offmessage")" "$QUIRE" count -c "$T/corpus5" 'tag:offmessage'

# Usage.
check_exit 2 "no --out" "$QUIRE" export -c "$C" "$Q"
check_exit 2 "an --out that exists" "$QUIRE" export -c "$C" -o "$B" "$Q"
check_exit 2 "a wrong --content" "$QUIRE" export -c "$C" -o "$T/x" --content everything "$Q"
check_exit 1 "no post matches: no bag" "$QUIRE" export -c "$C" -o "$T/none" 'nosuchwordanywhere'
check_output "...and nothing is left behind" "" sh -c "ls -d '$T'/none* 2>/dev/null"
check_exit 2 "a query that does not parse" "$QUIRE" export -c "$C" -o "$T/bad" 'fancam AND (OR)'
