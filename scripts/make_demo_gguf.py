#!/usr/bin/env python3
"""A small llama-shaped GGUF in a Q4_K_M-like mix of ggml types (random weights, quantized
by ggml's own ggml_quantize_chunk through llama-cpp-python), for screenshots and trying the
Model panel: python3 scripts/make_demo_gguf.py [OUT.gguf] (default /tmp/quantscope-demo.gguf).
Needs gguf==0.19.0, numpy and llama-cpp-python (see scripts/make_gguf_fixtures.py)."""
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T

sys.path.insert(0, os.path.dirname(__file__))
from make_gguf_fixtures import ggml_lib, ggml_quantize  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/quantscope-demo.gguf"
lib = ggml_lib()
if lib is None:
    sys.exit("llama-cpp-python is needed (pip install llama-cpp-python==0.3.36)")
rng = np.random.default_rng(7)
d, ff, layers, vocab = 512, 1536, 4, 2048
w = gguf.GGUFWriter(out, "llama")
w.add_name("quantscope demo (random weights)")
w.add_file_type(15)  # MOSTLY_Q4_K_M
w.add_context_length(2048)
w.add_embedding_length(d)
w.add_block_count(layers)
w.add_feed_forward_length(ff)
w.add_head_count(8)
w.add_head_count_kv(2)
w.add_rope_freq_base(10000.0)
w.add_layer_norm_rms_eps(1e-5)
w.add_tokenizer_model("llama")
w.add_token_list([f"tok{i}" for i in range(vocab)])
w.add_token_scores([0.0] * vocab)


def put(name, shape, t, scale=0.02, outliers=False):
    x = (rng.standard_normal(shape) * scale).astype(np.float32)
    if outliers:
        x[:, ::61] *= 25.0
    if t == T.F32:
        w.add_tensor(name, x)
        return
    q = ggml_quantize(lib, t, x.reshape(-1, shape[-1]))
    w.add_tensor(name, q, raw_shape=q.shape, raw_dtype=t)


put("token_embd.weight", (vocab, d), T.Q6_K)
for i in range(layers):
    put(f"blk.{i}.attn_norm.weight", (1, d), T.F32, 1.0)
    put(f"blk.{i}.attn_q.weight", (d, d), T.Q4_K)
    put(f"blk.{i}.attn_k.weight", (d // 4, d), T.Q4_K)
    put(f"blk.{i}.attn_v.weight", (d // 4, d), T.Q6_K if i % 2 == 0 else T.Q4_K)
    put(f"blk.{i}.attn_output.weight", (d, d), T.Q4_K)
    put(f"blk.{i}.ffn_norm.weight", (1, d), T.F32, 1.0)
    put(f"blk.{i}.ffn_gate.weight", (ff, d), T.Q4_K, outliers=(i == 1))
    put(f"blk.{i}.ffn_up.weight", (ff, d), T.Q4_K)
    put(f"blk.{i}.ffn_down.weight", (d, ff), T.Q6_K if i % 2 == 0 else T.IQ4_XS)
put("output_norm.weight", (1, d), T.F32, 1.0)
put("output.weight", (vocab, d), T.Q6_K)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
print(f"wrote {out} ({os.path.getsize(out)} bytes)")
