# A gzip stream that never ends, on stdin: stopped by the per-input cap
# (--max-input), and quire exits (the producer gets SIGPIPE).
build() { :; }
STDIN_CMD='{ cat "$TWEETS"; yes ""; } | gzip -1'
ARGS="--max-input 20000000"
