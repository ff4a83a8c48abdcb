# A zstd stream cut short.
build() {
	for i in $(seq 100 999); do sed "s/1268170000000000/1268170000000$i/g" "$TWEETS"; done | zstd -q -19 -c >full.zst
	head -c $(($(stat -c %s full.zst) * 2 / 3)) full.zst >cut.jsonl.zst
	rm full.zst
}
INPUT=cut.jsonl.zst
