#!/usr/bin/python3
"""Malformed (and tricky but valid) CSV inputs for mlops_dataset_read_csv.

Writes every case file into tests/data/malformed/ and rewrites
tests/data/malformed/MANIFEST.tsv (format: see tests/data/malformed/README.md).
All bytes are produced here, so binary cases (random garbage with a fixed seed,
ELF and PNG headers, gzip files with mtime 0) are reproducible bit for bit.

Every expected result written to the manifest is checked against `simulate()`,
a small independent model of the reader's documented rules (README.md): if a
hand-written expectation and the model disagree, the script aborts instead of
writing the manifest. The model is only a cross-check for this corpus, not a
specification; the rules in README.md are.

With --pandas the script also prints what pandas.read_csv does with each case
(informational: pandas is lenient in places where libmlops is strict).

Rerun (from the repository root):

    /usr/bin/python3 tests/reference/make_malformed_corpus.py [--pandas]
"""
import gzip
import io
import os
import random
import re
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "data", "malformed"))

OK = "OK"
EFORMAT = "MLOPS_EFORMAT"
ECORRUPT = "MLOPS_ECORRUPT"
ERANGE = "MLOPS_ERANGE"
EINVAL = "MLOPS_EINVAL"
EIO = "MLOPS_EIO"

CASES = []


def case(category, name, data, code, line=0, col=0, options="-", msg="-", note=""):
    assert isinstance(data, bytes), name
    assert "\t" not in options and "\t" not in msg
    CASES.append(dict(category=category, name=name, data=data, code=code, line=line,
                      col=col, options=options, msg=msg, note=note))


