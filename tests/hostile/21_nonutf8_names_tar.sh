# Non-UTF-8 member names in a tar (GNU format, raw Latin-1 bytes).
build() {
	python3 - "$TWEETS" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], 'rb').read() + b'{"id_str": "2"}\n'
with tarfile.open('names.tar', 'w', format=tarfile.GNU_FORMAT, encoding='latin-1') as t:
    for name in ['caf\xe9.jsonl', 'r\xe9sum\xe9\x7f.jsonl']:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = 1591200000
        t.addfile(info, io.BytesIO(data))
PY
}
INPUT=names.tar
