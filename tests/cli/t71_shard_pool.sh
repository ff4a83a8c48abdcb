#!/bin/sh
# quire serve-shard's index server: xapian-progsrv processes kept open and
# handed one to each connection.  A process serves client after client
# (none is started per command); what a shard gains after it started
# (posts ingested, an index rebuilt) is what the next command sees;
# clients that leave in the middle of a request, send half a message or
# garbage, or idle past the timeout never leave a process that answers
# the next client wrongly; many clients at once; quire serve on the
# federation; the processes end with the server, however it ends.
# --index-server tcpsrv still serves.
. tests/cli/lib.sh
. tests/cli/shards.sh
. tests/cli/serve.sh
trap 'serve_stop; for p in $SHARD_PIDS; do kill -TERM "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

DATA="$ROOT/corpus/demo/data"
LATE="$DATA/2020-06-04_2020-06-07_statement.jsonl.gz"
WHOLE="$T/whole"
mkdir -p "$T/early"
for f in "$DATA"/*; do
	[ "$f" = "$LATE" ] || ln -s "$f" "$T/early/"
done
"$QUIRE" ingest -q -c "$WHOLE" "$T/early" >"$T/whole.out" 2>&1 || { not_ok "ingest whole" "$(cat "$T/whole.out")"; exit 1; }
for k in 1 2; do
	"$QUIRE" ingest -q -c "$T/s$k" --shard "$k/2" "$T/early" >"$T/s$k.out" 2>&1 ||
		{ not_ok "ingest shard $k/2" "$(cat "$T/s$k.out")"; exit 1; }
done

shard_start one "$T/s1" && ok "serve-shard starts (shard 1)" || not_ok "serve-shard starts" "$(cat "$T/srv-one.err")"
shard_start two "$T/s2" --timeout 2 && ok "serve-shard starts (shard 2, --timeout 2)" ||
	not_ok "serve-shard starts" "$(cat "$T/srv-two.err")"
FED="$T/fed"
check_exit 0 "shards add: two tcp:// locations" "$QUIRE" shards add -c "$FED" "tcp://127.0.0.1:$PORT_one" \
	"tcp://127.0.0.1:$PORT_two"
XPORT_one=$(curl -sS --max-time 10 "http://127.0.0.1:$PORT_one/info" | sed -n 's/.*"xapian_port":\([0-9]*\).*/\1/p')
XPORT_two=$(curl -sS --max-time 10 "http://127.0.0.1:$PORT_two/info" | sed -n 's/.*"xapian_port":\([0-9]*\).*/\1/p')

# The xapian-progsrv processes serving a shard's index.
procs() {
	pgrep -f -- "xapian-progsrv --timeout 0 $1/index\$" | sort | tr '\n' ' '
}

same "count through the pool" count ''
same "search through the pool" search --sort oldest -f ids --limit 0 'fancam OR protest'
same "facets through the pool" facets --by hashtag --top 0 ''
# -f ids reads each id from the matches' sort keys, not the documents.
for sort in relevance oldest newest; do
	for c in "$WHOLE" "$FED"; do
		"$QUIRE" search -c "$c" -n 0 -f ids --sort "$sort" 'fancam OR protest OR #BLM' >"$T/ids.keys"
		"$QUIRE" search -c "$c" -n 0 -f jsonl --sort "$sort" 'fancam OR protest OR #BLM' |
			jq -r '.post.native_id // (.post.id | sub("^[^:]*:"; ""))' >"$T/ids.docs"
		[ -s "$T/ids.keys" ] && cmp -s "$T/ids.keys" "$T/ids.docs" ||
			not_ok "-f ids --sort $sort on $c" "$(diff "$T/ids.docs" "$T/ids.keys" | head -5)"
	done
	ok "-f ids --sort $sort: the ids the documents give, in their order (one corpus and the federation)"
done
"$QUIRE" search -c "$WHOLE" -n 0 -f ids --collapse repost '#WhiteLivesMatter' >"$T/ids.keys"
"$QUIRE" search -c "$WHOLE" -n 0 -f jsonl --collapse repost '#WhiteLivesMatter' | jq -r .post.native_id >"$T/ids.docs"
cmp -s "$T/ids.keys" "$T/ids.docs" && ok "  and with --collapse repost" || not_ok "-f ids --collapse" "$(diff "$T/ids.docs" "$T/ids.keys" | head -5)"
before=$(procs "$T/s1")
i=0
while [ $i -lt 10 ]; do
	"$QUIRE" count -c "$FED" 'protest' >/dev/null 2>&1
	i=$((i + 1))
