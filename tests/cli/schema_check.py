#!/usr/bin/env python3
"""Check a bag's data/datapackage.json and data/CITATION.cff against the
published schemas, and data/posts.csv against its Table Schema, with
python3-jsonschema and Python's csv module (nothing of quire's).

    python3 schema_check.py BAGDIR PROFILES_DIR CFF_SCHEMA_JSON

PROFILES_DIR holds the Frictionless profiles (data-package.json,
tabular-data-resource.json; the npm package datapackage), CFF_SCHEMA_JSON
the Citation File Format 1.2.0 schema as JSON.  Prints each problem, exits
1 when there is any."""

import csv
import datetime
import io
import json
import os
import re
import sys

import jsonschema
import yaml


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_table(bag, res, problems):
    """The CSV holds what its Table Schema says: the header is the fields,
    every row has them all, the values have the fields' types, the primary
    key is unique and the constraints hold."""
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]
    missing = res["schema"].get("missingValues", [""])
    dialect = res.get("dialect", {})
    with open(os.path.join(bag, "data", res["path"]), encoding=res.get("encoding", "utf-8"), newline="") as f:
        raw = f.read()
    rows = list(csv.reader(io.StringIO(raw), delimiter=dialect.get("delimiter", ","),
                           quotechar=dialect.get("quoteChar", '"'), doublequote=dialect.get("doubleQuote", True)))
    if not rows or rows[0] != names:
        problems.append("posts.csv: the header %r is not the schema's fields %r" % (rows[0] if rows else None, names))
        return
    keys = res["schema"].get("primaryKey")
    keys = [keys] if isinstance(keys, str) else keys or []
    seen = set()
    for n, row in enumerate(rows[1:], 2):
        if len(row) != len(names):
            problems.append("posts.csv: row %d has %d cells, the schema %d fields" % (n, len(row), len(names)))
            continue
        for field, value in zip(fields, row):
            c = field.get("constraints", {})
            if value in missing:
                if c.get("required"):
                    problems.append("posts.csv: row %d: %s is required" % (n, field["name"]))
                continue
            t = field.get("type", "string")
            try:
                if t == "integer":
                    int(value)
                elif t == "datetime":
                    datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
            except ValueError:
                problems.append("posts.csv: row %d: %s %r is not a %s" % (n, field["name"], value, t))
            if "pattern" in c and not re.fullmatch(c["pattern"], value):
                problems.append("posts.csv: row %d: %s does not match %s" % (n, field["name"], c["pattern"]))
        key = tuple(row[names.index(k)] for k in keys)
        if key in seen:
            problems.append("posts.csv: row %d repeats the primary key %r" % (n, key))
        seen.add(key)


def main():
    bag, profiles, cff_schema = sys.argv[1:4]
    problems = []
    dp = load(os.path.join(bag, "data", "datapackage.json"))
    for e in jsonschema.Draft4Validator(load(os.path.join(profiles, "data-package.json"))).iter_errors(dp):
        problems.append("datapackage.json: %s (at %s)" % (e.message, "/".join(map(str, e.path))))
    tabular = jsonschema.Draft4Validator(load(os.path.join(profiles, "tabular-data-resource.json")))
    for res in dp.get("resources", []):
        if not os.path.isfile(os.path.join(bag, "data", res["path"])):
            problems.append("datapackage.json: resource %s names %s, not in the bag" % (res["name"], res["path"]))
        if res.get("profile") == "tabular-data-resource":
            for e in tabular.iter_errors(res):
                problems.append("datapackage.json: %s: %s (at %s)" % (res["name"], e.message, "/".join(map(str, e.path))))
            check_table(bag, res, problems)
    with open(os.path.join(bag, "data", "CITATION.cff"), encoding="utf-8") as f:
        cff = yaml.safe_load(f)
    schema = load(cff_schema)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    for e in validator.iter_errors(cff):
        problems.append("CITATION.cff: %s (at %s)" % (e.message, "/".join(map(str, e.path))))
    shown = {}
    for p in problems:
        part = p.split(":", 1)[0]
        shown[part] = shown.get(part, 0) + 1
        if shown[part] <= 20:
            print(p)
    if not problems:
        print("valid")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
