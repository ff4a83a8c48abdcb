# Exit codes are the same across commands (DESIGN.md): 2 for a corpus that
# is not there, 3 for one that is there and damaged.
. tests/cli/lib.sh

C="$T/c"
"$QUIRE" ingest -q -c "$C" "$FIXTURES/twitter-v1" >/dev/null 2>&1
cp -r "$C" "$T/bad"
# A Xapian table cut to garbage: the index is there but cannot be read.
echo garbage >"$T/bad/index/postlist.glass"
for cmd in search count facets timeline show stats; do
	case $cmd in
	show) args=twitter:1 ;;
	stats) args= ;;
	*) args=fancam ;;
	esac
	# shellcheck disable=SC2086
	check_exit 2 "$cmd: a missing corpus is a usage error" "$QUIRE" $cmd -c "$T/none" $args
	# shellcheck disable=SC2086
	check_exit 3 "$cmd: a damaged index is exit 3" "$QUIRE" $cmd -c "$T/bad" $args
done
check_exit 3 "tag --list: a damaged index is exit 3" "$QUIRE" tag -c "$T/bad" --list
