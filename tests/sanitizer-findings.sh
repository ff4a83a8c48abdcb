#!/bin/sh
# After make asan / make ubsan: every sanitizer report of every process the
# suite ran (written to log files, so that none is lost in a pipeline whose
# exit status a test does not look at).  Prints the count; fails on any.
dir=$1
n=$(find "$dir" -type f | wc -l)
for f in $(find "$dir" -type f | head -5); do
	echo "== $f"
	head -30 "$f"
done
echo "sanitizer findings: $n"
[ "$n" -eq 0 ]