done
after=$(procs "$T/s1")
[ -n "$before" ] && [ "$before" = "$after" ] && ok "ten commands later the same processes serve (no process per connection)" ||
	not_ok "processes kept" "before: $before; after: $after"
np=$(echo "$after" | wc -w)
[ "$np" -le 4 ] && ok "  a few of them ($np)" || not_ok "a few processes" "$after"

# What a shard gains while served is what the next command sees.
"$QUIRE" ingest -q -c "$WHOLE" "$LATE" >/dev/null 2>&1
for k in 1 2; do "$QUIRE" ingest -q -c "$T/s$k" "$LATE" >/dev/null 2>&1; done
same "posts ingested into the served shards are counted at once" count ''
same "  and found" search --sort newest -f ids --limit 20 ''
rm -rf "$T/s1/index"
check_exit 0 "  (the index of served shard 1 rebuilt)" "$QUIRE" check -c "$T/s1" --repair
same "an index rebuilt under a served shard is read at once" count 'fancam OR protest'
same "  and searched" search --sort oldest -f ids --limit 0 'statement OR fancam'

# Clients that leave at the wrong moment, or speak nonsense.
cat >"$T/client.py" <<'PY'
import socket, sys, time
port, how = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
if how == "at-once":
    s.close(); sys.exit(0)
greeting = s.recv(4096)
assert greeting[:1] == b"\x00", greeting
if how == "half":          # MSG_QUERY announcing 40 bytes, 3 sent
    s.sendall(b"\x08\x28abc")
elif how == "unread":      # MSG_DOCUMENT 1, the reply never read
    s.sendall(b"\x02\x01\x01")
elif how == "pipelined":   # two MSG_UPDATEs at once, one answer read
    s.sendall(b"\x0d\x00\x0d\x00")
    s.recv(1)
elif how == "garbage":     # a message type Xapian does not have
    s.sendall(b"\xc8\x00")
    time.sleep(0.2)
elif how == "idle":        # past the server's timeout: closed by it
    s.settimeout(8)
    t = time.time()
    try:
        data = s.recv(4096)
    except socket.timeout:
        data = None
    print("closed after %.0f s" % (time.time() - t) if data == b"" else "still open: %r" % (data,))
s.close()
PY
for how in at-once half unread pipelined garbage at-once half unread pipelined garbage; do
	python3 "$T/client.py" "$XPORT_one" "$how" >/dev/null 2>&1
	python3 "$T/client.py" "$XPORT_two" "$how" >/dev/null 2>&1
done
same "after clients that left mid-request, sent half a message, asked twice at once or sent garbage: the same search" \
	search --sort oldest -f ids --limit 0 'fancam OR protest'
same "  the same facets" facets --by author --top 0 ''
# A command killed while it reads documents.
"$QUIRE" search -c "$FED" -f jsonl --limit 0 --sort oldest '' >"$T/records.before" 2>&1
j=0
while [ $j -lt 4 ]; do
	"$QUIRE" search -c "$FED" -f jsonl --limit 0 --sort oldest '' >/dev/null 2>&1 &
	victim=$!
	sleep 0.05
	kill -KILL "$victim" 2>/dev/null
	wait "$victim" 2>/dev/null
	j=$((j + 1))
done
"$QUIRE" search -c "$FED" -f jsonl --limit 0 --sort oldest '' >"$T/records.after" 2>&1
[ -s "$T/records.before" ] && cmp -s "$T/records.before" "$T/records.after" &&
	ok "after commands killed while reading documents: the same records, every field" ||
	not_ok "records after killed commands" "$(diff "$T/records.before" "$T/records.after" | head -5)"
same "  the same ids as the whole corpus" search -f ids --limit 0 --sort oldest ''
np=$(procs "$T/s1" | wc -w)
[ "$np" -le 4 ] && ok "  and still a few processes ($np)" || not_ok "processes after faults" "$(procs "$T/s1")"
check_grep "a client idle past --timeout is closed by the server" "^closed after [1-4] s" \
	python3 "$T/client.py" "$XPORT_two" idle

# Many clients at once.
"$QUIRE" count -c "$WHOLE" 'fancam OR #BLM' >"$T/want"
j=0 pids=""
while [ $j -lt 12 ]; do
	"$QUIRE" count -c "$FED" 'fancam OR #BLM' >"$T/got.$j" 2>&1 &
	pids="$pids $!"
	j=$((j + 1))
done
for p in $pids; do wait "$p"; done
bad=0
j=0
while [ $j -lt 12 ]; do
	cmp -s "$T/want" "$T/got.$j" || bad=$((bad + 1))
	j=$((j + 1))
done
[ "$bad" -eq 0 ] && ok "twelve commands at once: every count right" || not_ok "counts at once" "$bad of 12 differ: $(cat "$T/got.0")"

