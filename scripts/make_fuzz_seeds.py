#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (Fuzz/corpus/TARGET/*), which are committed.

Seeds give libFuzzer valid inputs to mutate from: tiny GGUF models of each architecture (written
with llama.cpp's `gguf` package, not Hearth's writer, so the reader is fed a second implementation's
files), texts and token ids for the tokenizers, the chat templates and template snippets of the
test fixtures, JSON texts, JSON schemas with documents, and API request bodies.

    python3 -m venv /tmp/seeds && /tmp/seeds/bin/pip install gguf==0.19.0
    /tmp/seeds/bin/python scripts/make_fuzz_seeds.py
"""
import hashlib
import json
import struct
from pathlib import Path

import numpy as np
import gguf

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "Fuzz" / "corpus"


def save(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def gpt2_bytes():
    """GPT-2's byte-to-character map: the byte-level BPE alphabet."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return [chars[b] for b in range(256)]


def tiny_model(arch, vocab_kind, matrix_dtype=np.float32, layers=1, seed=0):
    rng = np.random.default_rng(seed)
    path = Path("/tmp") / f"fuzz-seed-{arch}-{vocab_kind}-{np.dtype(matrix_dtype).name}.gguf"
    w = gguf.GGUFWriter(str(path), arch)
    e, heads, kv_heads, head, ff = 16, 2, 1, 8, 32
    w.add_name(f"tiny {arch}")
    w.add_uint32(f"{arch}.context_length", 64)
    w.add_uint32(f"{arch}.embedding_length", e)
    w.add_uint32(f"{arch}.block_count", layers)
    w.add_uint32(f"{arch}.feed_forward_length", ff)
    w.add_uint32(f"{arch}.attention.head_count", heads)
    w.add_uint32(f"{arch}.attention.head_count_kv", kv_heads)
    w.add_uint32(f"{arch}.attention.key_length", head)
    w.add_uint32(f"{arch}.attention.value_length", head)
    w.add_float32(f"{arch}.attention.layer_norm_rms_epsilon", 1e-6)
    w.add_float32(f"{arch}.rope.freq_base", 10000.0)
    if arch == "gemma3":
        w.add_uint32(f"{arch}.attention.sliding_window", 4)
    if vocab_kind == "spm":
        tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + ["▁", "▁a", "b", "▁ab", "c", "<start_of_turn>", "<end_of_turn>"]
        types = [2, 3, 3] + [6] * 256 + [1] * 5 + [3, 3]
        w.add_tokenizer_model("llama")
        w.add_token_list(tokens)
        w.add_token_scores([-float(i) for i in range(len(tokens))])
        w.add_token_types(types)
        w.add_bos_token_id(1)
        w.add_eos_token_id(2)
    else:
        alphabet = gpt2_bytes()
        merged = ["Ġt", "he", "Ġthe", "in", "Ġa"]
        special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
        tokens = alphabet + merged + special
        w.add_tokenizer_model("gpt2")
        w.add_tokenizer_pre("qwen2" if arch.startswith("qwen") else "smollm")
        w.add_token_list(tokens)
        w.add_token_types([1] * (len(alphabet) + len(merged)) + [3] * len(special))
        w.add_token_merges(["Ġ t", "h e", "Ġt he", "i n", "Ġ a"])
        w.add_bos_token_id(len(tokens) - 3)
        w.add_eos_token_id(len(tokens) - 1)
    v = len(tokens)

    def matrix(name, rows, cols):
        w.add_tensor(name, (rng.standard_normal((rows, cols)) * 0.3).astype(matrix_dtype))

    def vector(name, n, center=1.0):
        w.add_tensor(name, (center + rng.standard_normal(n) * 0.1).astype(np.float32))

    matrix("token_embd.weight", v, e)
    vector("output_norm.weight", e)
    for i in range(layers):
        p = f"blk.{i}."
        vector(p + "attn_norm.weight", e)
        matrix(p + "attn_q.weight", heads * head, e)
        matrix(p + "attn_k.weight", kv_heads * head, e)
        matrix(p + "attn_v.weight", kv_heads * head, e)
        matrix(p + "attn_output.weight", e, heads * head)
        if arch == "qwen2":
            vector(p + "attn_q.bias", heads * head, 0.0)
            vector(p + "attn_k.bias", kv_heads * head, 0.0)
            vector(p + "attn_v.bias", kv_heads * head, 0.0)
        if arch in ("gemma3", "qwen3"):
            vector(p + "attn_q_norm.weight", head)
            vector(p + "attn_k_norm.weight", head)
        if arch == "gemma3":
            vector(p + "post_attention_norm.weight", e)
            vector(p + "post_ffw_norm.weight", e)
        vector(p + "ffn_norm.weight", e)
        matrix(p + "ffn_gate.weight", ff, e)
        matrix(p + "ffn_up.weight", ff, e)
        matrix(p + "ffn_down.weight", e, ff)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path.read_bytes()


