#!/usr/bin/env python3
"""Rewrites a libmlops container file (model, profile) with every zlib
section stored uncompressed and every checksum recomputed, including a
profile's SUMS list (see lib/core/container.h and lib/data/profile_io.c).

    inflate_container.py IN OUT

Readers accept stored sections as well as compressed ones, so OUT loads as
IN does. Used by make_corpus.sh for the seeds of fuzz_profile: the fuzzer's
byte mutations then act on the section encodings themselves instead of on
a deflate stream, and fuzz_fix_container() keeps their checksums right.
"""
import struct
import sys
import zlib

MAGIC = b"\x89MLOPS\r\n"


def crc(data):
    return zlib.crc32(data) & 0xFFFFFFFF


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data = open(sys.argv[1], "rb").read()
    if data[:8] != MAGIC:
        sys.exit("%s: not a libmlops container" % sys.argv[1])
    version, reserved, kind, kind_version, count = struct.unpack_from("<HH4sII", data, 8)
    pos = 28
    sections = []
    for _ in range(count):
        tag, flags, stored, raw = struct.unpack_from("<4sIQQ", data, pos)
        body = data[pos + 32:pos + 32 + stored]
        if flags & 1:
            body = zlib.decompress(body)
            assert len(body) == raw
        sections.append([tag, body])
        pos += 32 + stored
    assert pos == len(data), "trailing bytes"
    for s in sections:
        if s[0] == b"SUMS":
            s[1] = b"".join(t + struct.pack("<I", crc(b)) for t, b in sections if t != b"SUMS")
    header = MAGIC + struct.pack("<HH4sII", version, reserved, kind, kind_version, count)
    out = [header + struct.pack("<I", crc(header))]
    for tag, body in sections:
        h = struct.pack("<4sIQQI", tag, 0, len(body), len(body), crc(body))
        out.append(h + struct.pack("<I", crc(h)) + body)
    open(sys.argv[2], "wb").write(b"".join(out))


if __name__ == "__main__":
    main()
