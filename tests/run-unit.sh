#!/bin/sh
# Run every cmocka unit test binary under $1/tests; print one tally line.
B=${1:-build}
pass=0 fail=0
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^\[  (FAILED|ERROR|  OK  )|^\[==========\]' | grep -v '^\[       OK \]' || true
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAILED: $t exited $rc"
		printf '%s\n' "$out" | tail -20
		f=1
	fi
	[ "$f" -ne 0 ] && printf '%s\n' "$out" | grep -E 'FAILED|ERROR|Failure|error' | head -20
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
