# A symbolic link stored in a zip by zip -y: skipped with a note.
build() {
	cp "$TWEETS" posts.jsonl
	ln -s /etc/passwd passwd.jsonl
	zip -q -X -y links.zip passwd.jsonl posts.jsonl
	rm posts.jsonl passwd.jsonl
}
INPUT=links.zip
