# A tar cut in the middle of its second member.
build() {
	mkdir d
	cp "$TWEETS" d/a.jsonl
	cp "$TWEETS" d/b.jsonl
	tar --sort=name --mtime=2020-06-03 --owner=0 --group=0 -cf full.tar d
	head -c 2300 full.tar >cut.tar
	rm -r d full.tar
}
INPUT=cut.tar
