#!/usr/bin/env python3
"""Writes small .gz edge cases for check.sh into DIR, from the unpacked recording SOURCE.

Usage: python3 make_test_files.py SOURCE DIR

Each good file's expected output is written beside it as NAME.expected (CRC-32 in hex and size).
"""
import gzip
import os
import struct
import sys
import zlib


def member(data, level=6, name=None, comment=None, extra=None, hcrc=False):
    """One gzip member, with the optional header fields set (FEXTRA, FNAME, FCOMMENT, FHCRC)."""
    flags = (4 if extra is not None else 0) | (8 if name else 0) | (16 if comment else 0) | (2 if hcrc else 0)
    header = bytearray(b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", 0) + b"\x00\xff")
    if extra is not None:
        header += struct.pack("<H", len(extra)) + extra
    if name:
        header += name + b"\x00"
    if comment:
        header += comment + b"\x00"
    if hcrc:
        header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    body = compressor.compress(data) + compressor.flush()
    return bytes(header) + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def main(source, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    text = open(source, "rb").read()
    third = len(text) // 3
    parts = [text[:third], text[third:2 * third], text[2 * third:]]
    good = {}
    # Three members, as `cat a.gz b.gz c.gz` makes, with header fields isal/zlib must skip.
    good["multi_member"] = (
        member(parts[0], name=b"a.txt")
        + member(parts[1], extra=b"XY\x02\x00hi", comment=b"second", hcrc=True)
        + member(parts[2], level=1),
        text,
    )
    # An empty member in the middle.
    good["empty_member"] = (member(parts[0]) + member(b"") + member(parts[1]), parts[0] + parts[1])
    # A first member whose end falls exactly on the readers' 256 KiB input boundary (stored
    # blocks, so its size can be chosen), then a second member.
    target = 1 << 18
    size = target - 18
    for _ in range(100):
        first = member(text[:size], level=0)
        if len(first) == target:
            break
        size += target - len(first)
    else:
        sys.exit("could not size the boundary member")
    good["member_at_chunk_boundary"] = (first + member(parts[1]), text[:size] + parts[1])
    for name, (blob, expected) in good.items():
        open(os.path.join(out_dir, name + ".gz"), "wb").write(blob)
        open(os.path.join(out_dir, name + ".expected"), "w").write(
            "%08x %d\n" % (zlib.crc32(expected), len(expected)))
    single = gzip.compress(parts[0], mtime=0)
    # Bad: CRC-32 in the trailer flipped; ISIZE wrong; truncated; junk after the last member.
    bad_crc = bytearray(single)
    bad_crc[-8] ^= 0x01
    bad_size = bytearray(single)
    bad_size[-4] ^= 0x01
    bad = {
        "bad_crc": bytes(bad_crc),
        "bad_isize": bytes(bad_size),
        "truncated": single[:-100],
        "trailing_junk": single + b"not gzip\n",
    }
    for name, blob in bad.items():
        open(os.path.join(out_dir, name + ".gz"), "wb").write(blob)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
