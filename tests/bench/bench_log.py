"""Reading the benchmark logs: every measurement is one line of a name and
key=value pairs (see the bench-*.c programs and the peer scripts), and the
report scripts print them as plain-text tables."""


def parse(path):
    """The log's lines as dicts of their key=value pairs plus "name", the
    first bare word."""
    recs = []
    with open(path) as f:
        for line in f:
            kv, name = {}, None
            for tok in line.split():
                key, eq, value = tok.partition("=")
                if eq:
                    kv.setdefault(key, value)
                elif name is None:
                    name = tok
            kv["name"] = name or ""
            recs.append(kv)
    return recs


def num(r, key):
    """Field `key` of record r as a float, NaN when absent or not a number."""
    try:
        return float(r[key])
    except (KeyError, ValueError, TypeError):
        return float("nan")


def table(head, rows, title=None, notes=()):
    """Prints rows under head, the first column left-aligned."""
    if title is not None:
        print()
        print(title)
    cells = [head] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    for i, r in enumerate(cells):
        print("  " + "  ".join(c.rjust(w) if j else c.ljust(w)
                               for j, (c, w) in enumerate(zip(r, widths))))
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))
    for n in notes:
        print("  " + n)
