# Two members with the same name and different content: both read.
build() {
	python3 - "$TWEETS" <<'PY'
import sys, warnings, zipfile
warnings.simplefilter('ignore')
lines = open(sys.argv[1], 'rb').read().splitlines(True)
with zipfile.ZipFile('dup.zip', 'w') as z:
    z.writestr(zipfile.ZipInfo('posts.jsonl', (2020, 6, 3, 0, 0, 0)), lines[0])
    z.writestr(zipfile.ZipInfo('posts.jsonl', (2020, 6, 3, 0, 0, 0)), lines[1] + lines[2])
PY
}
INPUT=dup.zip
