#!/usr/bin/env python3
"""Tiny random-weight Hugging Face checkpoints, converted by llama.cpp's own converter, with
logits from `transformers` in float32: a reference for Hearth that Hearth's authors did not write.

For each architecture (llama, qwen2, qwen3, gemma3, qwen3moe, and Mistral and Mixtral files, which
llama.cpp converts as llama) this script
  1. builds a small tokenizer of the family's type (see "Tokenizers" below) and saves it with a
     tiny checkpoint whose weights come from a fixed torch seed, scaled like a trained model's;
  2. converts the checkpoint to GGUF twice, `--outtype f32` and `--outtype q8_0`, with
     convert_hf_to_gguf.py from a llama.cpp snapshot and that snapshot's own gguf-py;
  3. runs the checkpoint in transformers (float32, eager attention), teacher-forced over a few
     sequences (~320 positions), and keeps every logit;
  4. tokenizes a handful of texts with the transformers tokenizer (the ids Hearth must reproduce);
  5. runs llama.cpp (llama-cpp-python, n_threads=2, logits_all=True, default settings) on both
     GGUFs over the same tokens, and records its top-1 agreement and |Δ| from transformers;
and writes Tests/ModelsTests/Fixtures/transformers/<name>-f32.bin, <name>-q8_0.bin (GGUF) and
<name>.json.

Tokenizers (huggingface.co is not reachable here, so no real tokenizer files can be fetched):
  - llama: a byte-level BPE trained with the `tokenizers` library on the fixed corpus below, with
    Llama 3's pre-tokenizer regex, ignore_merges, and 16 Llama-3-style special tokens at the end;
  - qwen2, qwen3, qwen3moe: the real Qwen2.5 vocabulary cut to its first 480 tokens and 224 merges
    (a prefix of a BPE merge list is itself a consistent BPE), Qwen's regex and NFC normalizer, the
    three ChatML specials, and `vocab_size` padded past the tokenizer (as Qwen's 151,936 is);
  - gemma3: the real Gemma 3 SentencePiece vocabulary cut to 512 pieces (specials, the
    user-defined newline and space runs, the 256 byte-fallback pieces, the best-scored merges and the
    single characters needed), written as a SentencePiece model (tokenizer.model), the file the
    converter reads for Gemma;
  - mistral, mixtral: a SentencePiece BPE trained on the corpus with Llama 2's and Mistral's trainer
    settings (no Mistral tokenizer file is reachable), checked against SentencePiece's own ids.
  The Qwen and Gemma vocabularies are read from the GGUF test models in ~/.cache/hearth/models.
  The converter recognises BPE pre-tokenizers by a hash of the ids it gets for a fixed text; a
  cut vocabulary has other ids, so for the BPE families (llama, qwen*) this script runs the
  converter with one patch: when the hash is unknown, `get_vocab_base_pre` returns the family's
  name ("llama-bpe", "qwen2") instead of raising. Nothing else in the converter is changed.

Usage (see scripts/reference/README.md, "transformers fixtures", for the environment):
    python3 make_transformers_fixtures.py --llama-cpp /path/to/llama.cpp-snapshot [--only NAME ...]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from prompts import LONG_PROMPT  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_OUT = os.path.join(REPO, "Tests", "ModelsTests", "Fixtures", "transformers")
MODELS = os.environ.get("HEARTH_MODELS", os.path.expanduser("~/.cache/hearth/models"))
QWEN_GGUF = "qwen2.5-coder-0.5b-instruct-awq-q4_k_m.gguf"
GEMMA_GGUF = "gemma-3-270m-q4_k_m.gguf"

LLAMA3_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")

# ---------------------------------------------------------------------------------------------
# Text: the tokenizer-training corpus, the tokenization checks and the teacher-forced sequences.

# The first two paragraphs of the accuracy fixtures' long prompt (prompts.py), the same text.
PROSE = "\n\n".join(LONG_PROMPT[1].split("\n\n")[:2]) + "\n"

CODE = '''\
def merge_sorted(a, b):
    """Merge two sorted lists into one sorted list."""
    result, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            result.append(a[i]); i += 1
        else:
            result.append(b[j]); j += 1
    return result + a[i:] + b[j:]

#include <stdio.h>
/* Reverse a string in place. */
void reverse(char *s) {
    for (size_t i = 0, n = strlen(s); i < n / 2; i++) { char t = s[i]; s[i] = s[n - 1 - i]; s[n - 1 - i] = t; }
}
'''

CHINESE = ("中国古代的四大发明是造纸术、印刷术、火药和指南针。其中，造纸术由东汉的蔡伦改进，"
           "印刷术在宋代由毕昇发明了活字印刷。这些发明对世界文明的发展产生了深远的影响。")

EXTRA = """\
Q: Why is the sky blue during the day but red and orange at sunset?
A: The sky looks blue because air scatters short wavelengths of sunlight more than long ones.
{"users": [{"id": 1, "name": "Alice", "email": "alice@example.com", "roles": ["admin", "editor"]}]}
Let's compute 17 * 24 step by step. First, 17 * 20 = 340. Then 17 * 4 = 68, and 340 + 68 = 408.
La Révolution française a commencé en 1789. Les causes principales étaient économiques et sociales.
"""

CORPUS = [PROSE, CODE, CHINESE, EXTRA] * 4

# Texts whose ids Hearth must reproduce exactly (the transformers tokenizer's ids, with the special
# tokens it adds by default: BOS for llama and gemma3, none for Qwen).
TOKENIZATION_TEXTS = [
    ("english", "The quick brown fox jumps over the lazy dog. It wasn't me, I'd say; they'll know!"),
    ("chinese", "中国古代的四大发明是造纸术、印刷术、火药和指南针。你好，世界！"),
    ("code", "for (int i = 0; i < n; ++i) {\n\tsum += a[i] * b[i]; // dot\n}\nreturn sum;"),
    ("whitespace", "  leading spaces\n\n\ntrailing   \t tabs\t\t and\r\nCRLF   \n    indented\n"),
    ("punctuation", "Wait... what?!? (yes) [no] {maybe} \"quoted\" 'single' -- em—dash … ¡¿ 3.14159 1,000,000 2024-06-01"),
    ("numbers", "1 12 123 1234 12345 123456 0.5 -7 +42 3e10 0x1F"),
    ("mixed", "naïve café résumé Москва Ελλάδα 東京 🚀🦙 emoji\u200dzwj"),
]

# The teacher-forced sequences: tokenized, cut to these lengths (BOS included where the tokenizer
# adds one). 192 + 128 = 320 positions; the first one is three times Gemma 3's window of 64.
SEQUENCES = [
    ("prose", PROSE + "\n" + EXTRA, 192),
    ("code_chinese", CODE + "\n" + CHINESE + "\n" + CHINESE, 128),
]

LOGIT_DIGITS = 8


# ---------------------------------------------------------------------------------------------
# Tokenizers


def read_gguf_vocab(path: str) -> dict:
    import gguf
    reader = gguf.GGUFReader(path)
    out = {}
    for key in ("tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
                "tokenizer.ggml.merges"):
        fld = reader.fields.get(key)
        out[key.split(".")[-1]] = fld.contents() if fld is not None else None
    return out


def build_llama3_tokenizer(directory: str) -> dict:
    """Byte-level BPE trained on CORPUS with Llama 3's pre-tokenizer; 496 regular tokens (256 bytes
    and 240 merges), then 16 special tokens as Llama 3 lays them out (its 256 at 128000...)."""
    from tokenizers import Tokenizer, Regex, models, pre_tokenizers, decoders, processors, trainers
    from transformers import PreTrainedTokenizerFast

    regular = 496
    tok = Tokenizer(models.BPE(byte_fallback=False, ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=True)
    trainer = trainers.BpeTrainer(vocab_size=regular, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
    tok.train_from_iterator(CORPUS, trainer=trainer)
    assert tok.get_vocab_size() == regular, tok.get_vocab_size()
    # The trainer builds a fresh model; Llama 3's has ignore_merges (whole words in the vocabulary
    # are taken as they are), which the converter also uses to recognise a Llama 3 tokenizer.
    spec = json.loads(tok.to_str())
    spec["model"]["ignore_merges"] = True
    tok = Tokenizer.from_str(json.dumps(spec))
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
                "<|reserved_special_token_1|>", "<|finetune_right_pad_id|>", "<|reserved_special_token_2|>",
                "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>", "<|python_tag|>"]
    specials += [f"<|reserved_special_token_{i}|>" for i in range(3, 3 + 16 - len(specials))]
    tok.add_special_tokens(specials)
    bos = "<|begin_of_text|>"
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, tok.token_to_id(bos))])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=bos, eos_token="<|eot_id|>",
                                   clean_up_tokenization_spaces=True)
    fast.save_pretrained(directory)
    return {"kind": "byte-level BPE trained on the script's corpus, Llama 3 regex, ignore_merges",
            "tokenizer_size": tok.get_vocab_size(), "bos": tok.token_to_id(bos),
            "eos": tok.token_to_id("<|eot_id|>"), "pre": "llama-bpe"}


def build_qwen_tokenizer(directory: str, regular: int = 480) -> dict:
    """The real Qwen2.5 vocabulary's first `regular` tokens (256 bytes + merges in rank order) and the
    merges that make them, plus <|endoftext|>, <|im_start|>, <|im_end|>."""
    from tokenizers import Tokenizer, Regex, models, pre_tokenizers, decoders, normalizers, processors
    from transformers import PreTrainedTokenizerFast

    source = read_gguf_vocab(os.path.join(MODELS, QWEN_GGUF))
    tokens, merges = source["tokens"][:regular], source["merges"][:regular - 256]
    for k, m in enumerate(merges):  # token 256+k is merge k, as in Qwen's tiktoken-derived vocabulary
        assert m.replace(" ", "") == tokens[256 + k], (k, m, tokens[256 + k])
    vocab = {t: i for i, t in enumerate(tokens)}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[tuple(m.split(" ")) for m in merges],
                               byte_fallback=False, ignore_merges=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.add_special_tokens(["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   clean_up_tokenization_spaces=False)
    fast.save_pretrained(directory)
    return {"kind": f"Qwen2.5's vocabulary cut to its first {regular} tokens and {regular - 256} merges, "
                    "Qwen2 regex, NFC",
            "tokenizer_size": tok.get_vocab_size(), "bos": None, "eos": tok.token_to_id("<|im_end|>"),
            "pre": "qwen2"}


def build_gemma_tokenizer(directory: str, size: int = 512) -> dict:
    """Gemma 3's SentencePiece vocabulary cut to `size` pieces, saved as tokenizer.model (what the
    converter reads) and converted by transformers for its own tokenizer.json."""
    from sentencepiece import sentencepiece_model_pb2 as sp_pb2
    from transformers import GemmaTokenizer

    source = read_gguf_vocab(os.path.join(MODELS, GEMMA_GGUF))
    toks, scores, types = source["tokens"], source["scores"], source["token_type"]
    index = {t: i for i, t in enumerate(toks)}
    keep: list[int] = [index[t] for t in ("<pad>", "<eos>", "<bos>", "<unk>", "<mask>",
                                          "<start_of_turn>", "<end_of_turn>")]
    # User-defined newline and space runs (matched whole before BPE, as in the real tokenizer).
    keep += [index["\n" * n] for n in range(1, 5)] + [index[" " * n] for n in range(2, 9)]
    keep += [i for i, t in enumerate(types) if t == 6]  # the 256 byte pieces
    text = "".join(CORPUS) + "".join(t for _, t in TOKENIZATION_TEXTS)
    chars = sorted({c.replace(" ", "▁") for c in text if c not in "\n"} | {"▁"})
    single = [index[c] for c in chars if c in index and types[index[c]] == 1]
    room = size - len(keep) - len(single)
    merged = [i for i in range(len(toks)) if types[i] == 1 and len(toks[i]) > 1][:room]
    keep += sorted(merged) + sorted(single, key=lambda i: -scores[i])
    assert len(keep) == size == len(set(keep)), (len(keep), size)

    proto = sp_pb2.ModelProto()
    proto.trainer_spec.model_type = sp_pb2.TrainerSpec.BPE
    proto.trainer_spec.vocab_size = size
    proto.trainer_spec.byte_fallback = True
    proto.trainer_spec.split_digits = True
    proto.trainer_spec.allow_whitespace_only_pieces = True
    proto.trainer_spec.unk_id, proto.trainer_spec.bos_id, proto.trainer_spec.eos_id, proto.trainer_spec.pad_id = 3, 2, 1, 0
    proto.trainer_spec.unk_piece, proto.trainer_spec.bos_piece = "<unk>", "<bos>"
    proto.trainer_spec.eos_piece, proto.trainer_spec.pad_piece = "<eos>", "<pad>"
    proto.normalizer_spec.name = "identity"
    proto.normalizer_spec.add_dummy_prefix = False
    proto.normalizer_spec.remove_extra_whitespaces = False
    proto.normalizer_spec.escape_whitespaces = True
    kind = {1: sp_pb2.ModelProto.SentencePiece.NORMAL, 3: sp_pb2.ModelProto.SentencePiece.CONTROL,
            4: sp_pb2.ModelProto.SentencePiece.USER_DEFINED, 6: sp_pb2.ModelProto.SentencePiece.BYTE}
    for i in keep:
        piece = proto.pieces.add()
        # The GGUF holds user-defined pieces "pre-normalized" (the converter turns "▁" into " ");
        # a SentencePiece model holds them with "▁".
        piece.piece = toks[i].replace(" ", "▁") if types[i] == 4 else toks[i]
        piece.score = float(scores[i]) if types[i] == 1 else 0.0
        piece.type = kind[types[i]]
    unk = [p for p in proto.pieces if p.piece == "<unk>"][0]
    unk.type = sp_pb2.ModelProto.SentencePiece.UNKNOWN
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "tokenizer.model"), "wb") as f:
        f.write(proto.SerializeToString())
    # transformers' own SentencePiece conversion (vocabulary, merges by piece order = score order,
    # control and user-defined pieces as added tokens), into its Gemma tokenizer class.
    from transformers.convert_slow_tokenizer import SentencePieceExtractor
    from tokenizers.models import BPE
    kwargs = SentencePieceExtractor(os.path.join(directory, "tokenizer.model")).extract(BPE)
    kwargs.pop("_spm_precompiled_charsmap", None)
    hf = GemmaTokenizer(**kwargs, add_bos_token=True, add_eos_token=False)
    hf.save_pretrained(directory)
    return {"kind": f"Gemma 3's SentencePiece vocabulary cut to {size} pieces", "tokenizer_size": size,
            "bos": 2, "eos": 1, "pre": None}


def build_sentencepiece_tokenizer(directory: str, size: int = 512) -> dict:
    """A SentencePiece BPE trained on the corpus above with the settings of Llama 2's and Mistral's
    tokenizers (byte fallback, split digits, identity normalisation, a dummy-prefix space, whitespace
    kept as written; <unk> <s> </s> as ids 0-2), saved as tokenizer.model (what the converter reads)
    and converted by transformers for its own LlamaTokenizer (Mistral's repositories use that class)."""
    import sentencepiece as spm
    from transformers import LlamaTokenizer
    from transformers.convert_slow_tokenizer import SentencePieceExtractor
    from tokenizers.models import BPE

    os.makedirs(directory, exist_ok=True)
    corpus = os.path.join(directory, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write("".join(CORPUS) + "\n".join(t for _, t in TOKENIZATION_TEXTS) + "\n")
    prefix = os.path.join(directory, "tokenizer")
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=prefix, model_type="bpe", vocab_size=size, byte_fallback=True,
        split_digits=True, normalization_rule_name="identity", add_dummy_prefix=True,
        remove_extra_whitespaces=False, allow_whitespace_only_pieces=True, character_coverage=1.0,
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1, num_threads=2, minloglevel=2)
    kwargs = SentencePieceExtractor(prefix + ".model").extract(BPE)
    kwargs.pop("_spm_precompiled_charsmap", None)
    hf = LlamaTokenizer(**kwargs, add_bos_token=True, add_eos_token=False, legacy=False)
    hf.save_pretrained(directory)
    os.remove(corpus)
    os.remove(prefix + ".vocab")
    # SentencePiece itself is the reference for these ids (what llama.cpp's SPM tokenizer mirrors);
    # transformers' conversion differs on runs of leading spaces, recorded per text.
    return {"ids_from": "sentencepiece", "kind": f"SentencePiece BPE trained on the fixed corpus, {size} pieces, Llama 2 / Mistral settings "
                    "(byte fallback, split digits, dummy prefix)",
            "tokenizer_size": size, "bos": 1, "eos": 2, "pre": None}


# ---------------------------------------------------------------------------------------------
# Models


@dataclass
class Spec:
    name: str
    hf_class: str
    config_class: str
    description: str
    seed: int
    tokenizer: str
    vocab_size: int
    config: dict
    exercises: list[str] = field(default_factory=list)
    hearth_architecture: str = ""


SPECS = [
    Spec("llama", "LlamaForCausalLM", "LlamaConfig",
         "Llama 3.2 style: GQA 4/1, head 16, RoPE base 500000 with llama3 frequency scaling "
         "(factor 8, low 1, high 4, original context 8192), tied embeddings, 4 layers",
         seed=101, tokenizer="llama3", vocab_size=512, hearth_architecture="llama",
         config=dict(hidden_size=64, intermediate_size=192, num_hidden_layers=4, num_attention_heads=4,
                     num_key_value_heads=1, head_dim=16, rms_norm_eps=1e-5, max_position_embeddings=131072,
                     tie_word_embeddings=True, hidden_act="silu", attention_bias=False, mlp_bias=False,
                     rope_parameters=dict(rope_type="llama3", rope_theta=500000.0, factor=8.0,
                                          low_freq_factor=1.0, high_freq_factor=4.0,
                                          original_max_position_embeddings=8192),
                     bos_token_id=496, eos_token_id=505),
         exercises=["llama3 rope_freqs.weight (pairs 0-3 factor 1, pair 4 interpolated, 5-7 factor 8)",
                    "GQA 4 query heads per KV head", "tied output", "byte-level BPE, llama-bpe pre-tokenizer"]),
    Spec("qwen2", "Qwen2ForCausalLM", "Qwen2Config",
         "Qwen2.5 style: Q/K/V biases, GQA 6/2, head 16, NeoX RoPE base 1e6, eps 1e-6, tied embeddings, "
         "vocabulary padded past the tokenizer, 3 layers",
         seed=202, tokenizer="qwen", vocab_size=512, hearth_architecture="qwen2",
         config=dict(hidden_size=96, intermediate_size=160, num_hidden_layers=3, num_attention_heads=6,
                     num_key_value_heads=2, rms_norm_eps=1e-6, max_position_embeddings=32768,
                     tie_word_embeddings=True, hidden_act="silu", use_sliding_window=False,
                     rope_parameters=dict(rope_type="default", rope_theta=1000000.0),
                     bos_token_id=480, eos_token_id=482),
         exercises=["Q/K/V biases", "NeoX RoPE", "[PAD] rows past the tokenizer (483 tokens, 512 rows)",
                    "byte-level BPE, qwen2 pre-tokenizer"]),
    Spec("qwen3", "Qwen3ForCausalLM", "Qwen3Config",
         "Qwen3 dense: per-head Q/K RMSNorm, head 32 with width 64 and 4/2 heads (q width 128), "
         "NeoX RoPE base 1e6, eps 1e-6, tied embeddings, 3 layers",
         seed=303, tokenizer="qwen", vocab_size=512, hearth_architecture="qwen3",
         config=dict(hidden_size=64, intermediate_size=192, num_hidden_layers=3, num_attention_heads=4,
                     num_key_value_heads=2, head_dim=32, rms_norm_eps=1e-6, max_position_embeddings=40960,
                     tie_word_embeddings=True, hidden_act="silu", attention_bias=False, use_sliding_window=False,
                     rope_parameters=dict(rope_type="default", rope_theta=1000000.0),
                     bos_token_id=480, eos_token_id=482),
         exercises=["Q/K RMSNorm", "head size x heads != width", "NeoX RoPE"]),
    Spec("qwen3-yarn", "Qwen3ForCausalLM", "Qwen3Config",
         "Qwen3 dense with YaRN context extension, as Qwen2.5 and Qwen3 use past 32k tokens, scaled down: "
         "factor 4 over an original context of 64 (so 192-token sequences run past it), base 1e6, "
         "head 32 (16 pairs: some extrapolated, some interpolated, some on the ramp), 3 layers",
         seed=313, tokenizer="qwen", vocab_size=512, hearth_architecture="qwen3",
         config=dict(hidden_size=64, intermediate_size=192, num_hidden_layers=3, num_attention_heads=4,
                     num_key_value_heads=2, head_dim=32, rms_norm_eps=1e-6, max_position_embeddings=256,
                     tie_word_embeddings=True, hidden_act="silu", attention_bias=False, use_sliding_window=False,
                     rope_parameters=dict(rope_type="yarn", rope_theta=1000000.0, factor=4.0,
                                          original_max_position_embeddings=64),
                     bos_token_id=480, eos_token_id=482),
         exercises=["YaRN: rope.scaling.type yarn, factor 4, original context 64, attention factor 1 + 0.1 ln 4",
                    "positions up to 3x the original context"]),
    Spec("gemma3", "Gemma3ForCausalLM", "Gemma3TextConfig",
         "Gemma 3 270M style (text only): 6 layers, 5 sliding (window 64) + 1 global, GQA 4/1, head 32, "
         "query_pre_attn_scalar = head size, Q/K norm, post-attention/post-FFN norms, gated tanh GELU, "
         "RoPE 1e6 global / 1e4 local, no soft-capping, tied embeddings scaled by sqrt(width)",
         seed=404, tokenizer="gemma", vocab_size=512, hearth_architecture="gemma3",
         config=dict(hidden_size=64, intermediate_size=128, num_hidden_layers=6, num_attention_heads=4,
                     num_key_value_heads=1, head_dim=32, query_pre_attn_scalar=32, rms_norm_eps=1e-6,
                     max_position_embeddings=32768, sliding_window=64, tie_word_embeddings=True,
                     hidden_activation="gelu_pytorch_tanh", final_logit_softcapping=None,
                     attn_logit_softcapping=None,
                     layer_types=["sliding_attention"] * 5 + ["full_attention"],
                     rope_parameters={"sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
                                      "full_attention": {"rope_type": "default", "rope_theta": 1000000.0}},
                     pad_token_id=0, bos_token_id=2, eos_token_id=1),
         exercises=["sliding window 64 crossed by a 192-token sequence", "global layer 5 (pattern 6)",
                    "two RoPE bases", "post norms", "Gemma norm +1 folded by the converter",
                    "SentencePiece BPE with byte fallback and user-defined whitespace pieces"]),
    Spec("mistral", "MistralForCausalLM", "MistralConfig",
         "Mistral 7B v0.2/v0.3 style: a Llama block under `llama` with a SentencePiece vocabulary, GQA 4/1, "
         "head 16, RoPE base 1e6, no sliding window, separate output, 3 layers",
         seed=606, tokenizer="sentencepiece", vocab_size=512, hearth_architecture="llama",
         config=dict(hidden_size=64, intermediate_size=160, num_hidden_layers=3, num_attention_heads=4,
                     num_key_value_heads=1, head_dim=16, rms_norm_eps=1e-5, max_position_embeddings=32768,
                     tie_word_embeddings=False, hidden_act="silu", sliding_window=None,
                     rope_parameters=dict(rope_type="default", rope_theta=1000000.0),
                     bos_token_id=1, eos_token_id=2),
         exercises=["MistralForCausalLM converted as `llama`", "SentencePiece BPE with byte fallback and a dummy prefix",
                    "separate output"]),
    Spec("mixtral", "MixtralForCausalLM", "MixtralConfig",
         "Mixtral 8x7B style: Mistral's block with 8 experts, top 2, each as wide as intermediate_size, "
         "converted as `llama` with expert_count, SentencePiece vocabulary, 2 layers",
         seed=707, tokenizer="sentencepiece", vocab_size=512, hearth_architecture="llama",
         config=dict(hidden_size=64, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
                     num_key_value_heads=2, head_dim=16, rms_norm_eps=1e-5, max_position_embeddings=32768,
                     tie_word_embeddings=False, hidden_act="silu", sliding_window=None,
                     num_local_experts=8, num_experts_per_tok=2, router_jitter_noise=0.0,
                     output_router_logits=False,
                     rope_parameters=dict(rope_type="default", rope_theta=1000000.0),
                     bos_token_id=1, eos_token_id=2),
         exercises=["8 experts, top-2 softmax routing renormalised", "experts under `llama`", "separate output"]),
    Spec("qwen3moe", "Qwen3MoeForCausalLM", "Qwen3MoeConfig",
         "Qwen3-30B-A3B style MoE: 16 experts, top 4, norm_topk_prob, expert width 32, every layer sparse, "
         "GQA 8/1, head 16 (q width 128 with width 64), Q/K norm, separate output, 2 layers",
         seed=505, tokenizer="qwen", vocab_size=512, hearth_architecture="qwen3moe",
         config=dict(hidden_size=64, intermediate_size=128, moe_intermediate_size=32, num_experts=16,
                     num_experts_per_tok=4, norm_topk_prob=True, decoder_sparse_step=1, mlp_only_layers=[],
                     num_hidden_layers=2, num_attention_heads=8, num_key_value_heads=1, head_dim=16,
                     rms_norm_eps=1e-6, max_position_embeddings=40960, tie_word_embeddings=False,
                     hidden_act="silu", attention_bias=False, use_sliding_window=False,
                     router_aux_loss_coef=0.001, output_router_logits=False,
                     rope_parameters=dict(rope_type="default", rope_theta=1000000.0),
                     bos_token_id=480, eos_token_id=482),
         exercises=["16 experts, top-4 routing with renormalised weights", "Q/K RMSNorm", "separate output"]),
]


def scale_weights(model, spec: Spec) -> dict:
    """Re-draw every weight so the random model behaves like a trained one in the ways that matter
    here: activations O(1) through the layers and logits spread over several units, so that the
    top-1 token is a real decision. (transformers' own init, std 0.02, gives logits within ~0.1 of
    each other: top-1 agreement would then test rounding noise.)"""
    import torch
    gen = torch.Generator().manual_seed(spec.seed)
    gemma = spec.tokenizer == "gemma"
    rules = {}
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                # Gemma stores w and multiplies by (1 + w); the others multiply by w. Gemma's final
                # norm scales by ~3 (see the embeddings below).
                base = (2.0 if name == "model.norm.weight" else 0.0) if gemma else 1.0
                p.copy_(base + 0.1 * torch.randn(p.shape, generator=gen))
                rule = f"{base:g} + N(0, 0.1^2)"
            elif "embed_tokens" in name or "lm_head" in name:
                # With an RMS-normed final state of norm ~sqrt(width) = 8, rows of std 0.4 give
                # logits of std ~3 over the vocabulary, as a trained model's. Gemma multiplies its
                # embeddings by sqrt(width) = 8 on input: rows of std 0.15 start its residual stream
                # at RMS ~1.2 (at 0.4 the input token's own embedding dominated the tied output:
                # median top-2 margin 7), and its final norm's ~3 restores the logit spread.
                std = 0.15 if gemma else 0.4
                p.copy_(std * torch.randn(p.shape, generator=gen))
                rule = f"N(0, {std}^2)"
            elif name.endswith("bias"):
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))
                rule = "N(0, 0.5^2)"
            elif name.endswith("mlp.gate.weight"):  # MoE router: well separated expert scores
                p.copy_(torch.randn(p.shape, generator=gen))
                rule = "N(0, 1)"
            else:
                fan_in = p.shape[-1]
                p.copy_(torch.randn(p.shape, generator=gen) * fan_in ** -0.5)
                rule = "N(0, 1/fan_in)"
            short = name.split(".")[-2] + "." + name.split(".")[-1] if "." in name else name
            rules.setdefault(rule, set()).add(short)
    return {rule: sorted(names) for rule, names in rules.items()}


