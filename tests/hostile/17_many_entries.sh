# A zip of 100,000 empty entries: each noted (the first 20 shown), in
# bounded time and memory.
build() {
	python3 - <<'PY'
import zipfile
with zipfile.ZipFile('many.zip', 'w') as z:
    for i in range(100000):
        z.writestr(zipfile.ZipInfo('e%06d.jsonl' % i, (2020, 6, 3, 0, 0, 0)), b'')
PY
}
INPUT=many.zip
