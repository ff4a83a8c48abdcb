# Zips nested 20 deep: stopped at the depth cap (8), reported.
build() {
	python3 - "$TWEETS" <<'PY'
import io, sys, zipfile
data = open(sys.argv[1], 'rb').read()
name = 'posts.jsonl'
for level in range(20):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        z.writestr(zipfile.ZipInfo(name, (2020, 6, 3, 0, 0, 0)), data)
    data, name = buf.getvalue(), 'level%02d.zip' % (19 - level)
open('nested.zip', 'wb').write(data)
PY
}
INPUT=nested.zip
