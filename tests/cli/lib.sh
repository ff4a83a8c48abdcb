# Shared by the CLI tests: run the real binary, print TAP-like lines.
#   . tests/cli/lib.sh
# QUIRE_BUILD names the build folder (build, build/asan, ...).
B=${QUIRE_BUILD:-build}
QUIRE="$PWD/$B/quire"
ROOT="$PWD"
FIXTURES="$ROOT/tests/fixtures"
EXPECTED="$ROOT/tests/cli/expected"
SAMPLES="$ROOT/../shared/samples"
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