def build_checkpoint(spec: Spec, directory: str) -> tuple[dict, dict]:
    import torch
    import transformers
    if spec.tokenizer == "llama3":
        tok_info = build_llama3_tokenizer(directory)
    elif spec.tokenizer == "qwen":
        tok_info = build_qwen_tokenizer(directory)
    elif spec.tokenizer == "sentencepiece":
        tok_info = build_sentencepiece_tokenizer(directory)
    else:
        tok_info = build_gemma_tokenizer(directory)
    torch.manual_seed(spec.seed)
    config = getattr(transformers, spec.config_class)(vocab_size=spec.vocab_size, **spec.config)
    config.architectures = [spec.hf_class]
    model = getattr(transformers, spec.hf_class)(config).to(torch.float32).eval()
    rules = scale_weights(model, spec)
    if config.tie_word_embeddings:
        assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    model.save_pretrained(directory, safe_serialization=True)
    return tok_info, rules


# ---------------------------------------------------------------------------------------------
# Conversion

CONVERT_RUNNER = r"""
import os, sys, runpy
snapshot = sys.argv.pop(1)
sys.path.insert(0, snapshot)
sys.path.insert(1, os.path.join(snapshot, "gguf-py"))
import conversion.base as base
original = base.TextModel.get_vocab_base_pre
pre = os.environ.get("HEARTH_FIXTURE_TOKENIZER_PRE")

def get_vocab_base_pre(self, tokenizer):
    # The one patch: a cut or retrained vocabulary has ids the converter's hash table cannot know,
    # so an unknown hash yields the family's pre-tokenizer name instead of an error.
    try:
        return original(self, tokenizer)
    except NotImplementedError:
        if not pre:
            raise
        return pre

base.TextModel.get_vocab_base_pre = get_vocab_base_pre
sys.argv[0] = os.path.join(snapshot, "convert_hf_to_gguf.py")
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def convert(snapshot: str, checkpoint: str, outfile: str, outtype: str, pre: str | None) -> None:
    env = dict(os.environ)
    if pre:
        env["HEARTH_FIXTURE_TOKENIZER_PRE"] = pre
    env["NO_LOCAL_GGUF"] = "1"  # the runner puts the snapshot's gguf-py on the path itself
    env["PYTHONPATH"] = os.path.join(snapshot, "gguf-py")
    cmd = [sys.executable, "-c", CONVERT_RUNNER, snapshot, checkpoint, "--outfile", outfile, "--outtype", outtype]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-8000:])
        raise RuntimeError(f"converter failed on {checkpoint} ({outtype})")


# ---------------------------------------------------------------------------------------------
# Logits


def transformers_logits(checkpoint: str, sequences: list[list[int]]) -> list[np.ndarray]:
    import torch
    import transformers
    model = transformers.AutoModelForCausalLM.from_pretrained(
        checkpoint, dtype=torch.float32, attn_implementation="eager").eval()
    out = []
    with torch.no_grad():
        for tokens in sequences:
            logits = model(input_ids=torch.tensor([tokens]), use_cache=False).logits[0]
            out.append(logits.to(torch.float32).numpy())
    return out


def llamacpp_logits(path: str, sequences: list[list[int]], exact: bool = False) -> list[np.ndarray] | None:
    """llama.cpp's logits at every position; `exact`: with an F32 KV cache and no flash attention,
    i.e. without llama.cpp's own rounding (the verification run)."""
    try:
        import llama_cpp
    except ImportError:
        print("  llama-cpp-python is not installed: no llama.cpp figures")
        return None
    extra = dict(type_k=llama_cpp.GGML_TYPE_F32, type_v=llama_cpp.GGML_TYPE_F32, flash_attn=False) if exact else {}
    try:
        llm = llama_cpp.Llama(path, n_ctx=512, n_threads=2, n_batch=512, seed=0, logits_all=True, verbose=False,
                              **extra)
    except Exception as error:  # an architecture the bundled llama.cpp does not know
        print(f"  llama.cpp cannot load {os.path.basename(path)}: {error}")
        return None
    out = []
    for tokens in sequences:
        llm.reset()  # eval() then drops the whole KV cache (it keeps only the first n_tokens = 0)
        llm.eval(tokens)
        out.append(np.array(llm.scores[:len(tokens)], dtype=np.float32))
    del llm
    return out


