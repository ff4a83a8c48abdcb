# A plain gzip of 200 MB of blanks after a post (about 1000:1), with a cap
# on one member's size (--max-member).
build() {
	gzip -n -9 -c "$TWEETS" >bomb.jsonl.gz
	head -c 1000000 /dev/zero | tr '\0' ' ' | gzip -n -9 >m.gz
	i=0
	while [ $i -lt 200 ]; do cat m.gz; i=$((i + 1)); done >>bomb.jsonl.gz
	rm m.gz
}
INPUT=bomb.jsonl.gz
ARGS="--max-member 50000000"
