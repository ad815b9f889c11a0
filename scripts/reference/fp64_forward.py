#!/usr/bin/env python3
"""Float64 reference forward pass over the quantized weights of a GGUF model.

This is Hearth's ground truth for logits. Every weight is dequantized once with
the `gguf` package (exactly the values ggml's own dequantization produces) and
converted to float64; everything after that (norms, RoPE, attention, FFN, the
output projection) runs in float64 with no activation quantization, no f16 KV
cache and no lookup tables. What is left is the model as the file defines it.

Architectures (`general.architecture`), following llama.cpp's graphs in
src/models/{llama,qwen2,qwen3,gemma3}.cpp:
  llama   RMSNorm, RoPE "norm" mode (adjacent pairs), GQA, SwiGLU,
          output = token_embd when output.weight is absent; Llama 3.1's
          `rope_freqs.weight` (one divisor per rotated pair) when present.
  qwen2   as llama plus Q/K/V biases, NeoX RoPE (rotated halves).
  qwen3   as qwen2 without the biases, plus per-head RMSNorm on Q and K
          (attn_q_norm, attn_k_norm) before RoPE; head size key_length.
  gemma3  embeddings * sqrt(n_embd); RMSNorm weights already hold Gemma's +1;
          per-head RMSNorm on Q and K; post-attention and post-FFN norms on the
          branch output before the residual add; gated GELU (tanh form);
          NeoX RoPE; sliding-window layers (every layer except each
          `pattern`-th) use `rope.freq_base_swa` (default 10,000) and see only
          the last `sliding_window` positions; Q is scaled by
          1/sqrt(key_length) (query_pre_attn_scalar) before Q.K.

Sliding-window convention (llama.cpp `llama_hparams::is_masked_swa`, standard
type): key position p0 is masked for query position p1 when p1 - p0 >= W, so a
query at p sees keys p-W+1 .. p: exactly W positions, itself included.

Usage as a library:
    model = ReferenceModel.load(path)
    logits = model.forward(tokens, logit_positions=range(len(tokens)))

Usage from the shell (greedy continuation, tokenized by llama.cpp if present):
    python3 fp64_forward.py MODEL.gguf "The capital of France is" --greedy 8
    python3 fp64_forward.py MODEL.gguf --tokens 504,3575,282,4649,314 --greedy 8
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, field

import numpy as np
import gguf
from gguf.quants import dequantize

ROPE_NORM = "norm"  # rotate adjacent pairs (x[2i], x[2i+1])
ROPE_NEOX = "neox"  # rotate halves (x[i], x[i + n_rot/2])

ROPE_MODE_BY_ARCH = {"llama": ROPE_NORM, "qwen2": ROPE_NEOX, "qwen3": ROPE_NEOX, "gemma3": ROPE_NEOX}

# Architectures whose llama.cpp graph applies per-layer Q/K RMSNorm before RoPE.
QK_NORM_ARCHS = {"qwen3", "gemma3"}

# Architectures whose llama.cpp graph passes `rope_freqs.weight` to ggml_rope_ext
# (model.get_rope_factors); the others pass nullptr and would not load the tensor.
ROPE_FREQS_ARCHS = {"llama"}

# llama.cpp's load_swa_pattern(ml, 6) for gemma3: used when the file has no
# `<arch>.attention.sliding_window_pattern` key.
DEFAULT_SWA_PATTERN = {"gemma3": 6}


@dataclass
class Config:
    arch: str
    n_vocab: int
    n_embd: int
    n_layer: int
    n_head: int
    n_head_kv: int
    head_dim_k: int
    head_dim_v: int
    n_rot: int
    n_ff: int
    rms_eps: float
    rope_mode: str
    rope_base: float
    rope_freq_scale: float
    rope_base_swa: float
    rope_freq_scale_swa: float
    sliding_window: int  # 0: none
    swa_layers: list[bool] = field(default_factory=list)
    attention_scale: float = 1.0
    final_logit_softcap: float = 0.0
    bos_token_id: int | None = None
    add_bos: bool = False

    def describe(self) -> str:
        swa = [i for i, s in enumerate(self.swa_layers) if not s] if self.sliding_window else "all"
        return (f"{self.arch}: vocab {self.n_vocab}, embd {self.n_embd}, layers {self.n_layer}, "
                f"heads {self.n_head}/{self.n_head_kv}, head_dim {self.head_dim_k}, rot {self.n_rot} "
                f"({self.rope_mode}), ff {self.n_ff}, eps {self.rms_eps:g}, rope base {self.rope_base:g} "
                f"scale {self.rope_freq_scale:g}, window {self.sliding_window} "
                f"(swa base {self.rope_base_swa:g}; full-attention layers {swa}), "
                f"attn scale {self.attention_scale:.6g}, softcap {self.final_logit_softcap:g}")


def _field(reader: gguf.GGUFReader, key: str, default=None):
    fld = reader.fields.get(key)
    if fld is None:
        return default
    return fld.contents()


def read_config(reader: gguf.GGUFReader) -> Config:
    arch = _field(reader, "general.architecture")
    if arch not in ROPE_MODE_BY_ARCH:
        raise ValueError(f"unsupported architecture {arch!r}")

    def key(name, default=None):
        return _field(reader, f"{arch}.{name}", default)

    n_embd = int(key("embedding_length"))
    n_head = int(key("attention.head_count"))
    n_head_kv = int(key("attention.head_count_kv", n_head))
    head_dim_k = int(key("attention.key_length", n_embd // n_head))
    head_dim_v = int(key("attention.value_length", n_embd // n_head))
    n_layer = int(key("block_count"))
    n_vocab = len(reader.fields["tokenizer.ggml.tokens"].data)

    # Linear rope scaling, as llama.cpp reads it for every architecture
    # (llama_model::load_hparams, llama_context): an absent type means "linear",
    # whose `rope.scaling.factor` (absent or 0: none) divides positions; type
    # "none" never scales, whatever the factor.
    scaling_type = key("rope.scaling.type", "linear")
    factor = float(key("rope.scaling.factor", 0.0) or 0.0)
    if scaling_type not in ("none", "linear"):
        raise ValueError(f"rope scaling {scaling_type!r} is not implemented in the reference")
    freq_scale = 1.0 / factor if factor > 0 and scaling_type == "linear" else 1.0

    sliding_window = int(key("attention.sliding_window", 0) or 0)
    swa_layers = [False] * n_layer
    if arch == "gemma3" and sliding_window > 0:
        pattern = key("attention.sliding_window_pattern", DEFAULT_SWA_PATTERN[arch])
        if isinstance(pattern, list):  # explicit per-layer flags
            swa_layers = [bool(p) for p in pattern]
        else:  # llama_hparams::set_swa_pattern, dense_first = false
            n = int(pattern)
            swa_layers = [n == 0 or (il % n < n - 1) for il in range(n_layer)]
    elif sliding_window > 0:
        raise ValueError(f"sliding window for {arch} is not implemented in the reference")

    if arch == "gemma3":
        # llama_model_gemma3::load_arch_hparams: 27B (62 layers) uses n_embd/n_head.
        scale_dim = n_embd // n_head if n_layer == 62 else head_dim_k
    else:
        scale_dim = head_dim_k

    return Config(
        arch=arch,
        n_vocab=n_vocab,
        n_embd=n_embd,
        n_layer=n_layer,
        n_head=n_head,
        n_head_kv=n_head_kv,
        head_dim_k=head_dim_k,
        head_dim_v=head_dim_v,
        n_rot=int(key("rope.dimension_count", head_dim_k)),
        n_ff=int(key("feed_forward_length")),
        rms_eps=float(key("attention.layer_norm_rms_epsilon")),
        rope_mode=ROPE_MODE_BY_ARCH[arch],
        rope_base=float(key("rope.freq_base", 10000.0)),
        rope_freq_scale=freq_scale,
        rope_base_swa=float(key("rope.freq_base_swa", 10000.0)),
        rope_freq_scale_swa=1.0,
        sliding_window=sliding_window,
        swa_layers=swa_layers,
        attention_scale=1.0 / math.sqrt(scale_dim),
        final_logit_softcap=float(key("final_logit_softcapping", 0.0) or 0.0),
        bos_token_id=_field(reader, "tokenizer.ggml.bos_token_id"),
        add_bos=bool(_field(reader, "tokenizer.ggml.add_bos_token", False)),
    )


def load_weights(reader: gguf.GGUFReader) -> dict[str, np.ndarray]:
    """Every tensor dequantized once, as float64, in numpy (row-major) shape:
    a ggml matrix with ne = [n_in, n_out] becomes an (n_out, n_in) array."""
    weights = {}
    for t in reader.tensors:
        values = dequantize(t.data, t.tensor_type)
        shape = tuple(int(n) for n in reversed(t.shape))
        weights[t.name] = np.asarray(values, dtype=np.float64).reshape(shape)
    return weights


def rms_norm(x: np.ndarray, weight: np.ndarray, eps: float) -> np.ndarray:
    """RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * weight."""
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * weight


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def silu(x: np.ndarray) -> np.ndarray:
    return x / (1.0 + np.exp(-x))


def apply_rope(x: np.ndarray, positions: np.ndarray, n_rot: int, base: float,
               freq_scale: float, mode: str, freq_factors: np.ndarray | None = None) -> np.ndarray:
    """x: (T, heads, head_dim). theta_i = pos * freq_scale * base^(-2i/n_rot) / factor_i
    (factor_i from `rope_freqs.weight`, 1 without it), as ggml's rope with freq_factors."""
    half = n_rot // 2
    inv_freq = base ** (-2.0 * np.arange(half, dtype=np.float64) / n_rot)
    if freq_factors is not None:
        inv_freq = inv_freq / freq_factors.reshape(half)
    theta = (positions.astype(np.float64) * freq_scale)[:, None] * inv_freq[None, :]
    cos = np.cos(theta)[:, None, :]
    sin = np.sin(theta)[:, None, :]
    out = x.copy()
    if mode == ROPE_NORM:
        a, b = x[..., 0:n_rot:2], x[..., 1:n_rot:2]
        out[..., 0:n_rot:2] = a * cos - b * sin
        out[..., 1:n_rot:2] = a * sin + b * cos
    else:
        a, b = x[..., :half], x[..., half:n_rot]
        out[..., :half] = a * cos - b * sin
        out[..., half:n_rot] = a * sin + b * cos
    return out


