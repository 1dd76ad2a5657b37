#!/usr/bin/env python3
"""Fixtures for the GGUF reader and ggml's types (tests/fixtures/gguf/), made once and
committed so tests never need Python.

    pip install gguf==0.19.0 numpy        # gguf-py: GGUFWriter, quants.dequantize
    pip install llama-cpp-python==0.3.36  # optional: ggml's own quantizer through ctypes
    python3 scripts/make_gguf_fixtures.py

Writes:
- dequant.gguf: one tensor per decodable ggml type (named after the type), written by gguf-py's
  GGUFWriter: blocks of random bytes with sane scales (every code of every field occurs), and,
  where llama-cpp-python is installed, blocks ggml_quantize_chunk made from real-looking
  weights (`<TYPE>.ggml`);
- dequant_expected.safetensors: each tensor decoded to F32 by gguf-py's
  gguf.quants.dequantize (which matches ggml's dequantize_row_*);
- dequant_reader.json: what gguf-py's GGUFReader reads of dequant.gguf (version, metadata,
  each tensor's type, row-major shape, bytes and data offset), for `quantscope inspect`;
- quant_input.safetensors + quant_expected.gguf (needs llama-cpp-python): 8 rows of 512
  weight-like values (normal, outliers, tiny, a zero block, ties, uniform, Laplace) and
  ggml_quantize_chunk's blocks of them, without an importance matrix, in each of the 15 types
  quantscope quantizes into;
- metadata.gguf + metadata_reader.json: every metadata value type (scalars, strings, arrays,
  a 40-entry string array as a tokenizer has), general.alignment 64, and what GGUFReader
  reads of it.
"""
import json
import ctypes
import glob
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf.quants import dequantize, GGML_QUANT_SIZES

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "gguf")

# Byte offsets of the fp16 scales inside each block (so random blocks decode to sane values).
HALF_AT = {
    T.Q4_0: [0], T.Q4_1: [0, 2], T.Q5_0: [0], T.Q5_1: [0, 2], T.Q8_0: [0],
    T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
    T.IQ2_XXS: [0], T.IQ2_XS: [0], T.IQ3_XXS: [0], T.IQ1_S: [0], T.IQ4_NL: [0],
    T.IQ3_S: [0], T.IQ2_S: [0], T.IQ4_XS: [0], T.TQ1_0: [52], T.TQ2_0: [64],
}
QUANTIZED = list(HALF_AT) + [T.IQ1_M, T.MXFP4, T.NVFP4]
PLAIN = [T.F32, T.F16, T.BF16, T.F64, T.I8, T.I16, T.I32, T.I64]
GGML_QUANTIZABLE = [
    T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0, T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K,
    T.IQ2_XXS, T.IQ2_XS, T.IQ2_S, T.IQ3_XXS, T.IQ3_S, T.IQ1_S, T.IQ1_M, T.IQ4_NL, T.IQ4_XS,
    T.TQ1_0, T.TQ2_0, T.MXFP4,
]


def random_blocks(rng, t, n_blocks):
    bs, ts = GGML_QUANT_SIZES[t]
    b = rng.integers(0, 256, size=(n_blocks, ts), dtype=np.uint8)
    for at in HALF_AT.get(t, []):
        h = rng.uniform(0.001, 0.1, size=n_blocks).astype(np.float16).view(np.uint8).reshape(n_blocks, 2)
        b[:, at:at + 2] = h
    if t == T.IQ1_M:
        # The fp16 super-scale is the top nibbles of the four scale words: 0x2e66 ≈ 0.1.
        for byte, nib in [(49, 0x6), (51, 0x6), (53, 0xE), (55, 0x2)]:
            b[:, byte] = (b[:, byte] & 0x0F) | (nib << 4)
    return b


def plain(rng, t, n):
    if t == T.F32:
        return rng.standard_normal(n).astype(np.float32).view(np.uint8)
    if t == T.F16:
        return rng.integers(0, 1 << 16, size=n, dtype=np.uint16).view(np.uint8)
    if t == T.BF16:
        return rng.integers(0, 1 << 16, size=n, dtype=np.uint16).view(np.uint8)
    if t == T.F64:
        return (rng.standard_normal(n) * 1e3).view(np.uint8)
    dt = {T.I8: np.int8, T.I16: np.int16, T.I32: np.int32, T.I64: np.int64}[t]
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max, size=n, dtype=dt, endpoint=True).view(np.uint8)


