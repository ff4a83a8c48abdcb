# quire serve in the tests (sourced after lib.sh): a corpus with the demo
# data, hostile posts and an archive's media files, and a server on a free
# port of 127.0.0.1 that the test starts and stops.
#   serve_corpus DIR          build the corpus
#   serve_start CORPUS ARGS   start; sets URL and SERVE_PID (waits, bounded)
#   serve_stop                SIGTERM, wait (bounded); sets SERVE_RC
. tests/cli/media.sh

SERVE_PID=""
trap 'serve_stop; rm -rf "$T"' EXIT

serve_corpus() {
	c=$1
	"$QUIRE" ingest -c "$c" --events "$ROOT/corpus/events" "$ROOT/corpus/demo/data" >"$T/serve-ingest.out" 2>&1 &&
		"$QUIRE" ingest -c "$c" "$FIXTURES/serve/hostile.jsonl" >>"$T/serve-ingest.out" 2>&1 || return 1
	# An archive whose photo the store keeps (a thumbnail on the page).
	rm -rf "$T/archive"
	cp -R "$FIXTURES/twitter-archive" "$T/archive"
	mkdir -p "$T/archive/data/tweets_media"
	png_red >"$T/archive/data/tweets_media/1268260000000000001-EZ1abcDXsAAb12c.png"
	png_blue >"$T/archive/data/tweets_media/1668890000000000004-Fz9qwertyAAAbbb.png"
	mp4_tiny serve >"$T/archive/data/tweets_media/1268280000000000003-VidXyz123.mp4"
	(cd "$T/archive" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | zip -q -X "$T/archive.zip" -@) &&
		"$QUIRE" ingest -c "$c" "$T/archive.zip" >>"$T/serve-ingest.out" 2>&1
}

serve_start() {
	c=$1
	shift
	: >"$T/serve.out"
	"$QUIRE" serve -c "$c" --listen 127.0.0.1:0 "$@" >"$T/serve.out" 2>"$T/serve.err" &
	SERVE_PID=$!
	URL=""
	i=0
	while [ $i -lt 100 ] && [ -z "$URL" ]; do
		URL=$(sed -n 's|.* at \(http://127\.0\.0\.1:[0-9]*/\) .*|\1|p' "$T/serve.out")
		[ -n "$URL" ] && break
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$URL" ]
}

serve_stop() {
	[ -n "$SERVE_PID" ] || return 0
	kill -TERM "$SERVE_PID" 2>/dev/null
	i=0
	while [ $i -lt 100 ] && kill -0 "$SERVE_PID" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$SERVE_PID" 2>/dev/null; then
		kill -KILL "$SERVE_PID" 2>/dev/null
		SERVE_RC=137
	else
		wait "$SERVE_PID" 2>/dev/null
		SERVE_RC=$?
	fi
	SERVE_PID=""
}

# GET a path of the server: the body on stdout, the status in $T/status.
get() {
	p=$1
	shift
	curl -sS --max-time 60 -o "$T/body" -w '%{http_code}' "$@" "$URL${p#/}" >"$T/status" 2>"$T/curl.err"
	cat "$T/body"
}

status() { cat "$T/status"; }
