#!/bin/sh
# make demo: ingest the synthetic June 2020 corpus and ask it three questions.
set -e
B=${1:-build}
Q="$B/quire"
C="$B/demo-corpus"
rm -rf "$C"
echo "\$ quire ingest --corpus $C --events corpus/events corpus/demo/data"
"$Q" ingest --corpus "$C" --events corpus/events corpus/demo/data
run() {
	echo
	echo "\$ quire search --corpus $C $*"
	"$Q" search --corpus "$C" "$@"
}
run --limit 3 '#WhiteLivesMatter fancam'
run --limit 3 --sort oldest '"iWatch Dallas" date:2020-05-31..2020-06-01'
run --limit 3 --sort oldest 'lang:ko #블랙라이브스매터'
echo
echo "\$ quire facets --corpus $C --by hashtag --top 6 '#WhiteLivesMatter date:2020-06-03'"
"$Q" facets --corpus "$C" --by hashtag --top 6 '#WhiteLivesMatter date:2020-06-03'
echo
echo "\$ quire timeline --corpus $C --by hour '#WhiteLivesMatter date:2020-06-03'"
"$Q" timeline --corpus "$C" --by hour '#WhiteLivesMatter date:2020-06-03'
echo
echo "the corpus is in $C: try  $Q search --corpus $C --help"
