# One record of 20 MB (zstd): rejected by the per-record cap
# (--max-record 1000000); the posts after it are read.
build() {
	{ head -n 1 "$TWEETS"; printf '{"text":"'; head -c 20000000 /dev/zero | tr '\0' 'a'; printf '"}\n'; tail -n 2 "$TWEETS"; } |
		zstd -q -3 -c >long.jsonl.zst
}
INPUT=long.jsonl.zst
ARGS="--max-record 1000000"
