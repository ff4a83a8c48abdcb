#!/usr/bin/env python3
"""Print the cells of an .xlsx workbook as JSON, read with the standard
library alone (zipfile, xml.etree): {"sheet name": [[cell, ...], ...]}, each
cell {"type": "string" | "number" | "date" | "bool" | "error" | "empty",
"value": ..., "formula": "..." or null}.  A date cell is a number whose
format shows a date; its value is the serial number (days since 1899-12-30).
Used by the CLI tests to read back what quire and LibreOffice wrote."""
import json
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
DATE_IDS = set(range(14, 23)) | {45, 46, 47}


def unescape(s):
    """OOXML writes a character XML cannot hold as _xHHHH_ (and a literal
    "_x" that looks like one with its "_" as _x005F_)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), s)


def text_of(el):
    """The text of a <si> or <is>: its <t>, or its runs' <t> joined."""
    return unescape("".join(t.text or "" for t in el.iter("{%s}t" % NS["m"])))


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def main(path):
    z = zipfile.ZipFile(path)
    names = set(z.namelist())
    shared = []
    if "xl/sharedStrings.xml" in names:
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append(text_of(si))
    date_styles = set()
    if "xl/styles.xml" in names:
        st = ET.fromstring(z.read("xl/styles.xml"))
        custom = {}
        for nf in st.findall("m:numFmts/m:numFmt", NS):
            custom[int(nf.get("numFmtId"))] = nf.get("formatCode")
        for i, xf in enumerate(st.findall("m:cellXfs/m:xf", NS)):
            fid = int(xf.get("numFmtId", "0"))
            code = re.sub(r'"[^"]*"|\[[^\]]*\]', "", custom.get(fid, ""))
            if fid in DATE_IDS or re.search(r"[ymdhs]", code, re.I):
                date_styles.add(i)
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for sh in wb.findall("m:sheets/m:sheet", NS):
        t = target[sh.get("{%s}id" % NS["r"])]
        t = t.lstrip("/")
        part = t if t.startswith("xl/") else "xl/" + t
        rows = []
        for row in ET.fromstring(z.read(part)).findall("m:sheetData/m:row", NS):
            r = int(row.get("r")) - 1
            while len(rows) <= r:
                rows.append([])
            cells = rows[r]
            for c in row.findall("m:c", NS):
                i = col_index(c.get("r"))
                while len(cells) <= i:
                    cells.append({"type": "empty", "value": None, "formula": None})
                kind = c.get("t", "n")
                f = c.find("m:f", NS)
                v = c.find("m:v", NS)
                cell = {"type": "empty", "value": None, "formula": f.text if f is not None else None}
                if kind == "s" and v is not None:
                    cell.update(type="string", value=shared[int(v.text)])
                elif kind == "inlineStr":
                    cell.update(type="string", value=text_of(c.find("m:is", NS)))
                elif kind == "str":
                    cell.update(type="string", value=v.text if v is not None else "")
                elif kind == "b" and v is not None:
                    cell.update(type="bool", value=v.text == "1")
                elif kind == "e":
                    cell.update(type="error", value=v.text if v is not None else None)
                elif v is not None:
                    date = int(c.get("s", "0")) in date_styles
                    cell.update(type="date" if date else "number", value=float(v.text))
                cells[i] = cell
        out[sh.get("name")] = rows
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
