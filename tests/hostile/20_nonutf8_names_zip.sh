# Member names that are not UTF-8 (Latin-1 bytes, a lone continuation
# byte, an ESC): read; names shown escaped, logs stay valid JSON.
build() {
	python3 - "$TWEETS" <<'PY'
import sys, zipfile
lines = open(sys.argv[1], 'rb').read().splitlines(True)
with zipfile.ZipFile('names.zip', 'w') as z:
    z.writestr(zipfile.ZipInfo('cafX.jsonl', (2020, 6, 3, 0, 0, 0)), lines[0] + b'{"id_str": "1"}\n')
    z.writestr(zipfile.ZipInfo('aYb.jsonl', (2020, 6, 3, 0, 0, 0)), lines[1])
    z.writestr(zipfile.ZipInfo('Z[31m.jsonl', (2020, 6, 3, 0, 0, 0)), b'{"broken": \n')
raw = open('names.zip', 'rb').read()
raw = raw.replace(b'cafX', b'caf\xe9').replace(b'aYb', b'a\x80b').replace(b'Z[31m', b'\x1b[31m')
open('names.zip', 'wb').write(raw)
PY
}
INPUT=names.zip
