# A zip bomb: a zip holding a zip whose member is a post and 200 MB of
# blanks (deflated twice: far over 1000:1).  Stopped by the ratio cap.
build() {
	python3 - "$TWEETS" <<'PY'
import io, sys, zipfile, zlib
data = open(sys.argv[1], 'rb').read()
inner = io.BytesIO()
with zipfile.ZipFile(inner, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    info = zipfile.ZipInfo('big.jsonl', (2020, 6, 3, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with z.open(info, 'w', force_zip64=True) as f:
        f.write(data)
        chunk = b' ' * 1000000
        for i in range(200):
            f.write(chunk)
with zipfile.ZipFile('bomb.zip', 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr(zipfile.ZipInfo('inner.zip', (2020, 6, 3, 0, 0, 0)), inner.getvalue(), zipfile.ZIP_DEFLATED, 9)
PY
}
INPUT=bomb.zip