def llamacpp_tokenize(path: str, text: str) -> list[int] | None:
    try:
        import llama_cpp
        llm = llama_cpp.Llama(path, n_ctx=64, vocab_only=True, verbose=False)
    except Exception:
        return None
    return llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)


def compare(engine: list[np.ndarray], reference: list[np.ndarray]) -> dict:
    e = np.concatenate(engine).astype(np.float64)
    r = np.concatenate(reference).astype(np.float64)
    diff = np.abs(e - r)
    # The engine's top-1 at every position, sequence after sequence, so that another engine can be
    # compared position by position (a paired test) rather than by totals alone.
    return {"top1_ids": [int(i) for i in e.argmax(-1)],
            "top1_agreement": float(np.mean(e.argmax(-1) == r.argmax(-1))),
            "top1_disagreements": int(np.sum(e.argmax(-1) != r.argmax(-1))),
            "max_abs_error": float(diff.max()), "mean_abs_error": float(diff.mean()),
            "positions": int(e.shape[0])}


def encode_logits(x: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(x, dtype="<f4").tobytes()).decode("ascii")


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def versions(snapshot: str, commit: str | None) -> dict:
    import importlib.metadata as md
    out = {"python": sys.version.split()[0]}
    for package in ("torch", "transformers", "tokenizers", "sentencepiece", "safetensors", "numpy",
                    "llama_cpp_python"):
        try:
            out[package] = md.version(package.replace("_", "-"))
        except md.PackageNotFoundError:
            out[package] = None
    if not commit:
        try:
            commit = subprocess.run(["git", "-C", snapshot, "rev-parse", "HEAD"], capture_output=True,
                                    text=True).stdout.strip()
        except OSError:
            commit = ""
    out["llama.cpp converter"] = commit or "unknown"
    sys.path.insert(0, os.path.join(snapshot, "gguf-py"))
    try:
        import tomllib
        with open(os.path.join(snapshot, "gguf-py", "pyproject.toml"), "rb") as f:
            out["gguf-py (snapshot)"] = tomllib.load(f)["project"]["version"]
    except Exception:
        out["gguf-py (snapshot)"] = None
    return out


