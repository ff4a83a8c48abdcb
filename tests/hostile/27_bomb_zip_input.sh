# A zip of five members of 30 MB of blanks each (after a post), with a cap
# on the whole input's size (--max-input 100 MB).
build() {
	python3 - "$TWEETS" <<'PY'
import sys, zipfile
data = open(sys.argv[1], 'rb').read()
with zipfile.ZipFile('bomb.zip', 'w', zipfile.ZIP_DEFLATED, compresslevel=1) as z:
    for m in range(5):
        info = zipfile.ZipInfo('part%d.jsonl' % m, (2020, 6, 3, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, 'w') as f:
            f.write(data.replace(b'1268170000000000', b'126817000000010%d' % m))
            for i in range(30):
                f.write(b' ' * 1000000)
PY
}
INPUT=bomb.zip
ARGS="--max-input 100000000"
