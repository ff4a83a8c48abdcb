# The same 100,000 entries with a cap of 1,000 (--max-entries).
build() {
	python3 - <<'PY'
import zipfile
with zipfile.ZipFile('many.zip', 'w') as z:
    for i in range(100000):
        z.writestr(zipfile.ZipInfo('e%06d.jsonl' % i, (2020, 6, 3, 0, 0, 0)), b'')
PY
}
INPUT=many.zip
ARGS="--max-entries 1000"
