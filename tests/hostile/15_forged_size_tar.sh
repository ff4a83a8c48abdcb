# A tar header claiming a member far larger than the archive holds.
build() {
	python3 - "$TWEETS" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], 'rb').read()
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode='w', format=tarfile.GNU_FORMAT) as t:
    info = tarfile.TarInfo('a.jsonl')
    info.size = len(data)
    info.mtime = 1591200000
    t.addfile(info, io.BytesIO(data))
raw = bytearray(buf.getvalue())
# size field: 12 octal digits at 124; checksum at 148 recomputed.
raw[124:136] = b'%011o\0' % (1 << 30)
raw[148:156] = b'        '
raw[148:156] = b'%06o\0 ' % sum(raw[:512])
open('forged.tar', 'wb').write(bytes(raw))
PY
}
INPUT=forged.tar
