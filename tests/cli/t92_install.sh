# make install into a DESTDIR, as a Debian package build does: the binary
# runs from there on the demo corpus with the installed event catalogue,
# every manual page renders with man -l and says what quire help says, the
# bash completion completes commands, options, formats and query prefixes;
# make uninstall takes it all away again.
. tests/cli/lib.sh

if ! command -v man >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
	skip "make install" "man or make is not installed (sh .ci/deps test)"
	exit 0
fi
D="$T/root"
check "make install DESTDIR=... PREFIX=/usr" \
	make --no-print-directory -s B="$B" DESTDIR="$D" PREFIX=/usr install
Q="$D/usr/bin/quire"
S="$D/usr/share"
for f in "$Q" "$S/man/man1/quire.1" "$S/man/man1/quire-search.1" "$S/bash-completion/completions/quire" \
	"$S/quire/schemas/event.schema.json" "$S/quire/schemas/post.schema.json" "$S/quire/schemas/index.md" \
	"$S/quire/schemas/mappings/crowdtangle.json" "$S/quire/events/iwatch-dallas.json" "$S/doc/quire/README.md"; do
	check "installed: ${f#"$D"}" test -f "$f"
done
check "the binary is executable" test -x "$Q"
check_output "every library it needs is there (it carries its own)" "" sh -c "ldd '$Q' | grep 'not found'"
check_output "the installed event catalogue is the shipped one" "$(ls corpus/events)" ls "$S/quire/events"

# The installed binary on the demo corpus, with the installed catalogue.
if [ -d corpus/demo/data ] && command -v jq >/dev/null 2>&1; then
	C="$T/june2020"
	check "the installed quire ingests the demo corpus with the installed catalogue" \
		"$Q" ingest -q -c "$C" --events "$S/quire/events" corpus/demo/data
	check_output "... and finds what corpus/demo/TRUTH.json says" \
		"$(jq .whitelivesmatter_2020_06_03_total corpus/demo/TRUTH.json)" "$Q" count -c "$C" '#WhiteLivesMatter date:2020-06-03'
	check_grep "... with the events applied" '^iwatch-dallas +[0-9]+ posts' "$Q" events list -c "$C"
else
	skip "the installed quire on the demo corpus" "corpus/demo or jq is not there"
fi

# A page for quire and one for every command with options, each rendered.
cmds=$("$Q" help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | grep -v '^help$\|^version$')
check_output "a page for quire and each command" "$({ printf 'quire.1\n'; for c in $cmds; do echo "quire-$c.1"; done; } | LC_ALL=C sort)" \
	sh -c "ls '$S/man/man1' | LC_ALL=C sort"
for page in "$S"/man/man1/*.1; do
	name=$(basename "$page" .1)
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" >"$T/page" 2>"$T/warnings"
	if [ -s "$T/page" ] && [ ! -s "$T/warnings" ] && grep -q '^NAME' "$T/page" && grep -q "^ *$name - " "$T/page"; then
		ok "man -l renders $name(1) without a warning"
	else
		not_ok "man -l renders $name(1) without a warning" "$(cat "$T/warnings"; head -5 "$T/page")"
	fi
done
# The pages say what the help says: every option, every query prefix.
for c in $cmds; do
	LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$S/man/man1/quire-$c.1" 2>/dev/null >"$T/page"
	missing=""
	for opt in $("$Q" help "$c" | sed -n '/^options:/,/^$/p' | grep -oE -- '--[a-z-]+'); do
		grep -q -- "$opt" "$T/page" || missing="$missing $opt"
	done
	check_output "quire-$c(1) documents every option of quire help $c" "" echo "$missing"
done
LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$S/man/man1/quire-search.1" 2>/dev/null >"$T/page"
for p in visibility community subreddit author kind record media hashtag date; do
	check_grep "quire-search(1) documents $p:" "(^ +|, )$p:" cat "$T/page"
done
check_grep "quire(1) says where the catalogue is installed" '/usr/share/quire/events' \
	sh -c "LC_ALL=C.UTF-8 MANWIDTH=200 man -l '$S/man/man1/quire.1'"
check_grep "quire(1) lists the commands with their pages" 'search a corpus and print cited posts; see quire-search\(1\)' \
	sh -c "LC_ALL=C.UTF-8 MANWIDTH=200 man -l '$S/man/man1/quire.1'"

# The completion script, in bash.
BC="$S/bash-completion/completions/quire"
check "the completion script is valid bash" bash -n "$BC"
cat >"$T/complete.sh" <<'EOF'
. "$1"
shift
COMP_LINE=$1
COMP_POINT=${#1}
COMPREPLY=()
_quire
printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
EOF
complete_line() { bash "$T/complete.sh" "$BC" "$1"; }
check_output "commands" "search" complete_line "quire sea"
check_output "options" "--format" complete_line "quire search --for"
check_output "search formats, from the printers' table" \
	"$("$Q" help search | sed -n '/^Output formats/,/^Every format/p' | awk 'NR > 1 && /^  [a-z]/ { print $1 }' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" \
	complete_line "quire search -f "
check_output "facets formats, from its option's help" "csv csv-raw json text xlsx" complete_line "quire facets --format "
check_output "input formats, from the readers' table" \
	"$("$Q" formats | sed '/^$/q' | awk 'NF { print $1 }' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" \
	complete_line "quire ingest --format "
check_output "listed values of other options" "newest oldest relevance reposts" complete_line "quire search --sort "
check_output "query prefixes" "visibility:" complete_line "quire search vis"
check_output "values after a prefix (bash has the part before ':')" "sticker" complete_line "quire count media:st"
check_output "visibility's values" "direct followers public unlisted" complete_line "quire search visibility:"
check_output "events' actions" "apply check list show" complete_line "quire events "
check_output "help's commands" "facets formats" complete_line "quire help f"

check "make uninstall" make --no-print-directory -s B="$B" DESTDIR="$D" PREFIX=/usr uninstall
check_output "... leaves no file behind" "" sh -c "find '$D' ! -type d | head -5"
