# quire serve's page in headless Chromium (tests/browser/serve.test.mjs):
# search, facets, paging, a post and its original, citations copied and
# downloads compared byte for byte with the command line, hostile posts
# shown as text, Korean, a bad query, codes, and all of it without
# JavaScript.  Screenshots go to $B/browser/ for a person to look at.
# Skipped, saying so, when Chromium, Node.js or the test's npm packages
# (sh .ci/deps test installs all three) are missing.
. tests/cli/lib.sh
. tests/cli/serve.sh

CHROMIUM=${QUIRE_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
	skip "the page in headless Chromium" "chromium is not installed (sh .ci/deps test installs it)"
	exit 0
fi
if ! command -v node >/dev/null 2>&1 || [ ! -d "$ROOT/tests/browser/node_modules/playwright-core" ]; then
	skip "the page in headless Chromium" "node or tests/browser/node_modules is missing (sh .ci/deps test installs them)"
	exit 0
fi

C="$T/corpus"
serve_corpus "$C" || { not_ok "the corpus is built" "$(cat "$T/serve-ingest.out")"; exit 1; }
serve_start "$C" --allow-tagging --quiet || { not_ok "the server starts" "$(cat "$T/serve.err")"; exit 1; }
ok "the server starts for the browser"
# Chromium writes its profile under HOME: a fresh one each run.
HOME="$T/home" TAP_BASE=$n timeout 400 node "$ROOT/tests/browser/serve.test.mjs" "$URL" "$C" "$QUIRE" "$ROOT/$B/browser" \
	>"$T/browser.out" 2>&1
rc=$?
cat "$T/browser.out"
last=$(sed -n 's/^\(not \)\{0,1\}ok \([0-9]*\) .*/\2/p' "$T/browser.out" | tail -1)
n=${last:-$n}
[ $rc -eq 0 ] || grep -q '^not ok' "$T/browser.out" || not_ok "the browser tests ran to their end (exit $rc)"
serve_stop
[ "$SERVE_RC" = 0 ] && ok "the server stops cleanly after the browser" || not_ok "the server stops cleanly" "exit $SERVE_RC"