# quire serve on the federation: workers that keep their connections,
# answering at once.
if command -v curl >/dev/null 2>&1 && command -v jq >/dev/null 2>&1; then
	if serve_start "$FED" --workers 3 --heavy-workers 2; then
		ok "quire serve starts on the federation"
		bad=""
		for q in '' 'fancam' '#WhiteLivesMatter' 'protest* -is:repost' 'lang:ko'; do
			a=$(get "api/count?q=$(jq -rn --arg v "$q" '$v|@uri')" | jq -r .count)
			b=$("$QUIRE" count -c "$WHOLE" -- "$q" 2>/dev/null)
			[ "$a" = "$b" ] || bad="$bad [$q: api $a, whole $b]"
		done
		[ -z "$bad" ] && ok "  its counts are the whole corpus's" || not_ok "serve counts on a federation" "$bad"
		get "api/search?q=fancam&sort=oldest&format=ids&limit=0" >"$T/api.ids"
		"$QUIRE" search -c "$WHOLE" --sort oldest -f ids --limit 0 fancam >"$T/cli.ids"
		cmp -s "$T/api.ids" "$T/cli.ids" && [ -s "$T/cli.ids" ] && ok "  its search too" ||
			not_ok "serve search on a federation" "$(diff "$T/cli.ids" "$T/api.ids" | head -5)"
		get "api/facets?by=hashtag&top=0" | jq -c .values >"$T/api.facets"
		"$QUIRE" facets -c "$WHOLE" --by hashtag --top 0 -f json '' | jq -c .values >"$T/cli.facets"
		cmp -s "$T/api.facets" "$T/cli.facets" && grep -q whitelivesmatter "$T/cli.facets" && ok "  and its facets" ||
			not_ok "serve facets on a federation" "$(diff "$T/cli.facets" "$T/api.facets" | head -5)"
		j=0 pids=""
		while [ $j -lt 16 ]; do
			curl -sS --max-time 60 "${URL}api/count?q=%23BLM%20OR%20fancam" >"$T/par.$j" 2>&1 &
			pids="$pids $!"
			j=$((j + 1))
		done
		for p in $pids; do wait "$p"; done
		want=$("$QUIRE" count -c "$WHOLE" '#BLM OR fancam')
		bad=0
		j=0
		while [ $j -lt 16 ]; do
			[ "$(jq -r .count "$T/par.$j" 2>/dev/null)" = "$want" ] || bad=$((bad + 1))
			j=$((j + 1))
		done
		[ "$bad" -eq 0 ] && ok "  sixteen requests at once, every count right" || not_ok "requests at once" "$bad of 16: $(cat "$T/par.0")"
		serve_stop
		[ "$SERVE_RC" = 0 ] && ok "  and it stops cleanly" || not_ok "serve stops" "exit $SERVE_RC: $(tail -5 "$T/serve.err")"
	else
		not_ok "quire serve starts on the federation" "$(cat "$T/serve.out" "$T/serve.err")"
	fi
else
	skip "quire serve on the federation" "curl or jq is not installed"
fi

# The processes end with the server.
shard_stop one TERM
i=0
while [ $i -lt 50 ] && [ -n "$(procs "$T/s1")" ]; do sleep 0.1; i=$((i + 1)); done
[ -z "$(procs "$T/s1")" ] && ok "stopped: its processes end" || not_ok "processes after TERM" "$(procs "$T/s1")"
shard_stop two KILL
i=0
while [ $i -lt 50 ] && [ -n "$(procs "$T/s2")" ]; do sleep 0.1; i=$((i + 1)); done
[ -z "$(procs "$T/s2")" ] && ok "killed (SIGKILL): its processes end too" || not_ok "processes after KILL" "$(procs "$T/s2")"

# xapian-tcpsrv, one process per connection, serves the same.
shard_start one "$T/s1" --index-server tcpsrv && ok "serve-shard --index-server tcpsrv starts" ||
	not_ok "tcpsrv starts" "$(cat "$T/srv-one.err")"
shard_start two "$T/s2" && ok "  beside a pool" || not_ok "pool starts" "$(cat "$T/srv-two.err")"
"$QUIRE" shards add -c "$T/fed2" "tcp://127.0.0.1:$PORT_one" "tcp://127.0.0.1:$PORT_two" >/dev/null 2>&1
FED="$T/fed2"
same "  the same search" search --sort oldest -f ids --limit 0 'fancam OR protest'
check_exit 2 "--index-server takes pool or tcpsrv" "$QUIRE" serve-shard -c "$T/s1" --index-server other
shard_stop one
shard_stop two
echo "1..$n"