def make(spec: Spec, snapshot: str, out_dir: str, work: str, info: dict) -> dict:
    from transformers import AutoTokenizer
    started = time.time()
    checkpoint = os.path.join(work, spec.name)
    shutil.rmtree(checkpoint, ignore_errors=True)
    os.makedirs(checkpoint)
    tok_info, rules = build_checkpoint(spec, checkpoint)
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    if tok_info.get("ids_from") == "sentencepiece":
        import sentencepiece as spm
        sp = spm.SentencePieceProcessor(model_file=os.path.join(checkpoint, "tokenizer.model"))
        encode = lambda text: [tok_info["bos"]] + sp.encode(text)  # noqa: E731
    else:
        encode = lambda text: tokenizer(text)["input_ids"]  # noqa: E731

    files = {}
    for outtype in ("f32", "q8_0"):
        path = os.path.join(out_dir, f"{spec.name}-{outtype}.bin")
        convert(snapshot, checkpoint, path, outtype, tok_info["pre"])
        files[outtype] = {"file": os.path.basename(path), "sha256": sha256(path), "bytes": os.path.getsize(path)}

    sequences = []
    for name, text, length in SEQUENCES:
        ids = encode(text)
        assert len(ids) >= length, (spec.name, name, len(ids), length)
        sequences.append((name, ids[:length]))
    reference = transformers_logits(checkpoint, [ids for _, ids in sequences])
    flat = np.concatenate(reference).astype(np.float64)
    top2 = np.sort(flat, axis=-1)[:, -2:]
    margins = top2[:, 1] - top2[:, 0]

    tokenization = []
    f32_path = os.path.join(out_dir, files["f32"]["file"])
    for name, text in TOKENIZATION_TEXTS:
        ids = encode(text)
        lc = llamacpp_tokenize(f32_path, text)
        entry = {"name": name, "text": text, "ids": ids, "llamacpp_ids_equal": lc == ids if lc is not None else None}
        if tok_info.get("ids_from") == "sentencepiece":
            entry["transformers_ids_equal"] = tokenizer(text)["input_ids"] == ids
        tokenization.append(entry)

    llamacpp = {"package": f"llama-cpp-python {info.get('llama_cpp_python')}",
                "settings": "n_threads=2, n_ctx=512, n_batch=512, logits_all=True, otherwise defaults (f16 KV cache)"}
    for outtype in ("f32", "q8_0"):
        rows = llamacpp_logits(os.path.join(out_dir, files[outtype]["file"]), [ids for _, ids in sequences])
        llamacpp[outtype] = compare(rows, reference) if rows is not None else None
    # Verification: llama.cpp without its f16 KV cache on the F32 file. Within float32 rounding of
    # transformers for every architecture except gemma3, whose GELU goes through llama.cpp's f16
    # lookup table (see "How far llama.cpp is from the reference" below).
    rows = llamacpp_logits(os.path.join(out_dir, files["f32"]["file"]), [ids for _, ids in sequences], exact=True)
    llamacpp["f32_kv_f32_no_flash_attn"] = compare(rows, reference) if rows is not None else None

    fixture = {
        "name": spec.name,
        "hf_architecture": spec.hf_class,
        "hearth_architecture": spec.hearth_architecture,
        "description": spec.description,
        "exercises": spec.exercises,
        "seed": spec.seed,
        "config": json.loads(open(os.path.join(checkpoint, "config.json")).read()),
        "weight_init": rules,
        "tokenizer": tok_info,
        "versions": info,
        "files": files,
        "tokenization": tokenization,
        "reference": {
            "what": "transformers, float32, eager attention, teacher-forced; logits of every position as "
                    "little-endian float32, row-major [positions x vocab], base64",
            "vocab": int(reference[0].shape[1]),
            "max_abs_logit": float(np.abs(flat).max()),
            "logit_std": float(flat.std(axis=-1).mean()),
            "top2_margin": {"min": float(margins.min()), "median": float(np.median(margins)),
                            "below_0.01": int((margins < 0.01).sum()), "below_0.1": int((margins < 0.1).sum())},
        },
        "llamacpp": llamacpp,
        "sequences": [{"name": name, "tokens": ids, "logits_f32_base64": encode_logits(r)}
                      for (name, ids), r in zip(sequences, reference)],
        "seconds": round(time.time() - started, 1),
    }
    with open(os.path.join(out_dir, f"{spec.name}.json"), "w") as f:
        json.dump(fixture, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return fixture


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llama-cpp", required=True, help="llama.cpp snapshot with convert_hf_to_gguf.py, "
                        "conversion/ and gguf-py/")
    parser.add_argument("--llama-cpp-commit", default=None,
                        help="the snapshot's commit, recorded in the fixtures (default: `git rev-parse` there)")
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--work", default=None, help="where the checkpoints go (default: a temporary folder)")
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    # The snapshot's gguf-py (reading the Qwen and Gemma vocabularies; the converter uses it too).
    sys.path.insert(0, os.path.join(args.llama_cpp, "gguf-py"))
    os.makedirs(args.out, exist_ok=True)
    work = args.work or tempfile.mkdtemp(prefix="hearth-hf-")
    info = versions(args.llama_cpp, args.llama_cpp_commit)
    for spec in SPECS:
        if args.only and spec.name not in args.only:
            continue
        fixture = make(spec, args.llama_cpp, args.out, work, info)
        ref = fixture["reference"]
        print(f"{spec.name}: {fixture['seconds']} s; max |logit| {ref['max_abs_logit']:.2f}, "
              f"std {ref['logit_std']:.2f}, top-2 margin min {ref['top2_margin']['min']:.4f} "
              f"median {ref['top2_margin']['median']:.3f}; files "
              + ", ".join(f"{k} {v['bytes']}" for k, v in fixture["files"].items()))
        for outtype in ("f32", "q8_0", "f32_kv_f32_no_flash_attn"):
            figures = {k: v for k, v in (fixture['llamacpp'][outtype] or {}).items() if k != "top1_ids"}
            print(f"  llama.cpp {outtype}: {figures}")
        bad = [t["name"] for t in fixture["tokenization"] if t["llamacpp_ids_equal"] is False]
        if bad:
            print(f"  llama.cpp tokenizes differently from transformers: {bad}")


if __name__ == "__main__":
    main()
