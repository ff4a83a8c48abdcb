# A tar with ../ and absolute member names (python's tarfile writes them as
# given; GNU tar would strip them).
build() {
	python3 - "$TWEETS" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], 'rb').read()
with tarfile.open('dotdot.tar', 'w', format=tarfile.GNU_FORMAT) as t:
    for name in ['../quire-hostile-evil.jsonl', '/tmp/quire-hostile-abs.jsonl']:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = 1591200000
        t.addfile(info, io.BytesIO(data))
PY
}
INPUT=dotdot.tar
CANARY="/tmp/quire-hostile-abs.jsonl"
