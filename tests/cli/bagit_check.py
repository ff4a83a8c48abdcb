#!/usr/bin/env python3
"""An RFC 8493 (BagIt 1.0) validator written from the RFC with Python's
standard library alone, so that the tests check quire's bags with code that
shares nothing with quire's.

    python3 bagit_check.py BAG        (a folder, .zip, .tar.gz or .tgz)

Prints one line per problem, naming the file, and exits 1 when there is
any; prints "valid" and exits 0 otherwise.  Checks: bagit.txt (version,
encoding), the payload manifests (format, every file listed exists with
that checksum, every payload file is listed in every payload manifest),
the tag manifests, Payload-Oxum, that bag-info.txt is a well formed tag
file, and (for archives) that the bag sits in one top folder named like
the archive (RFC 8493 section 4.1)."""

import hashlib
import os
import sys
import tarfile
import tempfile
import zipfile

ALGS = {"md5", "sha1", "sha256", "sha512"}


def decode(path):
    # RFC 8493 2.1.3: CR, LF and % are percent-encoded in manifests
    return path.replace("%0D", "\r").replace("%0d", "\r").replace("%0A", "\n").replace("%0a", "\n").replace("%25", "%")


def digest(path, alg):
    h = hashlib.new(alg)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_tag_file(path, problems, name):
    """Labels of a tag file: 'Label: value', continuation lines start with
    whitespace (RFC 8493 2.2.2)."""
    labels = []
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.append("%s: not UTF-8" % name)
        return labels
    if text.startswith("\ufeff"):
        problems.append("%s: starts with a byte order mark" % name)
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line[0] in " \t":
            if not labels:
                problems.append("%s: line %d continues nothing" % (name, n))
            else:
                labels[-1] = (labels[-1][0], labels[-1][1] + " " + line.strip())
            continue
        if ":" not in line:
            problems.append("%s: line %d is not 'Label: value'" % (name, n))
            continue
        label, value = line.split(":", 1)
        if label != label.strip() or not label:
            problems.append("%s: line %d has a label with spaces around it" % (name, n))
        labels.append((label.strip(), value.strip()))
    return labels


def files_under(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for fn in filenames:
            full = os.path.join(dirpath, fn)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            out[rel] = full
    return out


def check_manifest(root, name, alg, files, payload, problems):
    listed = set()
    with open(os.path.join(root, name), "rb") as f:
        text = f.read().decode("utf-8", "replace")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            problems.append("%s: line %d is not '<checksum> <path>'" % (name, n))
            continue
        want, path = parts[0].lower(), decode(parts[1])
        if path.startswith("/") or ".." in path.split("/") or path.startswith("./"):
            problems.append("%s: line %d names %r, outside the bag" % (name, n, path))
            continue
        if payload and not path.startswith("data/"):
            problems.append("%s: line %d names %r, not in the payload" % (name, n, path))
            continue
        if path in listed:
            problems.append("%s: %s listed twice" % (name, path))
        listed.add(path)
        if path not in files:
            problems.append("%s: listed in %s but missing" % (path, name))
            continue
        if digest(files[path], alg) != want:
            problems.append("%s: %s checksum does not match %s" % (path, alg, name))
    if payload:
        for rel in sorted(files):
            if rel.startswith("data/") and rel not in listed:
                problems.append("%s: in the payload but not in %s" % (rel, name))


def validate(root):
    problems = []
    files = files_under(root)
    if "bagit.txt" not in files:
        return ["bagit.txt: missing"]
    with open(files["bagit.txt"], "rb") as f:
        raw = f.read()
    lines = raw.decode("utf-8", "replace").splitlines()
    if len(lines) != 2 or not lines[0].startswith("BagIt-Version: ") or \
            lines[1] != "Tag-File-Character-Encoding: UTF-8":
        problems.append("bagit.txt: not the two lines of RFC 8493 2.1.1")
    elif lines[0] != "BagIt-Version: 1.0":
        problems.append("bagit.txt: BagIt-Version is not 1.0")
    if not os.path.isdir(os.path.join(root, "data")):
        problems.append("data: the payload folder is missing")
    manifests = [f for f in files if "/" not in f and f.startswith("manifest-") and f.endswith(".txt")]
    if not manifests:
        problems.append("manifest-*.txt: no payload manifest")
    for m in sorted(manifests):
        alg = m[len("manifest-"):-4]
        if alg not in ALGS:
            problems.append("%s: unknown algorithm" % m)
            continue
        check_manifest(root, m, alg, files, True, problems)
    for m in sorted(f for f in files if "/" not in f and f.startswith("tagmanifest-") and f.endswith(".txt")):
        alg = m[len("tagmanifest-"):-4]
        if alg not in ALGS:
            problems.append("%s: unknown algorithm" % m)
            continue
        check_manifest(root, m, alg, files, False, problems)
    if "bag-info.txt" in files:
        info = read_tag_file(files["bag-info.txt"], problems, "bag-info.txt")
        oxum = [v for k, v in info if k == "Payload-Oxum"]
        if oxum:
            payload = [f for f in files if f.startswith("data/")]
            size = sum(os.path.getsize(files[f]) for f in payload)
            if oxum[0] != "%d.%d" % (size, len(payload)):
                problems.append("bag-info.txt: Payload-Oxum %s, the payload is %d.%d" % (oxum[0], size, len(payload)))
        if "Bagging-Date" in dict(info) and len(dict(info)["Bagging-Date"]) != 10:
            problems.append("bag-info.txt: Bagging-Date is not YYYY-MM-DD")
    return problems


def unpack(path, into):
    """The bag's folder inside an archive: its one top folder, named like
    the archive without its ending (RFC 8493 4.1)."""
    base = os.path.basename(path)
    for end in (".zip", ".tar.gz", ".tgz"):
        if base.endswith(end):
            base = base[:-len(end)]
    if path.endswith(".zip"):
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            z.extractall(into)
    else:
        with tarfile.open(path, "r:gz") as t:
            names = t.getnames()
            t.extractall(into, filter="data")
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) != 1:
        return None, ["%s: the bag is not in one top folder" % path]
    top = tops.pop()
    problems = [] if top == base else ["%s: the top folder %r is not named like the archive" % (path, top)]
    return os.path.join(into, top), problems


def main():
    if len(sys.argv) != 2:
        print("usage: bagit_check.py BAG", file=sys.stderr)
        return 2
    path = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        root, problems = (path, []) if os.path.isdir(path) else unpack(path, tmp)
        if root:
            problems += validate(root)
    for p in problems:
        print(p)
    if not problems:
        print("valid")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