def gz(payload):
    """Deterministic gzip member: mtime 0, no file name, level 9."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as fh:
        fh.write(payload)
    return buf.getvalue()


def rows(n, ncols=3, start=1):
    """n well-formed numeric data lines with ncols fields each."""
    return b"".join(b",".join(b"%d" % (start + i + 10 * j) for j in range(ncols)) + b"\n"
                    for i in range(n))


HDR3 = b"a,b,c\n"
GARBAGE_SEED = 20240607   # chosen so that the first header field is invalid UTF-8 without NUL

# ---------------------------------------------------------------- quotes
case("quote", "unterminated_quote_last_field.csv", b"a,b\n1,\"abc\n", EFORMAT, 2, 2,
     msg="unterminated quote", note="quote opened in the last field, file ends inside it")
case("quote", "unterminated_quote_first_field.csv", b"a,b\n\"1,2\n3,4\n", EFORMAT, 2, 1,
     msg="unterminated quote", note="quoted first field swallows the rest of the file")
case("quote", "unterminated_quote_multiline.csv", HDR3 + b"1,2,3\n4,\"x\ny\nz\n", EFORMAT, 3, 2,
     msg="unterminated quote", note="position is where the quoted field starts, not EOF")
case("quote", "unterminated_quote_no_newline.csv", b"a,b\n1,2\n3,\"abc", EFORMAT, 3, 2,
     msg="unterminated quote", note="no final newline")
case("quote", "unterminated_quote_header.csv", b"a,\"b\n1,2\n", EFORMAT, 1, 2,
     msg="unterminated quote", note="quote opened in the header")
case("quote", "unterminated_quote_escaped_end.csv", b"a,b\n1,\"abc\"\"\n", EFORMAT, 2, 2,
     msg="unterminated quote", note="ends with a doubled (escaped) quote, so still open")
case("quote", "unterminated_quote_deep.csv", HDR3 + rows(40) + b"41,51,\"tail\n" + rows(3, start=42),
     EFORMAT, 42, 3, msg="unterminated quote", note="after 40 good rows, third field")
case("quote", "unterminated_quote_lone.csv", b"a,b\n1,\"\n", EFORMAT, 2, 2,
     msg="unterminated quote", note="a field that is a single quote character")
case("quote", "quote_after_closing.csv", b"a,b\n1,\"ab\"c\n", EFORMAT, 2, 2,
     msg="after closing quote", note="\"ab\"c")
case("quote", "quote_after_closing_header.csv", b"\"a\"b,c\n1,2\n", EFORMAT, 1, 1,
     msg="after closing quote", note="in the header")
case("quote", "quote_after_closing_multiline.csv", b"a,b,c\n1,\"x\ny\"z,3\n", EFORMAT, 2, 2,
     msg="after closing quote", note="field starts on line 2, stray text on line 3")
case("quote", "quote_inside_unquoted.csv", b"a,b\nab\"c,1\nx\"\"y,2\n", OK,
     note="quote characters inside an unquoted field are kept literally")
case("quote", "quoted_fields.csv",
     b"name,text,n\n\"Smith, J\",\"said \"\"hi\"\"\",1\n\"\",\"a,b,c\",2\n\"plain\",x,3\n", OK,
     note="delimiters, doubled quotes and an empty quoted field (missing, as in pandas)")
case("quote", "quoted_newline.csv", b"id,text\n1,\"line one\nline two\"\n2,\"a\r\nb\"\n3,c\n", OK,
     note="newlines (LF and CRLF) inside quoted fields")
case("quote", "quote_none.csv", b"a,b\n\"x,y\n\"\"z,w\"\n", OK, options="quote=none",
     note="quote=none: quote characters are ordinary data")
case("quote", "quote_single.csv", b"a,b\n'x,y',1\n'it''s',2\n", OK, options="quote='",
     note="single quote as quote character")

# ---------------------------------------------------------------- ragged rows
case("ragged", "ragged_more_first_row.csv", HDR3 + b"1,2,3,4\n", EFORMAT, 2, 4,
     msg="expected 3 fields", note="first data row has 4 fields")
case("ragged", "ragged_fewer_first_row.csv", HDR3 + b"1,2\n", EFORMAT, 2, 3,
     msg="expected 3 fields", note="first data row has 2 fields")
case("ragged", "ragged_more_deep.csv", HDR3 + rows(500) + b"1,2,3,4,5,6\n" + rows(10), EFORMAT, 502, 4,
     msg="expected 3 fields", note="row 501 has 6 fields; column is the first extra one")
case("ragged", "ragged_fewer_deep.csv", HDR3 + rows(300) + b"7\n" + rows(5), EFORMAT, 302, 2,
     msg="expected 3 fields", note="row 301 has a single field")
case("ragged", "ragged_trailing_delimiter.csv", b"a,b\n1,2,\n3,4,\n", EFORMAT, 2, 3,
     msg="expected 2 fields",
     note="trailing comma = empty third field (pandas instead makes column 1 an index)")
case("ragged", "ragged_record_spans_lines.csv",
     HDR3 + b"1,2,3\n4,\"multi\nline\",6,7\n8,9,10\n", EFORMAT, 3, 4,
     msg="expected 3 fields", note="record starts on line 3, extra field is on line 4")
case("ragged", "ragged_after_quoted_newlines.csv",
     HDR3 + b"1,\"a\nb\nc\",3\n4,5\n", EFORMAT, 5, 3,
     msg="expected 3 fields", note="line numbers count newlines inside quoted fields")
case("ragged", "ragged_after_blank_lines.csv", b"a,b\n1,2\n\n\n3,4,5\n", EFORMAT, 5, 3,
     msg="expected 2 fields", note="skipped blank lines still count as lines")
case("ragged", "ragged_crlf.csv", b"a,b,c\r\n1,2,3\r\n4,5,6\r\n7,8\r\n", EFORMAT, 4, 3,
     msg="expected 3 fields", note="CRLF counts as one line end")
case("ragged", "ragged_tab.tsv", b"a\tb\tc\n1\t2\t3\n4\t5\t6\t7\n", EFORMAT, 3, 4,
     options="delimiter=tab", msg="expected 3 fields", note="tab-delimited")
case("ragged", "ragged_no_header.csv", b"1,2\n3,4,5\n", EFORMAT, 2, 3, options="header=false",
     msg="expected 2 fields", note="header=false: the first record sets the field count")
case("ragged", "trailing_empty_field.csv", HDR3 + b"1,2,\n,,\n", OK,
     note="empty last field and an all-empty row are missing values, not ragged")
case("skip", "skip_ragged.csv", HDR3 + b"1,2,3\n4,5\n6,7,8,9\n10,11,12\n", OK, options="bad_rows=skip",
     note="two ragged rows skipped (2 rows kept, 2 skipped)")
case("skip", "skip_all_ragged.csv", b"a,b\n1,2,3\n4\n", OK, options="bad_rows=skip",
     note="every data row skipped: 0 rows")
case("skip", "skip_unterminated_quote.csv", HDR3 + b"1,2\n3,4,5\n6,\"x,7\n", EFORMAT, 4, 2,
     options="bad_rows=skip", msg="unterminated quote", note="not skippable")
case("skip", "skip_invalid_utf8.csv", HDR3 + b"1,2\n3,4,5\n6,\xff,8\n", EFORMAT, 4, 2,
     options="bad_rows=skip", msg="invalid UTF-8", note="not skippable")
case("skip", "skip_nul.csv", HDR3 + b"1,2,3,4\n5,6,7\n8,9,1\x000\n", EFORMAT, 4, 3,
     options="bad_rows=skip", msg="NUL byte", note="not skippable")

# ---------------------------------------------------------------- binary garbage


def garbage_random():
    return random.Random(GARBAGE_SEED).randbytes(4096)


def elf_header():
    # ELF64 little-endian x86-64 executable header (64 bytes) + start of a program header.
    import struct
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    hdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0x3A08, 0,
                              64, 56, 11, 64, 30, 29)
    phdr = struct.pack("<IIQQQQQQ", 6, 4, 64, 0x400040, 0x400040, 0x268, 0x268, 8)
    return hdr + phdr


def png_header():
    ihdr = b"IHDR" + bytes([0, 0, 0, 16, 0, 0, 0, 16, 8, 6, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + ihdr
            + zlib.crc32(ihdr).to_bytes(4, "big") + b"\x00\x00\x00\x00IEND\xaeB`\x82")


case("binary", "garbage_random.bin", garbage_random(), EFORMAT, 1, 1, msg="invalid UTF-8",
     note="4096 random bytes, Python random.Random(%d).randbytes" % GARBAGE_SEED)
case("binary", "garbage_elf.bin", elf_header(), EFORMAT, 1, 1, msg="NUL byte",
     note="ELF64 header: \\x7fELF then NUL bytes")
case("binary", "garbage_png.png", png_header(), EFORMAT, 1, 1, msg="invalid UTF-8",
     note="PNG signature: 0x89 is a lone continuation byte")
case("binary", "garbage_zip.bin", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(20), EFORMAT, 1, 1,
     msg="NUL byte", note="ZIP local header (e.g. an .xlsx given as CSV)")
case("binary", "utf16le_bom.csv", "\ufeffa,b\n1,2\n".encode("utf-16-le"), EFORMAT, 1, 1,
     note="UTF-16LE with BOM FF FE (Excel 'Unicode text'); the field has both an invalid"
          " UTF-8 byte (offset 0) and a NUL (offset 3), so the message is not pinned")
case("binary", "nul_in_field.csv", b"a,b\n1,2\n3,4\x005\n", EFORMAT, 3, 2, msg="NUL byte")
case("binary", "nul_in_header.csv", b"a\x00,b\n1,2\n", EFORMAT, 1, 1, msg="NUL byte")
case("binary", "nul_in_quoted_field.csv", b"a,b\n1,\"x\ny\x00z\"\n", EFORMAT, 2, 2, msg="NUL byte",
     note="NUL on line 3 inside a quoted field that starts on line 2")

# ---------------------------------------------------------------- invalid UTF-8
case("utf8", "utf8_lone_continuation.csv", b"a,b\n1,x\x80y\n", EFORMAT, 2, 2, msg="invalid UTF-8")
case("utf8", "utf8_overlong_2byte.csv", b"a,b\n1,2\n\xc0\xaf,3\n", EFORMAT, 3, 1, msg="invalid UTF-8",
     note="C0 AF = overlong '/'")
case("utf8", "utf8_overlong_3byte.csv", b"a,b\n1,\xe0\x80\xaf\n", EFORMAT, 2, 2, msg="invalid UTF-8",
     note="E0 80 AF = overlong '/'")
case("utf8", "utf8_truncated_end_of_field.csv", b"a,b\ncaf\xc3,1\n", EFORMAT, 2, 1,
     msg="invalid UTF-8", note="C3 then the delimiter")
case("utf8", "utf8_truncated_end_of_file.csv", b"a,b\n1,\xe2\x82", EFORMAT, 2, 2,
     msg="invalid UTF-8", note="first 2 bytes of a 3-byte sequence, then EOF")
case("utf8", "utf8_surrogate.csv", b"a,b\n1,\xed\xa0\x80\n", EFORMAT, 2, 2, msg="invalid UTF-8",
     note="ED A0 80 = U+D800")
case("utf8", "utf8_above_max.csv", b"a,b\n1,\xf4\x90\x80\x80\n", EFORMAT, 2, 2, msg="invalid UTF-8",
     note="F4 90 80 80 = U+110000")
case("utf8", "utf8_latin1.csv", b"name,v\nJos\xe9,1\n", EFORMAT, 2, 1, msg="invalid UTF-8",
     note="Latin-1 e-acute (a real-world mis-encoding)")
case("utf8", "utf8_in_header.csv", b"a,b\xff\n1,2\n", EFORMAT, 1, 2, msg="invalid UTF-8")
case("utf8", "utf8_in_quoted_multiline.csv", b"a,b\n1,\"x\ny\xfe\"\n", EFORMAT, 2, 2,
     msg="invalid UTF-8", note="bad byte on line 3, field starts on line 2")
case("utf8", "utf8_valid.csv", "name,v\ncaf\u00e9,1\n\u65e5\u672c,2\n\U0001F600,3\n".encode("utf-8"), OK,
     note="valid 2-, 3- and 4-byte sequences")

# ---------------------------------------------------------------- field length
case("length", "huge_field.csv", b"a,b\n1,2\n3," + b"x" * 1001 + b"\n", ERANGE, 3, 2,
     options="max_field_bytes=1000", msg="longer than", note="1001-byte field")
case("length", "huge_field_quoted_multiline.csv",
     b"a,b\n1,\"" + (b"y" * 99 + b"\n") * 11 + b"\"\n", ERANGE, 2, 2,
     options="max_field_bytes=1000", msg="longer than", note="1100-byte quoted field over 12 lines")
case("length", "huge_header_name.csv", b"a," + b"n" * 1500 + b"\n1,2\n", ERANGE, 1, 2,
     options="max_field_bytes=1000", msg="longer than", note="1500-byte column name")
case("length", "field_at_limit.csv", b"a,b\n1," + b"x" * 1000 + b"\n", OK,
     options="max_field_bytes=1000", note="exactly 1000 bytes is allowed")

# ---------------------------------------------------------------- empty / header
case("empty", "empty.csv", b"", EFORMAT, 0, 0, msg="no header", note="0 bytes")
case("empty", "whitespace_only.csv", b"  \n\t\n \r\n\n", EFORMAT, 0, 0, msg="no header")
case("empty", "newlines_only.csv", b"\n\n\n", EFORMAT, 0, 0, msg="no header")
case("empty", "bom_only.csv", b"\xef\xbb\xbf", EFORMAT, 0, 0, msg="no header",
     note="a UTF-8 BOM and nothing else")
case("header", "header_only.csv", b"a,b,c\n", OK, note="0 rows")
case("header", "header_only_no_newline.csv", b"a,b,c", OK, note="0 rows")
case("header", "duplicate_names.csv", b"a,b,a\n1,2,3\n", EFORMAT, 1, 3, msg="duplicate column name")
case("header", "duplicate_names_many.csv", b"x,y,y,x\n1,2,3,4\n", EFORMAT, 1, 3,
     msg="duplicate column name", note="first duplicate found is y at column 3")
case("header", "duplicate_names_quoted.csv", b"id,\"id\"\n1,2\n", EFORMAT, 1, 2,
     msg="duplicate column name", note="quoting does not make a name different")
case("header", "empty_name_middle.csv", b"a,,c\n1,2,3\n", EFORMAT, 1, 2, msg="empty column name")
case("header", "empty_name_last.csv", b"a,b,\n1,2,3\n", EFORMAT, 1, 3, msg="empty column name",
     note="trailing comma in the header")
case("header", "empty_name_quoted.csv", b"\"\",b\n1,2\n", EFORMAT, 1, 1, msg="empty column name")
case("header", "empty_name_spaces.csv", b"a,   ,c\n1,2,3\n", EFORMAT, 1, 2, msg="empty column name",
     note="only spaces: empty after trimming")

# ---------------------------------------------------------------- gzip
GZ_PAYLOAD = b"id,x,label\n" + b"".join(b"%d,%d.%d,%s\n" % (i, i * 7 % 13, i % 10,
                                                             [b"cat", b"dog", b"bird"][i % 3])
                                         for i in range(200))
GZ = gz(GZ_PAYLOAD)


def flip(data, offset, mask=0xFF):
    b = bytearray(data)
    b[offset] ^= mask
    return bytes(b)


case("gzip", "valid.csv.gz", GZ, OK, note="200 rows, gzip level 9, mtime 0")
case("gzip", "gzip_named_csv.csv", GZ, OK, note="gzip content, .csv name: detected by magic")
case("gzip", "plain_named_gz.csv.gz", GZ_PAYLOAD, OK, note="plain CSV, .gz name")
case("gzip", "gzip_multi_member.csv.gz", gz(GZ_PAYLOAD[:11 + 20 * 14]) + gz(GZ_PAYLOAD[11 + 20 * 14:]),
     OK, note="two concatenated gzip members (RFC 1952; gzip -d and Python read both)")
case("gzip", "gzip_truncated.csv.gz", GZ[:len(GZ) // 2], ECORRUPT, 0, 0, msg="gzip",
     note="first half of valid.csv.gz")
case("gzip", "gzip_truncated_trailer.csv.gz", GZ[:-4], ECORRUPT, 0, 0, msg="gzip",
     note="ISIZE field missing: all data present, trailer cut")
case("gzip", "gzip_magic_only.csv.gz", b"\x1f\x8b", ECORRUPT, 0, 0, msg="gzip")
case("gzip", "gzip_bad_crc.csv.gz", flip(GZ, len(GZ) - 8), ECORRUPT, 0, 0, msg="gzip",
     note="one byte of the CRC32 trailer flipped; data decompresses fine")
case("gzip", "gzip_bad_isize.csv.gz", flip(GZ, len(GZ) - 1, 0x01), ECORRUPT, 0, 0, msg="gzip",
     note="ISIZE trailer off by 2^24")
# Bits 1-2 of the first deflate byte are BTYPE; XOR-ing them to 11 (reserved) makes
# inflate fail at once ("invalid block type") before it produces any output, so a
# streaming reader cannot see corrupted text (and report EFORMAT) first.
GZ_BAD_BLOCK = flip(GZ, 10, (GZ[10] & 0x06) ^ 0x06)
case("gzip", "gzip_flipped_data_byte.csv.gz", GZ_BAD_BLOCK, ECORRUPT, 0, 0, msg="gzip",
     note="first deflate byte: block type set to the reserved 11; fails before any output")
case("gzip", "gzip_bad_method.csv.gz", flip(GZ, 2, 0x01), ECORRUPT, 0, 0, msg="gzip",
     note="compression method 9 instead of 8 (deflate)")
case("gzip", "gzip_empty_payload.csv.gz", gz(b""), EFORMAT, 0, 0, msg="no header",
     note="valid gzip of an empty file")

# ---------------------------------------------------------------- valid format variants
case("format", "crlf.csv", b"a,b,c\r\n1,2,3\r\n4,5,6\r\n", OK)
case("format", "crlf_mixed.csv", b"a,b\r\n1,2\n3,4\r\n5,6\n", OK, note="LF and CRLF mixed")
case("format", "bom.csv", b"\xef\xbb\xbfa,b\n1,2\n", OK, options="type.a=numeric",
     note="BOM must be stripped, or type.a finds no column 'a'")
case("format", "no_final_newline.csv", b"a,b\n1,2\n3,4", OK)
case("format", "blank_lines_end.csv", b"a,b\n1,2\n3,4\n\n\n\n", OK)
case("format", "blank_lines_middle.csv", b"a,b\n1,2\n\n3,4\r\n\r\n5,6\n", OK)
case("format", "blank_lines_start.csv", b"\n\na,b\n1,2\n", OK,
     note="blank lines before the header are skipped (the header is then physical line 3)")
case("format", "missing_tokens.csv", b"x,s\n1.5,a\nNA,NA\n N/A ,b\nNaN,\nnull,c\n,null\n  2 ,d\n", OK,
     options="type.x=numeric", note="default missing tokens, with surrounding spaces trimmed")
case("format", "missing_custom.csv", b"x,y\n1,?\n-,2\n3,4\n", OK,
     options="missing=?,-;type.x=numeric;type.y=numeric", note="custom missing tokens")
case("format", "tab_delimited.tsv", b"a\tb c\td\n1\tx y\t2\n3\t\"p\tq\"\t4\n", OK,
     options="delimiter=tab", note="spaces inside fields, quoted tab")
case("format", "pipe_delimited.csv", b"a|b\n1,5|x\n2|y\n", OK, options="delimiter=|",
     note="commas are data when the delimiter is |")
case("format", "no_header.csv", b"1,2\n3,4\n", OK, options="header=false")
case("format", "type_categorical.csv", b"id,x\n1,2\n2,3\n", OK, options="type.id=categorical")

# ---------------------------------------------------------------- types and options
case("type", "not_a_number.csv", b"id,x\n1,2.5\n2,abc\n3,4\n", EFORMAT, 3, 2,
     options="type.x=numeric", msg="is not a number")
case("type", "not_a_number_decimal_comma.csv", b"a|b\n1.5|2\n1,5|3\n", EFORMAT, 3, 1,
     options="delimiter=|;type.a=numeric", msg="is not a number", note="European decimal comma")
case("type", "not_a_number_inner_space.csv", b"id,x\n1,2\n2,3 4\n", EFORMAT, 3, 2,
     options="type.x=numeric", msg="is not a number", note="inner space is not trimmed")
case("type", "not_a_number_deep.csv", b"id,x\n" + b"".join(b"%d,%d.25\n" % (i, i) for i in range(1, 250))
     + b"250,1.2.3\n", EFORMAT, 251, 2, options="type.x=numeric", msg="is not a number")
case("type", "unknown_type_column.csv", b"id,x\n1,2\n", EINVAL, 0, 0, options="type.nope=numeric",
     msg="no column")
case("type", "unknown_type_column_case.csv", b"id,X\n1,2\n", EINVAL, 0, 0, options="type.x=numeric",
     msg="no column", note="column names are case-sensitive")


# ================================================================= model of the rules

MISSING_DEFAULT = ["", "NA", "N/A", "NaN", "null"]
NUM_RE = re.compile(rb"^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)$", re.I)


class Fail(Exception):
    def __init__(self, code, line=0, col=0, msg="-"):
        super().__init__(code, line, col, msg)
        self.r = (code, line, col, msg)


def parse_options(s):
    o = dict(delimiter=b",", header=True, missing=MISSING_DEFAULT, bad_rows="fail",
             types={}, max_field_bytes=16 << 20, quote=b'"')
    if s == "-":
        return o
    for kv in s.split(";"):
        k, v = kv.split("=", 1)
        if k == "delimiter":
            o["delimiter"] = b"\t" if v == "tab" else v.encode()
        elif k == "header":
            o["header"] = {"true": True, "false": False}[v]
        elif k == "missing":
            o["missing"] = v.split(",")
        elif k == "bad_rows":
            assert v in ("fail", "skip")
            o["bad_rows"] = v
        elif k.startswith("type."):
            assert v in ("numeric", "categorical")
            o["types"][k[5:]] = v
        elif k == "max_field_bytes":
            o["max_field_bytes"] = int(v)
        elif k == "quote":
            o["quote"] = None if v == "none" else v.encode()
        else:
            raise AssertionError("unknown option " + k)
        assert o["delimiter"] is None or len(o["delimiter"]) == 1
    return o


def check_field(raw, line, col, opt):
    """Field-level faults, first offending byte wins."""
    if len(raw) > opt["max_field_bytes"]:
        raise Fail(ERANGE, line, col, "longer than")
    for i, b in enumerate(raw):
        if b == 0:
            nul = i
            break
    else:
        nul = None
    try:
        raw.decode("utf-8")
        bad = None
    except UnicodeDecodeError as e:
        bad = e.start
    if nul is not None and (bad is None or nul < bad):
        raise Fail(EFORMAT, line, col, "NUL byte")
    if bad is not None:
        raise Fail(EFORMAT, line, col, "invalid UTF-8")


def records(data, opt):
    """Yield (start_line, [(line, col, bytes)]) for each non-blank record."""
    d, q = opt["delimiter"][0], (opt["quote"][0] if opt["quote"] else None)
    i, n, line = 0, len(data), 1
    while i < n:
        rec_line, fields = line, []
        # blank line?
        if data[i] == 0x0A:
            i, line = i + 1, line + 1
            continue
        if data[i:i + 2] == b"\r\n":
            i, line = i + 2, line + 1
            continue
        while True:
            col, fline, buf = len(fields) + 1, line, bytearray()
            if q is not None and i < n and data[i] == q:
                i += 1
                while True:
                    if i >= n:
                        raise Fail(EFORMAT, fline, col, "unterminated quote")
                    c = data[i]
                    if c == q:
                        if i + 1 < n and data[i + 1] == q:
                            buf.append(q)
                            i += 2
                            continue
                        i += 1
                        break
                    if c == 0x0A:
                        line += 1
                    buf.append(c)
                    i += 1
                if not (i >= n or data[i] in (d, 0x0A) or data[i:i + 2] == b"\r\n"):
                    raise Fail(EFORMAT, fline, col, "after closing quote")
            else:
                while i < n and data[i] != d and data[i] != 0x0A and data[i:i + 2] != b"\r\n":
                    buf.append(data[i])
                    i += 1
            check_field(bytes(buf), fline, col, opt)
            fields.append((fline, col, bytes(buf)))
            if i < n and data[i] == d:
                i += 1
                continue
            if i < n and data[i] == 0x0A:
                i, line = i + 1, line + 1
            elif data[i:i + 2] == b"\r\n":
                i, line = i + 2, line + 1
            break
        yield rec_line, fields


def simulate(data, options):
    try:
        opt = parse_options(options)
        if data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except Exception:
                raise Fail(ECORRUPT, 0, 0, "gzip")
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        if data.strip(b" \t\r\n") == b"":
            raise Fail(EFORMAT, 0, 0, "no header")
        it = records(data, opt)
        first = next(it)
        ncols = len(first[1])
        if opt["header"]:
            names = []
            for fline, col, raw in first[1]:
                name = raw.strip(b" ")
                if name == b"":
                    raise Fail(EFORMAT, fline, col, "empty column name")
                if name in names:
                    raise Fail(EFORMAT, fline, col, "duplicate column name")
                names.append(name)
            for t in opt["types"]:
                if t.encode() not in names:
                    raise Fail(EINVAL, 0, 0, "no column")
            body = it
        else:
            names = [b"%d" % k for k in range(ncols)]
            body = iter([first] + list(it))
        numeric = {names.index(t.encode()) for t, v in opt["types"].items() if v == "numeric"}
        for rec_line, fields in body:
            if len(fields) != ncols:
                if opt["bad_rows"] == "skip":
                    continue
                col = ncols + 1 if len(fields) > ncols else len(fields) + 1
                raise Fail(EFORMAT, rec_line, col, "expected %d fields" % ncols)
            for fline, col, raw in fields:
                v = raw.strip(b" ")
                if col - 1 in numeric and v.decode() not in opt["missing"] and not NUM_RE.match(v):
                    raise Fail(EFORMAT, fline, col, "is not a number")
        return (OK, 0, 0, "-")
    except Fail as f:
        return f.r


def first_field_fault_kinds(data):
    """Which fault kinds the first header field of garbage contains."""
    end = min([k for k in (data.find(b","), data.find(b"\n")) if k >= 0] or [len(data)])
    f = data[:end]
    kinds = set()
    if b"\x00" in f:
        kinds.add("NUL")
    try:
        f.decode("utf-8")
    except UnicodeDecodeError:
        kinds.add("UTF8")
    return f, kinds


# ================================================================= output

def pandas_report():
    import pandas as pd
    import warnings
    warnings.simplefilter("ignore")
    for c in CASES:
        path = os.path.join(OUT, c["name"])
        kw = {}
        for kv in ([] if c["options"] == "-" else c["options"].split(";")):
            k, v = kv.split("=", 1)
            if k == "delimiter":
                kw["sep"] = "\t" if v == "tab" else v
            elif k == "header" and v == "false":
                kw["header"] = None
            elif k == "quote":
                kw["quoting" if v == "none" else "quotechar"] = 3 if v == "none" else v
        try:
            df = pd.read_csv(path, compression="infer" if c["name"].endswith(".gz") else None, **kw)
            res = "reads %dx%d" % df.shape
        except Exception as e:
            res = "%s: %s" % (type(e).__name__, str(e).splitlines()[0][:70] if str(e) else "")
        print("%-36s %-14s pandas %s" % (c["name"], c["code"], res))


def main():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case name"
    # The random garbage must give one unambiguous answer (see GARBAGE_SEED).
    f, kinds = first_field_fault_kinds(garbage_random())
    assert kinds == {"UTF8"} and not f.startswith(b'"') and f[:2] != b"\x1f\x8b", kinds
    # The flipped deflate byte must fail before producing any output, fed byte by byte.
    assert GZ[10] & 0x06 != 0x06
    dec, out = zlib.decompressobj(31), b""
    try:
        for k in range(len(GZ_BAD_BLOCK)):
            out += dec.decompress(GZ_BAD_BLOCK[k:k + 1])
        raise AssertionError("flipped gzip decompressed")
    except zlib.error:
        assert out == b"", out
    bad = 0
    for c in CASES:
        want = (c["code"], c["line"], c["col"], c["msg"])
        got = simulate(c["data"], c["options"])
        if got[:3] != want[:3] or (want[3] != "-" and want[3] != got[3]):
            print("MISMATCH %s: manifest %s, model %s" % (c["name"], want, got))
            bad += 1
    if bad:
        sys.exit("%d cases disagree with the rule model; nothing written" % bad)
    os.makedirs(OUT, exist_ok=True)
    for c in CASES:
        with open(os.path.join(OUT, c["name"]), "wb") as fh:
            fh.write(c["data"])
    with open(os.path.join(OUT, "MANIFEST.tsv"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write("file\tcode\tline\tcolumn\toptions\tmessage_contains\n")
        for c in CASES:
            fh.write("%s\t%s\t%d\t%d\t%s\t%s\n" % (c["name"], c["code"], c["line"], c["col"],
                                                  c["options"], c["msg"]))
    counts = {}
    for c in CASES:
        counts[c["category"]] = counts.get(c["category"], 0) + 1
    print("%d cases written to %s" % (len(CASES), os.path.relpath(OUT)))
    for k, v in counts.items():
        print("  %-8s %d" % (k, v))
    if "--list" in sys.argv:
        for c in CASES:
            print("| %s | %s | %s | %s |" % (c["category"], c["name"], c["code"], c["note"]))
    if "--pandas" in sys.argv:
        pandas_report()


if __name__ == "__main__":
    main()
