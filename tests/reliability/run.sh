#!/bin/sh
# make reliability: every reliability script at full size, each printing
# its figure; the last line is the tally.  RELIABILITY_SEED picks other
# kill points, flips and cuts.  Bounded: each script stops by itself (the
# kill test, the longest, in about ten minutes on two cores).
B=${1:-build}
export QUIRE_BUILD="$B"
pass=0 fail=0 skip=0
run() { # name, then environment assignments
	name=$1
	shift
	start=$(date +%s)
	out=$(env "$@" sh "tests/reliability/$name.sh" 2>&1)
	rc=$?
	secs=$(($(date +%s) - start))
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	s=$(printf '%s\n' "$out" | grep -c '^ok .*# SKIP')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	echo "== $name ($secs s)"
	printf '%s\n' "$out" | grep -E '^#|^not ok' | grep -v '^#   ' | head -40
	printf '%s\n' "$out" | grep -E '^not ok' -A6 | grep '^#   ' | head -30
	pass=$((pass + p - s))
	skip=$((skip + s))
	fail=$((fail + f))
}
run kill KILLS=100 POSTS=50000
run faults FULL=1 POSTS=1000
run torn STEP=1
run bitrot FLIPS=1000 POSTS=6000
run idempotence
run locking POSTS=20000 THREADS=1
run locking POSTS=20000
run malformed
if [ -f tests/hostile/run.sh ]; then
	start=$(date +%s)
	out=$(sh tests/hostile/run.sh 2>&1)
	echo "== hostile ($(($(date +%s) - start)) s)"
	printf '%s\n' "$out" | grep -E '^#|^not ok' | grep -v '^#   '
	pass=$((pass + $(printf '%s\n' "$out" | grep -c '^ok ')))
	fail=$((fail + $(printf '%s\n' "$out" | grep -c '^not ok ')))
fi
echo "reliability: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
