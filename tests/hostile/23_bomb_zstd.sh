# A zstd bomb: a post, then 200 MB of blanks in 6 KB (over 30,000:1).
# Stopped by the ratio cap (1000:1 past 64 MB) in bounded memory.
build() {
	{ cat "$TWEETS"; head -c 200000000 /dev/zero | tr '\0' ' '; echo; } | zstd -q -3 -c >bomb.jsonl.zst
}
INPUT=bomb.jsonl.zst
