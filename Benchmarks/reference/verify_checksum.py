#!/usr/bin/env python3
"""Independent check of simdjson_decode's counts and checksum, with Python's json and decimal.

Usage: python3 verify_checksum.py UNPACKED_RECORDING

Prints the same lines (lines, levels, level_price_sum, level_size_sum, checksum) as
simdjson_decode, by the definition in simdjson_decode.cpp's header comment: all sums modulo 2^64,
fixed point in units of 1e-8, parsed with decimal.Decimal (exact), never floats.
"""
import json
import sys
from decimal import Decimal

MASK = (1 << 64) - 1
SCALE = Decimal(100_000_000)


def fixed(text):
    value = Decimal(text) * SCALE
    assert value == value.to_integral_value(), f"{text!r} has more than 8 decimal places"
    return int(value)


def main(path):
    lines = levels = price_sum = size_sum = other = 0
    with open(path, "rb") as f:
        for raw in f:
            raw = raw.rstrip(b"\r\n")
            if not raw:
                continue
            lines += 1
            prefix, frame = raw.split(b" ", 1)
            other += int(prefix)
            # parse_int keeps integer fields exact (json does so anyway); parse_float=Decimal keeps
            # any non-integer number exact too.
            obj = json.loads(frame, parse_float=Decimal)
            if "lastUpdateId" in obj and "e" not in obj:  # REST depth snapshot
                other += obj["lastUpdateId"]
                if "E" in obj:
                    other += obj["E"]
                for key in ("bids", "asks"):
                    for price, size in obj.get(key, []):
                        levels += 1
                        price_sum += fixed(price)
                        size_sum += fixed(size)
                continue
            stream = obj.get("stream", "")
            data = obj.get("data", obj)
            if stream.endswith("@bookTicker") or data.get("e") == "bookTicker":
                continue  # validated only, nothing read
            kind = data.get("e")
            for key in ("E", "U", "u", "pu"):
                if key in data:
                    other += data[key]
            if kind == "depthUpdate":
                for key in ("b", "a"):
                    for price, size in data.get(key, []):
                        levels += 1
                        price_sum += fixed(price)
                        size_sum += fixed(size)
            elif kind in ("trade", "aggTrade"):
                other += fixed(data["p"]) + fixed(data["q"])
            elif kind == "markPriceUpdate":
                other += fixed(data["p"])
                for key in ("i", "r"):
                    if key in data:
                        other += fixed(data[key])
                if "T" in data:
                    other += data["T"]
            elif kind == "forceOrder":
                order = data["o"]
                for key in ("q", "p", "ap"):
                    if key in order:
                        other += fixed(order[key])
    checksum = (price_sum + size_sum + other) & MASK
    print(f"lines: {lines}")
    print(f"levels: {levels}")
    print(f"level_price_sum: {price_sum & MASK}")
    print(f"level_size_sum: {size_sum & MASK}")
    print(f"checksum: {checksum}")


if __name__ == "__main__":
    main(sys.argv[1])