def decode_plain(raw, t):
    dt = {T.F32: np.float32, T.F16: np.float16, T.F64: np.float64, T.I8: np.int8,
          T.I16: np.int16, T.I32: np.int32, T.I64: np.int64}.get(t)
    if t == T.BF16:
        return (raw.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
    return raw.view(dt).astype(np.float32)


def weights(rng, rows, cols):
    """Weight-like values: normal, a few outliers, one row of tiny values and a zero block."""
    w = rng.standard_normal((rows, cols)).astype(np.float32) * 0.02
    w[0, ::97] *= 40.0
    w[1] *= 1e-4
    w[2, :256] = 0.0
    return w


def ggml_lib():
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        return None
    base = os.path.dirname(sys.modules["llama_cpp"].__file__)
    paths = glob.glob(os.path.join(base, "lib", "libggml-base.so*"))
    if not paths:
        return None
    lib = ctypes.CDLL(paths[0])
    lib.ggml_quantize_chunk.restype = ctypes.c_size_t
    lib.ggml_quantize_chunk.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                        ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
                                        ctypes.c_void_p]
    lib.ggml_row_size.restype = ctypes.c_size_t
    lib.ggml_row_size.argtypes = [ctypes.c_int, ctypes.c_int64]
    lib.ggml_quantize_requires_imatrix.restype = ctypes.c_bool
    lib.ggml_quantize_requires_imatrix.argtypes = [ctypes.c_int]
    lib.ggml_quantize_init.argtypes = [ctypes.c_int]
    return lib


def ggml_quantize(lib, t, x, imatrix=None):
    """ggml_quantize_chunk on a 2-D f32 array (imatrix: None, or one weight per column)."""
    rows, cols = x.shape
    lib.ggml_quantize_init(int(t))
    row = lib.ggml_row_size(int(t), cols)
    out = np.zeros(rows * row, dtype=np.uint8)
    x = np.ascontiguousarray(x, dtype=np.float32)
    im = None if imatrix is None else np.ascontiguousarray(imatrix, dtype=np.float32)
    n = lib.ggml_quantize_chunk(int(t), x.ctypes.data, out.ctypes.data, 0, rows, cols,
                                None if im is None else im.ctypes.data)
    assert n == out.size, (t, n, out.size)
    return out.reshape(rows, row)


def reader_json(path):
    reader = gguf.GGUFReader(path)
    meta = {}
    for f in reader.fields.values():
        if f.name.startswith("GGUF."):
            continue
        v = f.contents()
        meta[f.name] = v
    return {
        "version": int(reader.fields["GGUF.version"].contents()),
        "metadata": meta,
        "tensors": [{
            "name": t.name,
            "dtype": t.tensor_type.name,
            "shape": [int(d) for d in reversed(t.shape)],
            "bytes": int(t.n_bytes),
            "offset": int(t.data_offset),
        } for t in reader.tensors],
    }


def metadata_file(rng):
    path = os.path.join(OUT, "metadata.gguf")
    w = gguf.GGUFWriter(path, "llama")
    w.add_uint32("general.alignment", 64)
    w.add_string("general.name", "tiny — ünïcode ✓")
    w.add_uint32("general.file_type", 15)  # MOSTLY_Q4_K_M
    w.add_uint8("test.u8", 200)
    w.add_int8("test.i8", -100)
    w.add_uint16("test.u16", 60000)
    w.add_int16("test.i16", -30000)
    w.add_uint32("llama.context_length", 4096)
    w.add_int32("test.i32", -2_000_000_000)
    w.add_float32("llama.rope.freq_base", 500000.0)
    w.add_bool("test.bool", True)
    w.add_uint64("test.u64", 1 << 40)
    w.add_int64("test.i64", -(1 << 40))
    w.add_float64("test.f64", 0.1)
    w.add_array("test.short_ints", [1, -2, 3])
    w.add_array("tokenizer.ggml.tokens", [f"tok{i}" for i in range(40)])
    w.add_array("tokenizer.ggml.scores", [float(i) / 4 for i in range(20)])
    x = rng.standard_normal((2, 64)).astype(np.float32)
    w.add_tensor("token_embd.weight", x)
    w.add_tensor("blk.0.attn_q.weight", gguf.quants.quantize(x, T.Q8_0), raw_shape=None, raw_dtype=T.Q8_0)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    with open(os.path.join(OUT, "metadata_reader.json"), "w") as fh:
        json.dump(reader_json(path), fh, indent=1, ensure_ascii=False)


