# CITATION.cff is valid CFF 1.2.0 for the software, and agrees with the
# binary and LICENSE.
. tests/cli/lib.sh

PY=/usr/bin/python3
CFF="$ROOT/CITATION.cff"

if ! "$PY" -c 'import yaml' 2>/dev/null; then
	skip "CITATION.cff" "python3-yaml is not installed (sh .ci/deps test)"
	exit 0
fi

# cff_check: CITATION.cff read as YAML and checked; prints "valid" or what is
# wrong, one line each.
cff_check() {
	"$PY" - "$CFF" <<'EOF'
import datetime, sys, yaml
cff = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
problems = []
def need(cond, what):
    if not cond:
        problems.append(what)
need(isinstance(cff, dict), "not a YAML mapping")
# The keys CFF 1.2.0 requires, each with the type the specification gives.
for key in ("cff-version", "message", "title", "authors"):
    need(key in cff, "required key %s is missing" % key)
need(cff.get("cff-version") == "1.2.0", "cff-version must be the string 1.2.0")
need(isinstance(cff.get("message"), str) and cff["message"].strip(), "message must be a non-empty string")
need(isinstance(cff.get("title"), str) and cff["title"].strip(), "title must be a non-empty string")
authors = cff.get("authors")
need(isinstance(authors, list) and authors, "authors must be a non-empty list")
for a in authors or []:
    need(isinstance(a, dict) and (a.get("name") or a.get("family-names") or a.get("given-names")),
         "each author is a person (family-names/given-names) or an entity (name)")
# Only keys CFF 1.2.0 defines at the top level.
known = {"abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi", "identifiers",
         "keywords", "license", "license-url", "message", "preferred-citation", "references", "repository",
         "repository-artifact", "repository-code", "title", "type", "url", "version"}
for key in cff:
    need(key in known, "unknown key %s" % key)
need(cff.get("type", "software") in ("software", "dataset"), "type is software or dataset")
if "keywords" in cff:
    need(isinstance(cff["keywords"], list) and all(isinstance(k, str) for k in cff["keywords"]), "keywords are strings")
if "date-released" in cff:
    need(isinstance(cff["date-released"], (datetime.date, str)), "date-released is a date")
print("\n".join(problems) if problems else "valid")
EOF
}

check_output "CITATION.cff has the keys and types CFF 1.2.0 requires" "valid" cff_check
# field KEY: a top-level value (the first author's name for authors).
field() { "$PY" -c "import yaml; v = yaml.safe_load(open('$CFF'))['$1']; print(v if isinstance(v, str) else v[0]['name'])"; }
check_output "it describes software" "software" field type
check_output "its title is quire" "quire" field title
check_output "its version is the binary's" "$("$QUIRE" version | sed -n 's/^quire \([^ ]*\).*/\1/p')" field version
check_output "its authors are the entity 'The quire authors'" "The quire authors" field authors
check_output "its license is MIT" "MIT" field license
check_grep "LICENSE is the MIT licence of the same holder" '^Copyright \(c\) [0-9]{4} The quire authors$' cat "$ROOT/LICENSE"
check_grep "LICENSE is the MIT text" '^MIT License$' head -n 1 "$ROOT/LICENSE"
