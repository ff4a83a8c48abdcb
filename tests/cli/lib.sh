# Shared by the CLI tests: run the real binary, print TAP-like lines.
#   . tests/cli/lib.sh
# QUIRE_BUILD names the build folder (build, build/asan, ...).
B=${QUIRE_BUILD:-build}
QUIRE="$PWD/$B/quire"
ROOT="$PWD"
FIXTURES="$ROOT/tests/fixtures"
EXPECTED="$ROOT/tests/cli/expected"
# QUIRE_SAMPLES points at another folder of real samples.
SAMPLES="${QUIRE_SAMPLES:-$ROOT/../shared/samples}"
T=$(mktemp -d "${TMPDIR:-/tmp}/quire-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
unset QUIRE_CORPUS QUIRE_FAULT NO_COLOR
export QUIRE_PROGRESS=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "$2" ] && printf '%s\n' "$2" | head -20 | sed 's/^/#   /'; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# check DESC CMD...: CMD exits 0.
check() {
	d=$1; shift
	if out=$("$@" 2>&1); then ok "$d"; else not_ok "$d" "$out"; fi
}

# check_exit CODE DESC CMD...: CMD exits with CODE.
check_exit() {
	want=$1 d=$2; shift 2
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$d"; else not_ok "$d (exit $rc, wanted $want)" "$out"; fi
}

# check_output DESC EXPECTED CMD...: stdout of CMD equals EXPECTED.
check_output() {
	d=$1 want=$2; shift 2
	got=$("$@" 2>"$T/stderr")
	if [ "$got" = "$want" ]; then ok "$d"; else not_ok "$d" "wanted: $want
got: $got
$(cat "$T/stderr")"; fi
}

# check_grep DESC PATTERN CMD...: stdout+stderr of CMD match PATTERN (grep -E).
check_grep() {
	d=$1 pat=$2; shift 2
	out=$("$@" 2>&1)
	if printf '%s\n' "$out" | grep -Eq -- "$pat"; then ok "$d"; else not_ok "$d" "no match for /$pat/ in:
$out"; fi
}

# Stable text for golden files: corpus ids, times and paths made generic.
normalize() {
	sed -e 's/[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}/<corpus-id>/g' \
	    -e "s|$T|<tmp>|g" -e "s|$ROOT|<root>|g" \
	    -e 's/\(zst\):[0-9][0-9]*:/\1:<offset>:/g'
# (block offsets depend on the length of the input's path, kept in the
# block header, so golden files leave them out)
}

# check_golden NAME CMD...: normalized stdout of CMD equals expected/NAME.
# REGEN=1 writes the expected file instead.
check_golden() {
	name=$1; shift
	"$@" 2>&1 | normalize >"$T/golden.out"
	if [ "${REGEN:-0}" = 1 ]; then
		cp "$T/golden.out" "$EXPECTED/$name"
		ok "$name (regenerated)"
	elif diff -u "$EXPECTED/$name" "$T/golden.out" >"$T/golden.diff" 2>&1; then
		ok "$name"
	else
		not_ok "$name" "$(head -40 "$T/golden.diff")"
	fi
}

# ingest_or_exit DESC CORPUS INPUT...: ingest the inputs into CORPUS; when
# that fails, say so and end the test file (every check after needs it).
ingest_or_exit() {
	d=$1 c=$2; shift 2
	if ! "$QUIRE" ingest --corpus "$c" "$@" >"$T/ingest.out" 2>&1; then
		not_ok "$d" "$(cat "$T/ingest.out")"
		exit 1
	fi
}

# post_lines CORPUS [QUERY]: "id<TAB>handle<TAB>time<TAB>text as JSON" of
# each post, sorted.
post_lines() {
	"$QUIRE" search -c "$1" -n 0 -f jsonl "${2:-}" |
		jq -r '.post | [.native_id, (.author.handle // ""), (.created_at // ""), (.text | tojson)] | join("\t")' |
		LC_ALL=C sort
}

# post_records CORPUS: every post as JSON, oldest first, without what
# differs between corpora (source, record locator).
post_records() {
	"$QUIRE" search -c "$1" -f jsonl -n 0 --sort oldest '' | jq -S -c '.post | del(.source, .record)'
}
