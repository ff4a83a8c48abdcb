# Member names that climb out with ../: nothing is extracted, so the names
# are only labels; the posts are read, nothing is written outside.
build() {
	python3 - "$TWEETS" <<'PY'
import sys, zipfile
data = open(sys.argv[1], 'rb').read()
with zipfile.ZipFile('dotdot.zip', 'w') as z:
    z.writestr('../../quire-hostile-evil.jsonl', data)
    z.writestr('a/../../../quire-hostile-evil2.jsonl', b'')
PY
}
INPUT=dotdot.zip
CANARY="../../quire-hostile-evil.jsonl"
