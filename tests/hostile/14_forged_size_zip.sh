# A zip whose headers claim a member is 40 bytes while it holds more
# (stored, so the claim decides where the data ends).
build() {
	python3 - "$TWEETS" <<'PY'
import struct, sys, zipfile
data = open(sys.argv[1], 'rb').read()
with zipfile.ZipFile('forged.zip', 'w', zipfile.ZIP_STORED) as z:
    z.writestr(zipfile.ZipInfo('a.jsonl', (2020, 6, 3, 0, 0, 0)), data)
    z.writestr(zipfile.ZipInfo('b.jsonl', (2020, 6, 3, 0, 0, 0)), data)
raw = bytearray(open('forged.zip', 'rb').read())
n = len(data)
# Local header: sizes at 18 and 22; central directory entry: at 20 and 24.
struct.pack_into('<II', raw, 18, 40, 40)
cd = raw.find(b'PK\x01\x02')
struct.pack_into('<II', raw, cd + 20, 40, 40)
open('forged.zip', 'wb').write(bytes(raw))
PY
}
INPUT=forged.zip
