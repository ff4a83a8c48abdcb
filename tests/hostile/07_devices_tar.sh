# Device, fifo entries in a tar: skipped with a note, never opened.
build() {
	python3 - "$TWEETS" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], 'rb').read()
with tarfile.open('devices.tar', 'w', format=tarfile.GNU_FORMAT) as t:
    for name, kind in [('zero', tarfile.CHRTYPE), ('sda', tarfile.BLKTYPE), ('pipe', tarfile.FIFOTYPE)]:
        info = tarfile.TarInfo(name)
        info.type = kind
        info.devmajor, info.devminor = 1, 5
        info.mtime = 1591200000
        t.addfile(info)
    info = tarfile.TarInfo('posts.jsonl')
    info.size = len(data)
    info.mtime = 1591200000
    t.addfile(info, io.BytesIO(data))
PY
}
INPUT=devices.tar
