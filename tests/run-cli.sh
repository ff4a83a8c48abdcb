#!/bin/sh
# Run every CLI test script (tests/cli/t*.sh); each prints TAP-like lines.
# Prints one tally line.  REGEN=1 rewrites the expected files.
B=${1:-build}
export QUIRE_BUILD="$B"
pass=0 fail=0 skip=0
for t in tests/cli/t*.sh; do
	[ -f "$t" ] || continue
	out=$(sh "$t" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | grep -c '^ok ' )
	s=$(printf '%s\n' "$out" | grep -c '^ok .*# SKIP')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $t exited $rc"
	fi
	printf '%s\n' "$out" | grep -E '^not ok|^#|SKIP' | sed "s|^|$(basename "$t"): |"
	pass=$((pass + p - s))
	skip=$((skip + s))
	fail=$((fail + f))
done
echo "cli: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
