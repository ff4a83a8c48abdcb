# Absolute member names in a zip.
build() {
	python3 - "$TWEETS" <<'PY'
import sys, zipfile
data = open(sys.argv[1], 'rb').read()
with zipfile.ZipFile('absolute.zip', 'w') as z:
    info = zipfile.ZipInfo('/tmp/quire-hostile-abs2.jsonl', (2020, 6, 3, 0, 0, 0))
    z.writestr(info, data)
PY
}
INPUT=absolute.zip
CANARY="/tmp/quire-hostile-abs2.jsonl"
