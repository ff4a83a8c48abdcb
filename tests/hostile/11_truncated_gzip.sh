# A gzip cut short: the records before the cut are read, the input is
# incomplete.
build() {
	for i in $(seq 100 999); do sed "s/1268170000000000/1268170000000$i/g" "$TWEETS"; done | gzip -n -9 >full.gz
	head -c $(($(stat -c %s full.gz) * 2 / 3)) full.gz >cut.jsonl.gz
	rm full.gz
}
INPUT=cut.jsonl.gz