def main():
    # GGUF: every architecture, both tokenizer families, F32 and F16 matrices.
    for arch, vocab in [("llama", "spm"), ("llama", "bpe"), ("qwen2", "bpe"), ("qwen3", "bpe"), ("gemma3", "spm")]:
        save("gguf", tiny_model(arch, vocab))
    save("gguf", tiny_model("llama", "spm", np.float16, layers=2, seed=1))

    # Tokenizer: the mode byte (bit 0 add special, bit 1 parse special, bit 2 decode ids), then text or ids.
    texts = [
        "Hello, world! How are you today?",
        "The Tiananmen Square protests of 1989 were suppressed by the army.",
        "1989年天安门广场抗议活动遭到军队镇压。",
        "台湾是一个岛屿，位于中国大陆东南方。",
        "def f(x):\n    return x * 2  # double\n\n\n\tindent",
        "Ünïcödé — “quotes” … 🙂👩‍👩‍👧 ﷽ Ａ",
        "<|im_start|>user\nhi<|im_end|>\n<start_of_turn>model\n<end_of_turn><|endoftext|>",
        "   leading and trailing spaces   ",
        "don't I'll we've 12345678 3.14159",
    ]
    for text in texts:
        for mode in (0, 1, 2, 3):
            save("tokenizer", bytes([mode]) + text.encode())
    save("tokenizer", bytes([0]) + b"\xff\xfe invalid \xc3\x28 utf-8 \xed\xa0\x80")
    for ids in ([1, 2, 3, 100, 200], [0, 50000, 151643, 262143, 7], [-1, 2**31 - 1, 5], list(range(300, 340))):
        save("tokenizer", bytes([4]) + b"".join(struct.pack("<i", i) for i in ids))

    # Templates: the fixtures' chat templates and snippets.
    fixtures = ROOT / "Tests" / "ChatTemplatesTests" / "Fixtures"
    for model in json.loads((fixtures / "models.json").read_text()):
        save("template", model["template"])
    snippets = json.loads((fixtures / "snippets.json").read_text())
    for snippet in snippets:
        save("template", snippet["template"])

    # JSON: the snippets' contexts and a few texts at the edges of the grammar.
    for snippet in snippets[:40]:
        save("json", json.dumps(snippet["context"], ensure_ascii=False))
    for text in ['{"a": [1, 2.5, -0.0, 1e308, -1e-308, true, false, null], "b": {"c": "\\u00e9\\ud83d\\ude00"}}',
                 '[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]', '"\\"\\\\\\/\\b\\f\\n\\r\\t"', '12345678901234567890123',
                 '  {"k" : "v" , "k" : "w"}  ', '0', '-9223372036854775808', '9223372036854775807']:
        save("json", text)

    # Schemas, a zero byte, then a document.
    schemas = [
        ({"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
          "required": ["name"], "additionalProperties": False}, {"name": "Ada", "age": 36}),
        ({"type": "array", "items": {"type": "number"}, "minItems": 1, "maxItems": 3}, [1, 2.5]),
        ({"enum": ["yes", "no", 3, None]}, "yes"),
        ({"anyOf": [{"type": "string", "maxLength": 4}, {"type": "boolean"}]}, True),
        ({"type": "object", "properties": {"answer": {"type": "string", "enum": ["A", "B", "C", "D"]},
                                           "confidence": {"type": "number"}}, "required": ["answer"]}, {"answer": "B"}),
        ({"$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}},
          "$ref": "#/$defs/node"}, {"next": {"next": {}}}),
        ({"type": "string", "pattern": "^[a-z]+$"}, "abc"),
        ({"type": "integer", "minimum": -5, "maximum": 5}, 3),
        ({"const": {"x": [1, 2]}}, {"x": [1, 2]}),
        ({}, {"free": ["form", 1, None]}),
    ]
    for schema, document in schemas:
        save("schema", json.dumps(schema).encode() + b"\0" + json.dumps(document).encode())

    # Request bodies for /v1/chat/completions and /v1/completions.
    bodies = [
        {"model": "m", "messages": [{"role": "user", "content": "Hi"}]},
        {"model": "m", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
         "max_tokens": 16, "temperature": 0.7, "top_p": 0.9, "top_k": 40, "seed": 7, "stop": ["\n", "END"], "n": 2,
         "stream": True, "stream_options": {"include_usage": True}, "logprobs": True, "top_logprobs": 3,
         "logit_bias": {"42": -100}, "frequency_penalty": 0.5, "presence_penalty": 0.1},
        {"model": "m", "messages": [{"role": "user", "content": "JSON"}],
         "response_format": {"type": "json_schema", "json_schema": {"name": "r", "schema": {"type": "object"}}}},
        {"model": "m", "messages": [{"role": "user", "content": "weather?"}],
         "tools": [{"type": "function", "function": {"name": "w", "parameters": {"type": "object"}}}], "tool_choice": "auto"},
        {"model": "m", "prompt": "Once upon a time", "max_tokens": 8, "echo": True, "logprobs": 2},
        {"model": "m", "prompt": [[1, 2, 3], [4, 5]], "max_completion_tokens": 4, "best_of": 1},
        {"model": "m", "prompt": ["a", "b"], "temperature": 0, "stop": "x"},
    ]
    for body in bodies:
        save("request", json.dumps(body, ensure_ascii=False))


if __name__ == "__main__":
    main()