def ggml_dequantize(lib, t, blocks, n):
    """ggml's own dequantize_row_<type> on the blocks (to check gguf-py against it)."""
    f = getattr(lib, "dequantize_row_" + t.name.lower().replace("_k", "_K"), None)
    if f is None:
        return None
    f.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    out = np.zeros(n, dtype=np.float32)
    b = np.ascontiguousarray(blocks)
    f(b.ctypes.data, out.ctypes.data, n)
    return out


QUANTIZE_INTO = [T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0, T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K,
                 T.Q6_K, T.IQ4_NL, T.IQ4_XS, T.TQ1_0, T.TQ2_0, T.MXFP4]


def quant_fixtures(lib, rng):
    x = np.zeros((8, 512), dtype=np.float32)
    x[0] = rng.standard_normal(512) * 0.02
    x[1] = rng.standard_normal(512) * 0.02
    x[1, ::37] *= 30.0                           # outliers
    x[2] = rng.standard_normal(512) * 1e-6       # tiny
    x[3, :256] = 0.0                             # a zero super-block
    x[3, 256:] = rng.standard_normal(256)
    x[4] = (rng.integers(-8, 8, 512) * 0.25).astype(np.float32)   # on a grid: ties
    x[5] = rng.uniform(-1, 1, 512)
    x[6] = rng.laplace(0, 0.05, 512)
    x[7] = rng.standard_normal(512) * 3.0
    x[7, 5] = -40.0
    from safetensors.numpy import save_file
    save_file({"x": x}, os.path.join(OUT, "quant_input.safetensors"))
    w = gguf.GGUFWriter(os.path.join(OUT, "quant_expected.gguf"), "quantscope-fixture")
    for t in QUANTIZE_INTO:
        q = ggml_quantize(lib, t, x)
        w.add_tensor(t.name, q, raw_shape=q.shape, raw_dtype=t)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(24)
    writer = gguf.GGUFWriter(os.path.join(OUT, "dequant.gguf"), "quantscope-fixture")
    expected = {}
    raws = {}
    for t in PLAIN:
        raw = plain(rng, t, 64).reshape(2, -1)
        writer.add_tensor(t.name, raw, raw_shape=raw.shape, raw_dtype=t)
        expected[t.name] = decode_plain(raw.reshape(-1), t).reshape(2, 32)
    for t in QUANTIZED:
        bs, ts = GGML_QUANT_SIZES[t]
        per_row = max(1, 512 // bs)
        blocks = random_blocks(rng, t, 3 * per_row).reshape(3, per_row * ts)
        writer.add_tensor(t.name, blocks, raw_shape=blocks.shape, raw_dtype=t)
        expected[t.name] = dequantize(blocks, t).reshape(3, per_row * bs)
        raws[t.name] = blocks
    lib = ggml_lib()
    if lib is None:
        print("llama-cpp-python not installed: no ggml-quantized blocks", file=sys.stderr)
    else:
        w = weights(rng, 4, 512)
        for t in GGML_QUANTIZABLE:
            im = np.ones(512, dtype=np.float32) if lib.ggml_quantize_requires_imatrix(int(t)) else None
            q = ggml_quantize(lib, t, w, im)
            writer.add_tensor(t.name + ".ggml", q, raw_shape=q.shape, raw_dtype=t)
            expected[t.name + ".ggml"] = dequantize(q, t).reshape(4, 512)
            raws[t.name + ".ggml"] = q
    if lib is not None:
        # gguf-py's dequantize is ggml's, bit for bit, on every quantized tensor here.
        for name, values in expected.items():
            t = T[name.split(".")[0]]
            if t in PLAIN:
                continue
            blocks = raws[name]
            theirs = ggml_dequantize(lib, t, blocks, values.size)
            if theirs is not None:
                same = (theirs.view(np.uint32) == values.reshape(-1).view(np.uint32)) | (np.isnan(theirs) & np.isnan(values.reshape(-1)))
                assert same.all(), f"gguf-py and ggml differ on {name}"
        print("gguf-py's dequantize equals ggml's dequantize_row_* on every quantized tensor", file=sys.stderr)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    from safetensors.numpy import save_file
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in expected.items()},
              os.path.join(OUT, "dequant_expected.safetensors"))
    with open(os.path.join(OUT, "dequant_reader.json"), "w") as fh:
        json.dump(reader_json(os.path.join(OUT, "dequant.gguf")), fh, indent=1)
    metadata_file(rng)
    if lib is not None:
        quant_fixtures(lib, rng)
    print(f"wrote {len(expected)} tensors to {OUT}")


if __name__ == "__main__":
    main()