def attention_mask(n_tokens: int, window: int) -> np.ndarray:
    """Boolean (query, key) matrix of allowed pairs: causal, and with window > 0
    llama.cpp's standard SWA rule (masked when q - k >= window)."""
    q = np.arange(n_tokens)[:, None]
    k = np.arange(n_tokens)[None, :]
    allowed = k <= q
    if window > 0:
        allowed &= (q - k) < window
    return allowed


class ReferenceModel:
    def __init__(self, config: Config, weights: dict[str, np.ndarray]):
        if "rope_freqs.weight" in weights and config.arch not in ROPE_FREQS_ARCHS:
            raise ValueError(f"rope_freqs.weight in a {config.arch} model: llama.cpp does not use it there")
        self.config = config
        self.w = weights

    @classmethod
    def load(cls, path: str) -> "ReferenceModel":
        reader = gguf.GGUFReader(path)
        return cls(read_config(reader), load_weights(reader))

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        y = x @ self.w[f"{name}.weight"].T
        bias = self.w.get(f"{name}.bias")
        return y if bias is None else y + bias

    def _attention(self, il: int, h: np.ndarray, positions: np.ndarray) -> np.ndarray:
        c = self.config
        p = f"blk.{il}"
        n_tokens = h.shape[0]
        q = self._linear(h, f"{p}.attn_q").reshape(n_tokens, c.n_head, c.head_dim_k)
        k = self._linear(h, f"{p}.attn_k").reshape(n_tokens, c.n_head_kv, c.head_dim_k)
        v = self._linear(h, f"{p}.attn_v").reshape(n_tokens, c.n_head_kv, c.head_dim_v)

        if c.arch in QK_NORM_ARCHS:
            q = rms_norm(q, self.w[f"{p}.attn_q_norm.weight"], c.rms_eps)
            k = rms_norm(k, self.w[f"{p}.attn_k_norm.weight"], c.rms_eps)

        sliding = c.sliding_window > 0 and c.swa_layers[il]
        base = c.rope_base_swa if sliding else c.rope_base
        scale = c.rope_freq_scale_swa if sliding else c.rope_freq_scale
        factors = self.w.get("rope_freqs.weight") if c.arch in ROPE_FREQS_ARCHS else None
        q = apply_rope(q, positions, c.n_rot, base, scale, c.rope_mode, factors)
        k = apply_rope(k, positions, c.n_rot, base, scale, c.rope_mode, factors)

        group = c.n_head // c.n_head_kv  # query heads per KV head
        k = np.repeat(k, group, axis=1)
        v = np.repeat(v, group, axis=1)
        scores = np.einsum("qhd,khd->hqk", q, k) * c.attention_scale
        allowed = attention_mask(n_tokens, c.sliding_window if sliding else 0)
        scores = np.where(allowed[None], scores, -np.inf)
        scores -= scores.max(axis=-1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=-1, keepdims=True)
        out = np.einsum("hqk,khd->qhd", probs, v).reshape(n_tokens, c.n_head * c.head_dim_v)
        return self._linear(out, f"{p}.attn_output")

    def _ffn(self, il: int, h: np.ndarray) -> np.ndarray:
        p = f"blk.{il}"
        gate = self._linear(h, f"{p}.ffn_gate")
        up = self._linear(h, f"{p}.ffn_up")
        act = gelu_tanh(gate) if self.config.arch == "gemma3" else silu(gate)
        return self._linear(act * up, f"{p}.ffn_down")

    def hidden_states(self, tokens) -> np.ndarray:
        """Final-norm hidden states (T, n_embd) for a causal pass over all tokens."""
        c = self.config
        tokens = np.asarray(tokens, dtype=np.int64)
        if tokens.ndim != 1 or len(tokens) == 0:
            raise ValueError("tokens must be a non-empty 1-D sequence")
        if tokens.min() < 0 or tokens.max() >= c.n_vocab:
            raise ValueError("token id out of range")
        positions = np.arange(len(tokens))
        x = self.w["token_embd.weight"][tokens]
        if c.arch == "gemma3":
            x = x * math.sqrt(c.n_embd)
        gemma = c.arch == "gemma3"
        for il in range(c.n_layer):
            p = f"blk.{il}"
            attn = self._attention(il, rms_norm(x, self.w[f"{p}.attn_norm.weight"], c.rms_eps), positions)
            if gemma:
                attn = rms_norm(attn, self.w[f"{p}.post_attention_norm.weight"], c.rms_eps)
            x = x + attn
            ffn = self._ffn(il, rms_norm(x, self.w[f"{p}.ffn_norm.weight"], c.rms_eps))
            if gemma:
                ffn = rms_norm(ffn, self.w[f"{p}.post_ffw_norm.weight"], c.rms_eps)
            x = x + ffn
        return rms_norm(x, self.w["output_norm.weight"], c.rms_eps)

    def output_matrix(self) -> np.ndarray:
        return self.w.get("output.weight", self.w["token_embd.weight"])

    def logits_from_hidden(self, hidden: np.ndarray, chunk: int = 64) -> np.ndarray:
        """(n, n_embd) -> (n, n_vocab), a chunk of rows at a time so that the
        temporary product stays small."""
        out_w = self.output_matrix()
        result = np.empty((hidden.shape[0], out_w.shape[0]), dtype=np.float64)
        for start in range(0, hidden.shape[0], chunk):
            block = hidden[start:start + chunk] @ out_w.T
            cap = self.config.final_logit_softcap
            if cap:
                block = np.tanh(block / cap) * cap
            result[start:start + chunk] = block
        return result

    def forward(self, tokens, logit_positions=None, chunk: int = 64) -> np.ndarray:
        """Teacher-forced logits: row j is the next-token distribution after
        tokens[: logit_positions[j] + 1]. Default: every position."""
        hidden = self.hidden_states(tokens)
        if logit_positions is None:
            logit_positions = range(len(hidden))
        return self.logits_from_hidden(hidden[np.asarray(list(logit_positions), dtype=np.int64)], chunk)

    def greedy(self, tokens, n_new: int) -> list[int]:
        """Greedy continuation by re-running the whole sequence each step (slow, simple)."""
        seq = list(tokens)
        for _ in range(n_new):
            seq.append(int(np.argmax(self.forward(seq, [len(seq) - 1])[0])))
        return seq[len(tokens):]


def _main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("text", nargs="?")
    ap.add_argument("--tokens", help="comma-separated token ids instead of text")
    ap.add_argument("--greedy", type=int, default=8, help="tokens to generate")
    args = ap.parse_args()

    model = ReferenceModel.load(args.model)
    print(model.config.describe())
    detok = None
    if args.tokens:
        tokens = [int(t) for t in args.tokens.split(",")]
    else:
        import llama_cpp  # tokenization only
        llm = llama_cpp.Llama(args.model, vocab_only=True, verbose=False)
        tokens = llm.tokenize(args.text.encode(), add_bos=True, special=True)
        detok = lambda ids: llm.detokenize(ids).decode(errors="replace")
    print("prompt tokens:", tokens)
    new = model.greedy(tokens, args.greedy)
    print("greedy:", new)
    if detok:
        print(repr(detok(new)))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
