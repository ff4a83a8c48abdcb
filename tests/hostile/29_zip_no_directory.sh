# A zip whose central directory is cut off, its members whole: read from
# the local headers (as a streaming reader would).
build() {
	cp "$TWEETS" a.jsonl
	zip -q -X full.zip a.jsonl
	head -c -60 full.zip >cut.zip
	rm a.jsonl full.zip
}
INPUT=cut.zip
