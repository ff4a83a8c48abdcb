# An encrypted zip entry (zip -P): not readable without the password, so
# it is reported as lost and the input as incomplete (exit 3).
build() {
	cp "$TWEETS" secret.jsonl
	zip -q -X -P hunter2 enc.zip secret.jsonl
	rm secret.jsonl
}
INPUT=enc.zip
