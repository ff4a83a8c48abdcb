# An empty file: a note, nothing else.
build() { : >empty.jsonl; }
INPUT=empty.jsonl
