#!/usr/bin/env python3
"""Fails unless mlops-pipeline(5) documents every key of pipeline schema
version 1 as the table in lib/pipeline/pipeline_schema.c states it.

The table is the single statement of the schema (the validator and the
runner follow it); the page must keep up. For every entry of the table the
page needs a tagged paragraph (.TP) whose tag is the key's path, whose
first sentence gives the type and "required" or "optional", and whose text
names every allowed value and the default. A tag that looks like a key
path but is not in the table (a key that was removed or renamed) fails
too.

usage: check_pipeline_page.py PIPELINE_SCHEMA_C MLOPS_PIPELINE_5
"""
import re
import sys

TYPE_WORDS = {
    "MAP": "Mapping",
    "STR": "String",
    "INT": "Integer",
    "NUM": "Number",
    "BOOL": "Boolean",
    "SCALAR": "Scalar",
    "STRS": "List of strings",
    "SCALARS": "List of scalars",
    "LIST": "List of mappings",
}

C_STRING = r'"(?:[^"\\]|\\.)*"'
ENTRY = re.compile(
    r"\{\s*(" + C_STRING + r")\s*,\s*(\w+)\s*,\s*(true|false)\s*,\s*(" + C_STRING +
    r"|NULL)\s*,\s*(" + C_STRING + r"|NULL)\s*,\s*((?:" + C_STRING + r"\s*)+)\}")


def c_string(token):
    if token == "NULL":
        return None
    return "".join(re.findall(C_STRING, token)).replace('""', "")[1:-1] if token else None


def read_table(path):
    text = open(path, encoding="utf-8").read()
    start = text.index("mlops__pipeline_keys[] = {")
    body = text[start:text.index("};", start)]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    keys = []
    for m in ENTRY.finditer(body):
        keys.append({
            "path": c_string(m.group(1)),
            "type": m.group(2),
            "required": m.group(3) == "true",
            "allowed": c_string(m.group(4)),
            "default": c_string(m.group(5)),
        })
    # every "{"path", ..." line of the table must have been understood
    opened = len(re.findall(r'^\s*\{\s*"', body, re.M))
    if opened != len(keys):
        sys.exit("FAIL: read %d of the %d entries of %s; update this script" %
                 (len(keys), opened, path))
    return keys


def plain(roff):
    """The text of roff source lines, without macros and font escapes."""
    out = []
    for line in roff:
        if line.startswith(".\\\""):
            continue
        m = re.match(r"^\.(B|I|BR|RB|IR|RI|BI|IB)\s+(.*)$", line)
        if m:
            args = re.findall(r'"[^"]*"|\S+', m.group(2))
            line = "".join(a.strip('"') for a in args)
        elif line.startswith("."):
            continue
        line = re.sub(r"\\f[BIRP]|\\f\(\w\w|\\&|\\c", "", line)
        line = line.replace("\\-", "-").replace("\\(aq", "'").replace("\\(dq", '"')
        line = line.replace("\\(mu", "x").replace("\\e", "\\")
        out.append(line)
    return " ".join(out)


def read_page(path):
    """Tag -> [plain text of the paragraph] for every .TP of the page, and
    the tags set in bold (keys are; file names are in italics)."""
    lines = open(path, encoding="utf-8").read().split("\n")
    entries, bold = {}, set()
    i = 0
    while i < len(lines):
        if lines[i].strip() == ".TP" and i + 1 < len(lines):
            tag = plain([lines[i + 1]]).strip()
            if lines[i + 1].startswith(".B "):
                bold.add(tag)
            j = i + 2
            while j < len(lines) and not re.match(r"^\.(TP|SH|SS)\b", lines[j]):
                j += 1
            entries.setdefault(tag, []).append(plain(lines[i + 2:j]))
            i = j
        else:
            i += 1
    return entries, bold


def main(schema_c, page):
    keys = read_table(schema_c)
    entries, bold = read_page(page)
    problems = []
    for k in keys:
        path = k["path"]
        if path not in entries:
            problems.append("%s: no entry (.TP with the tag %s)" % (path, path))
            continue
        if len(entries[path]) > 1:
            problems.append("%s: %d entries" % (path, len(entries[path])))
        text = entries[path][0]
        first = re.split(r"(?<=\.)\s", text, maxsplit=1)[0]
        want_type = TYPE_WORDS.get(k["type"])
        if want_type is None:
            problems.append("%s: unknown type %s in the table; update this script" %
                            (path, k["type"]))
        elif not first.startswith(want_type + ","):
            problems.append("%s: the entry should start with its type '%s,': %r" %
                            (path, want_type, first[:60]))
        need = "required" if k["required"] else "optional"
        if not re.search(r"\b%s\b" % need, first):
            problems.append("%s: the first sentence does not say '%s': %r" %
                            (path, need, first[:80]))
        for value in (k["allowed"] or "").split("|"):
            if value and not re.search(r"(?<![\w.])%s(?![\w])" % re.escape(value), text):
                problems.append("%s: allowed value '%s' is not named" % (path, value))
        if k["default"] is not None and \
                not re.search(r"default %s(?!\w|\.\w)" % re.escape(k["default"]), text):
            problems.append("%s: the default '%s' is not given as 'default %s'" %
                            (path, k["default"], k["default"]))
    known = {k["path"] for k in keys}
    sections = {k["path"] for k in keys if "." not in k["path"]}
    for tag in sorted(bold):
        root = tag.split(".")[0]
        if "." in tag and root in sections and " " not in tag and tag not in known:
            problems.append("%s: documented, but not a key of the schema table" % tag)
    for p in problems:
        print("FAIL:", p)
    print("%d keys in the schema table, %d documented in %s: %s" % (
        len(keys), len([k for k in keys if k["path"] in entries]), page,
        "FAIL" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
