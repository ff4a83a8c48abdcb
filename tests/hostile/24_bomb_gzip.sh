# A gzip bomb: gzip of 200 gzip members of 1 MB of blanks each, after a
# post (a few KB for 200 MB, about 100,000:1).  Stopped by the ratio cap.
build() {
	gzip -n -9 -c "$TWEETS" >inner.gz
	head -c 1000000 /dev/zero | tr '\0' ' ' | gzip -n -9 >m.gz
	i=0
	while [ $i -lt 200 ]; do cat m.gz; i=$((i + 1)); done >>inner.gz
	gzip -n -9 -c inner.gz >bomb.jsonl.gz.gz
	rm inner.gz m.gz
}
INPUT=bomb.jsonl.gz.gz
