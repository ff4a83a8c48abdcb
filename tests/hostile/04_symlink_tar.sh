# Symbolic links in a tar (to a system file, and to a member): skipped with
# a note; the regular member is read.
build() {
	python3 - "$TWEETS" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], 'rb').read()
with tarfile.open('links.tar', 'w', format=tarfile.GNU_FORMAT) as t:
    for name, target in [('passwd.jsonl', '/etc/passwd'), ('again.jsonl', 'posts.jsonl')]:
        info = tarfile.TarInfo(name)
        info.type = tarfile.SYMTYPE
        info.linkname = target
        info.mtime = 1591200000
        t.addfile(info)
    info = tarfile.TarInfo('posts.jsonl')
    info.size = len(data)
    info.mtime = 1591200000
    t.addfile(info, io.BytesIO(data))
PY
}
INPUT=links.tar
