#!/bin/sh
# The whole suite: unit tests, then CLI tests; the last line is the tally.
B=${1:-build}
unit=$(QUIRE_BUILD="$B" sh tests/run-unit.sh "$B" 2>&1)
urc=$?
printf '%s\n' "$unit"
cli=$(sh tests/run-cli.sh "$B" 2>&1)
crc=$?
printf '%s\n' "$cli"
up=$(printf '%s\n' "$unit" | sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
uf=$(printf '%s\n' "$unit" | sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
cp=$(printf '%s\n' "$cli" | sed -n 's/^cli: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped/\1/p')
cf=$(printf '%s\n' "$cli" | sed -n 's/^cli: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped/\2/p')
cs=$(printf '%s\n' "$cli" | sed -n 's/^cli: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped/\3/p')
p=$(( ${up:-0} + ${cp:-0} ))
f=$(( ${uf:-0} + ${cf:-0} ))
[ "$urc" -ne 0 ] && [ "${uf:-0}" -eq 0 ] && f=$((f + 1))
[ "$crc" -ne 0 ] && [ "${cf:-0}" -eq 0 ] && f=$((f + 1))
echo "$p passed, $f failed, ${cs:-0} skipped"
[ "$f" -eq 0 ]
