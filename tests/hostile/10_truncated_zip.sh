# A zip cut in the middle of its second member's data (stored, so that the
# cut lands in the data): the first member is read, the input incomplete.
build() {
	cp "$TWEETS" a.jsonl
	cp "$TWEETS" b.jsonl
	zip -q -X -0 full.zip a.jsonl b.jsonl
	head -c 1500 full.zip >cut.zip
	rm a.jsonl b.jsonl full.zip
}
INPUT=cut.zip
