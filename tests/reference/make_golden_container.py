#!/usr/bin/python3
"""Writes tests/golden/container_v1.bin from the format described in
lib/core/container.h, using only Python's struct and zlib: an implementation
independent of the C writer. The C suite must keep reading this file in every
future version (readers accept every container version they ever wrote).

Run:  /usr/bin/python3 tests/reference/make_golden_container.py tests/golden/container_v1.bin
"""
import struct
import sys
import zlib

MAGIC = b"\x89MLOPS\r\n"


def section(tag, raw, compress):
    stored = zlib.compress(raw, 9) if compress else raw
    head = struct.pack("<4sIQQI", tag, 1 if compress else 0, len(stored), len(raw),
                       zlib.crc32(raw))
    return head + struct.pack("<I", zlib.crc32(head)) + stored


def main(path):
    sections = [
        section(b"TEXT", b"golden container, format version 1\n", False),
        section(b"NUMS", struct.pack("<4d", 1.5, -2.25, 1e300, 0.1), True),
        section(b"NONE", b"", False),
        section(b"BULK", bytes(i % 7 for i in range(10000)), True),
    ]
    head = MAGIC + struct.pack("<HH4sII", 1, 0, b"TEST", 3, len(sections))
    head += struct.pack("<I", zlib.crc32(head))
    with open(path, "wb") as f:
        f.write(head + b"".join(sections))


if __name__ == "__main__":
    main(sys.argv[1])
