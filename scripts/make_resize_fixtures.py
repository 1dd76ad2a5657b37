#!/usr/bin/env python3
"""Generate tests/fixtures/pil_resize.json: Pillow's Image.resize with every filter.

Run once (needs `pip install pillow numpy`); tests and CI only read the JSON. A random
23 × 17 RGB image (seeded) resized down and up with NEAREST (0), LANCZOS (1), BILINEAR (2),
BICUBIC (3), BOX (4) and HAMMING (5); pixels stored as flat RGB bytes.
"""
import json
import pathlib

import numpy as np
import PIL
from PIL import Image


def main():
    rng = np.random.default_rng(20261127)
    src = rng.integers(0, 256, (17, 23, 3), dtype=np.uint8)
    im = Image.fromarray(src)
    out = {"source": f"Pillow {PIL.__version__} (scripts/make_resize_fixtures.py)",
           "width": 23, "height": 17, "pixels": src.flatten().tolist(), "resized": []}
    for resample in range(6):
        for (w, h) in [(10, 7), (40, 30), (23, 9), (7, 40), (8, 8)]:
            r = np.asarray(im.resize((w, h), resample))
            out["resized"].append({"resample": resample, "width": w, "height": h,
                                   "pixels": r.flatten().tolist()})
    path = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pil_resize.json"
    path.write_text(json.dumps(out, separators=(",", ":")))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
