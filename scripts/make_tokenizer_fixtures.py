#!/usr/bin/env python3
"""Makes the tokenizer corpus and llama.cpp's expected ids for the three catalog models.

Writes, under Tests/TokenizersTests/Fixtures/:
  tokenizer_corpus.json            the corpus: each string as hex of its raw bytes (so invalid UTF-8 survives)
  tokenizer_expected_<model>.json  per model: llama.cpp's ids for every corpus string (special=False and
                                   special=True, both without BOS, and special=True with add_special),
                                   llama_detokenize of those ids, the vocabulary's special ids, flags,
                                   end-of-generation set, token attributes and a digest (FNV-1a 64 over length-prefixed pieces) of every token's piece.

The reference is llama-cpp-python 0.3.36 (`pip install llama-cpp-python==0.3.36`), loaded with
vocab_only=True, called exactly as `Llama.tokenize(bytes, add_bos=..., special=...)`.
Models are read from $HEARTH_MODELS_DIR or ~/.cache/hearth/models.

Usage: python3 scripts/make_tokenizer_fixtures.py
"""

import ctypes
import json
import os
import sys
import tempfile

import gguf
import llama_cpp
from llama_cpp import Llama

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "TokenizersTests", "Fixtures")
MODELS_DIR = os.environ.get("HEARTH_MODELS_DIR") or os.path.expanduser("~/.cache/hearth/models")

MODELS = {
    "smollm2-135m-instruct": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "gemma3-270m": "gemma-3-270m-q4_k_m.gguf",
    "qwen2.5-coder-0.5b-instruct": "qwen2.5-coder-0.5b-instruct-awq-q4_k_m.gguf",
}


# Vocabularies of the catalog models with other tokenizer settings, to hold the pre-tokenizers and
# flags the catalog does not use (llama3, default, gpt-2; SentencePiece with a space prefix) to
# llama.cpp as well. Each is written as a tensor-less GGUF copy of the model's metadata with these
# keys changed ("set") or removed ("drop"); the Swift tests apply the same changes to the real file.
VARIANTS = {
    "qwen-vocab-llama3": ("qwen2.5-coder-0.5b-instruct",
                          {"tokenizer.ggml.pre": "llama3"}, ["tokenizer.ggml.add_bos_token"]),
    "qwen-vocab-default": ("qwen2.5-coder-0.5b-instruct", {"tokenizer.ggml.pre": "default"}, []),
    "qwen-vocab-gpt2": ("qwen2.5-coder-0.5b-instruct", {"tokenizer.ggml.pre": "gpt-2"}, []),
    "smollm-vocab-qwen2": ("smollm2-135m-instruct", {"tokenizer.ggml.pre": "qwen2"}, []),
    "smollm-vocab-llama3": ("smollm2-135m-instruct", {"tokenizer.ggml.pre": "llama3"}, []),
    "gemma-vocab-space-prefix": ("gemma3-270m", {"tokenizer.ggml.add_space_prefix": True}, []),
}


def gguf_kv(path):
    """Every metadata key of a GGUF file as (key, value, type, subtype), values as plain Python."""
    reader = gguf.GGUFReader(path)
    out = []
    for key, field in reader.fields.items():
        if key.startswith("GGUF."):
            continue
        vtype = field.types[0]
        if vtype == gguf.GGUFValueType.ARRAY:
            sub = field.types[1]
            if sub == gguf.GGUFValueType.STRING:
                value = [bytes(field.parts[i]) for i in field.data]
            else:
                value = [field.parts[i][0].item() for i in field.data]
            out.append((key, value, vtype, sub))
        elif vtype == gguf.GGUFValueType.STRING:
            out.append((key, bytes(field.parts[field.data[0]]), vtype, None))
        else:
            out.append((key, field.parts[field.data[0]][0].item(), vtype, None))
    return out


def write_variant(kv, path, overrides, drop):
    arch = next(v for k, v, _, _ in kv if k == "general.architecture").decode()
    writer = gguf.GGUFWriter(path, arch)
    for key, value, vtype, sub in kv:
        if key == "general.architecture" or key in overrides or key in drop:
            continue
        writer.add_key_value(key, value, vtype, sub_type=sub)
    for key, value in overrides.items():
        vtype = gguf.GGUFValueType.BOOL if isinstance(value, bool) else gguf.GGUFValueType.STRING
        writer.add_key_value(key, value, vtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def corpus():
    """(name, bytes) pairs. Deterministic: the same list on every run."""
    items = []

    def add(name, value):
        items.append((name, value.encode("utf-8") if isinstance(value, str) else bytes(value)))

    add("empty", "")

    # English prose.
    prose = [
        "Hello world",
        "Hello, world!",
        "The quick brown fox jumps over the lazy dog.",
        "It was the best of times, it was the worst of times, it was the age of wisdom.",
        "Call me Ishmael. Some years ago—never mind how long precisely—having little or no money in my purse...",
        "In 1969, Apollo 11 landed on the Moon; Neil Armstrong said: \"That's one small step for [a] man.\"",
        "HELLO WORLD IN CAPITALS",
        "hello",
        " hello",
        "  hello",
        "Hello",
        "a",
        "A",
        "I",
        "e.g. i.e. etc. Mr. Mrs. Dr. St.",
        "The U.S.A. and the U.K. signed the treaty on 3/4/2021 at 10:30am.",
        "Tokenization is the process of splitting text into tokens; byte-pair encoding merges frequent pairs.",
        "She said, 'No way!' and left — without a word.",
        "newline\nseparated\nlines",
        "Windows\r\nline\r\nendings",
        "A sentence with    multiple   spaces between words.",
        "supercalifragilisticexpialidocious antidisestablishmentarianism",
        "CamelCaseIdentifier snake_case_identifier kebab-case-identifier SCREAMING_SNAKE",
        "email: someone@example.com, url: https://example.org/path?query=1&x=y#frag",
        "/usr/local/bin/swift build -c release --product hearth",
        "C:\\Users\\Name\\Documents\\file.txt",
    ]
    for i, s in enumerate(prose):
        add(f"prose_{i}", s)

    # Code.
    code = [
        "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
        "import numpy as np\n\nx = np.arange(10, dtype=np.float32)\nprint(x @ x.T)\n",
        "class Foo(Bar):\n\tdef __init__(self, *args, **kwargs):\n\t\tsuper().__init__(*args, **kwargs)\n",
        "for i in range(10): print(f\"{i:03d}\", end='')",
        "public final class Tokenizer: @unchecked Sendable {\n    public init(metadata: GGUFMetadata) throws {}\n}\n",
        "let xs = [1, 2, 3].map { $0 * 2 }.filter { $0 > 2 }\nguard let y = xs.first else { return }",
        "func f<T: Sequence>(_ s: T) -> [T.Element] where T.Element: Hashable { Array(Set(s)) }",
        "#include <stdio.h>\n\nint main(int argc, char **argv) {\n    printf(\"%d\\n\", argc);\n    return 0;\n}\n",
        "static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }",
        "if (a != b && c <= d || e >= f) { x += 1; y -= 2; z *= 3; w /= 4; v %= 5; }",
        "{\"name\": \"hearth\", \"version\": 1, \"tags\": [\"llm\", \"gguf\"], \"nested\": {\"ok\": true, \"n\": null}}",
        "[\n  {\n    \"id\": 1,\n    \"value\": 3.14\n  }\n]",
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Test</title></head>\n<body><p class=\"x\">Hi &amp; bye</p></body>\n</html>",
        "<div><span style=\"color:red\">red</span><br/><img src=\"a.png\" alt=\"\"></div>",
        "function add(a, b) { return a + b; } // => 3\nconst arrow = (x) => x ** 2;",
        "fn main() { let v: Vec<u8> = vec![0u8; 16]; println!(\"{:?}\", v); }",
        "SELECT id, name FROM users WHERE age >= 18 ORDER BY name DESC LIMIT 10;",
        "#!/bin/bash\nset -euo pipefail\nfor f in *.txt; do echo \"$f\"; done\n",
        "x=$((1+2)); echo ${x:-default} | grep -E '^[0-9]+$' >/dev/null 2>&1",
        "    indented with four spaces\n\tindented with a tab\n        eight spaces",
        "\"\"\"Docstring with 'quotes' and \\\"escapes\\\".\"\"\"",
        "a_b__c___d",
        "0x1F 0b1010 0o777 1e-9 3.0f 1_000_000 -42",
        "x == y != z === w !== v",
        "// TODO: fix\n/* block\n   comment */\n# hash comment",
        "\\begin{equation} E = mc^2 \\end{equation} $\\alpha + \\beta_i$",
    ]
    for i, s in enumerate(code):
        add(f"code_{i}", s)

    # Scripts and languages.
    languages = [
        ("zh", "你好，世界！"),
        ("zh", "我爱北京天安门。"),
        ("zh", "人工智能正在改变我们的生活方式和工作方式。"),
        ("zh", "中华人民共和国成立于1949年10月1日。"),
        ("zh", "六四天安门事件"),
        ("zh", "机器学习（Machine Learning）是人工智能的一个分支。"),
        ("zh", "“引号”和《书名号》以及、顿号"),
        ("zh", "繁體中文與简体中文"),
        ("zh", "一二三四五六七八九十百千万亿"),
        ("zh", "他说：“你好吗？”我说：“很好。”"),
        ("ja", "こんにちは世界"),
        ("ja", "東京は日本の首都です。"),
        ("ja", "カタカナとひらがなと漢字"),
        ("ja", "ｶﾀｶﾅ半角"),
        ("ja", "私は寿司が好きです！"),
        ("ko", "안녕하세요 세계"),
        ("ko", "한국어 텍스트 토큰화 테스트입니다."),
        ("ko", "서울특별시"),
        ("ko", "ᄒᆞᆫ글 자모"),
        ("ar", "مرحبا بالعالم"),
        ("ar", "اللغة العربية جميلة جداً."),
        ("ar", "٠١٢٣٤٥٦٧٨٩"),
        ("ar", "السَّلَامُ عَلَيْكُمْ"),
        ("hi", "नमस्ते दुनिया"),
        ("hi", "हिन्दी भाषा में परीक्षण।"),
        ("hi", "क्षत्रिय ज्ञान श्रृंगार"),
        ("ru", "Привет, мир!"),
        ("ru", "Съешь же ещё этих мягких французских булок, да выпей чаю."),
        ("ru", "ПРОПИСНЫЕ буквы и строчные"),
        ("el", "Γειά σου Κόσμε"),
        ("el", "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία."),
        ("el", "αβγδεζηθικλμνξοπρστυφχψω ΑΒΓΔ"),
        ("he", "שלום עולם"),
        ("th", "สวัสดีชาวโลก"),
        ("vi", "Xin chào thế giới, tiếng Việt có dấu."),
        ("tr", "İstanbul'da ıslak ışık; Ğğ Şş Çç Öö Üü"),
        ("de", "Grüße aus Köln – Straße, Maß, Fußgänger"),
        ("fr", "Ça va? Où est l'hôtel? Déjà vu, naïve, cœur."),
        ("es", "¿Dónde está la biblioteca? ¡Olé!"),
        ("pl", "Zażółć gęślą jaźń"),
        ("nfd", "e\u0301 a\u0300 o\u0308 n\u0303"),
        ("combining", "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dA\u036b\u0357\u0334\u0362\u0335\u031c\u0330\u0354L\u0368\u0367\u0369\u0358\u0320G\u0311\u0357\u030e\u0305\u035b\u0341\u0334\u033b\u0348\u034d\u0354\u0339O\u0342\u030c\u030c\u0358\u0328\u0335\u0339\u033b\u031d\u0333"),
        ("mixed", "English 中文 日本語 한국어 العربية हिन्दी Русский Ελληνικά"),
        ("math", "∀x ∈ ℝ: x² ≥ 0; ∑ᵢ aᵢ = ∫₀¹ f(x) dx ≈ π ≠ ∞ ∧ ¬⊥"),
        ("currency", "$100 €50 £20 ¥1000 ₹500 ₿0.01 ¢"),
        ("fullwidth", "ＡＢＣ　ａｂｃ　１２３！？"),
        ("symbols", "© ® ™ § ¶ † ‡ • ° ± × ÷ µ"),
        ("arrows", "← → ↑ ↓ ⇒ ⇔ ↺"),
        ("box", "┌─┬─┐\n│ │ │\n└─┴─┘"),
    ]
    for i, (lang, s) in enumerate(languages):
        add(f"lang_{lang}_{i}", s)

    # Emoji.
    emoji = [
        "😀",
        "😀😃😄😁",
        "I love 🍕 and 🍣!",
        "👨‍👩‍👧‍👦",  # ZWJ family
        "👩‍💻 👨‍🚀 🧑‍🔬",
        "🏳️‍🌈 🏴‍☠️",
        "🇺🇸🇨🇳🇯🇵🇩🇪🇫🇷",  # flags
        "👍🏻👍🏼👍🏽👍🏾👍🏿",  # skin tones
        "✌️ ❤️ ☺️",  # variation selectors
        "1️⃣ #️⃣ *️⃣",  # keycaps
        "🫠🫡🫶",  # newer emoji
        "🤖: beep boop 🤖🤖🤖",
        "emoji_in_code = '🔥'  # 🔥",
    ]
    for i, s in enumerate(emoji):
        add(f"emoji_{i}", s)

    # Whitespace runs.
    whitespace = [
        " ", "  ", "   ", "    ", "        ", " " * 17,
        "\t", "\t\t", "\t\t\t\t",
        "\n", "\n\n", "\n\n\n", "\n" * 8,
        "\r", "\r\n", "\r\n\r\n", "\n\r",
        " \n", "\n ", " \n ", "  \n  ", "\t\n\t", " \t \n \t ",
        "\u00a0", "a\u00a0b", "\u3000", "a\u2028b\u2029c", "\u2003\u2002\u2009", "\u0085", "\x0b\x0c",
        "  leading spaces", "trailing spaces  ", "  both  ", "\tleading tab", "trailing newline\n",
        "\nleading newline", "word\n\n\nword", "word \n word", "a  b   c    d",
        "line1\n    line2\n        line3",
    ]
    for i, s in enumerate(whitespace):
        add(f"ws_{i}", s)

    # Digit runs.
    digits = ["0", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789",
              "1234567890", "12345678901234567890", "3.14159", "2.718281828459045", "1,000,000",
              "10,000.50", "-273.15", "+1 (555) 123-4567", "2024-06-04T12:34:56Z", "v1.2.3",
              "0000", "007", "１２３４", "²³¹", "Ⅻ ⅷ", "① ② ③", "a1b2c3", "abc123def456",
              "1st 2nd 3rd 4th", "100%", "1/2 ¼ ½ ¾", "9" * 40, " 42", "  42", "42 "]
    for i, s in enumerate(digits):
        add(f"digits_{i}", s)

    # Contractions.
    contractions = ["it's", "don't", "you're", "we've", "I'm", "they'll", "she'd",
                    "IT'S", "DON'T", "YOU'RE", "WE'VE", "I'M", "THEY'LL", "SHE'D",
                    "It'S", "You'Re", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d",
                    "''s", "'", "''", "rock'n'roll", "y'all'd've", "’s curly apostrophe",
                    "O'Neil's", "can't won't shan't", " 's", "'S", "'LL"]
    for i, s in enumerate(contractions):
        add(f"contraction_{i}", s)

    # Punctuation runs.
    punctuation = ["...", "!!!", "???", "?!?!", "---", "===", "=====", "<<<>>>", "((()))",
                   "[[]]{{}}", "@#$%^&*", "…", "“quoted”", "«guillemets»", "¿¡", ".,;:",
                   "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "``` ~~~ ___ ***", "->", "=>", "::", "</",
                   " . , ! ?", "a.b,c!d?e", "--flag=value", "...\n...", "!!\n\n"]
    for i, s in enumerate(punctuation):
        add(f"punct_{i}", s)

    # Special-token texts (tokenized with special=False and special=True).
    specials = [
        "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<start_of_turn>", "<end_of_turn>",
        "<bos>", "<eos>", "<pad>", "<unk>", "<mask>", "<s>", "</s>", "[multimodal]",
        "<unused0>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>",
        "<|repo_name|>", "<|file_sep|>", "<repo_name>", "<reponame>", "<file_sep>",
        "<tool_call>", "</tool_call>", "<start_of_image>", "<0x41>",
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n",
        "<bos><start_of_turn>user\nWhat is 2+2?<end_of_turn>\n<start_of_turn>model\n",
        "text<|endoftext|>more text",
        "<|im_start|><|im_end|>",
        "<bos><bos><eos>",
        "<|im_start", "<|im_start|", "< |im_start| >", "<|IM_START|>", "<<|im_start|>>",
        "<|im_start|>user", " <|im_start|> ", "\n<|im_end|>\n",
        "<end_of_turn><eos>",
        "<start_of_turn>model\nSure!<end_of_turn>",
        "<|fim_prefix|>def f():\n    <|fim_suffix|>\n    return x<|fim_middle|>",
        "<tool_call>{\"name\": \"f\"}</tool_call>",
        "<table><tr><td>cell</td></tr></table>",
    ]
    for i, s in enumerate(specials):
        add(f"special_{i}", s)

    # Invalid UTF-8 and odd bytes.
    invalid = [
        b"\xff", b"\xfe\xff", b"\x80", b"\xbf\x80\x80", b"abc\x80def", b"\xc3", b"\xc3(",
        b"\xe4\xb8", b"\xe4\xb8a", b"\xf0\x9f\x98", b"\xf0\x9f\x98 x", b"\xed\xa0\x80", b"\xed\xbf\xbf",
        b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xfc\x84\x80\x80\x80\x80",
        b"\x00", b"a\x00b", b"\x01\x02\x03\x1b[0m", b"\x7f", b"caf\xe9", b"\xe9t\xe9",
        "日本".encode("utf-8")[:-1] + b" tail", b"\x80\x80\x80\x80\x80\x80\x80\x80",
        b"ok \xc3\xa9 \xc3 \xa9 ok", b"<|im_end|\xff>", b"\xef\xbb\xbfBOM at start", b"\xef\xbf\xbd",
    ]
    for i, s in enumerate(invalid):
        add(f"invalid_{i}", s)

    # Longer inputs.
    para = ("The history of natural language processing generally started in the 1950s, although work can be "
            "found from earlier periods. In 1950, Alan Turing published an article titled \"Computing Machinery "
            "and Intelligence\" which proposed what is now called the Turing test as a criterion of intelligence. ")
    add("long_paragraph", para * 4)
    add("long_a", "a" * 1000)
    add("long_spaces", " " * 600)
    add("long_newlines", "\n" * 300)
    add("long_tabs_spaces", " \t" * 200)
    add("long_digits", "1234567890" * 40)
    add("long_emoji", "😀" * 100)
    add("long_chinese", "中文测试" * 100)
    add("long_punct", "!?" * 300)
    add("long_mixed", ("word " * 50 + "\n") * 4)
    add("long_specials", "<|im_start|>user\nhi<|im_end|>\n" * 20 + "<start_of_turn>x<end_of_turn>" * 20)

    names = [n for n, _ in items]
    assert len(names) == len(set(names)), "duplicate corpus names"
    return items


# Long repetitive inputs (pattern, repeat count): only a digest of llama.cpp's ids is stored.
HOSTILE = [
    ("letter", b"a", 65536),
    ("spaces", b" ", 100000),
    ("newlines", b"\n", 65536),
    ("less_than", b"<", 65536),
    ("byte_ff", b"\xff", 65536),
    ("specials", "<|im_start|><start_of_turn><unused7>\n\n".encode(), 2000),
    ("digits", b"1234567890", 6554),
    ("mixed_whitespace", b" \t\n", 20000),
    ("emoji", "😀".encode(), 20000),
    ("chinese", "中文".encode(), 20000),
]


def vocab_of(llm):
    return llama_cpp.llama_model_get_vocab(llm._model.model)


def detokenize(vocab, ids, remove_special, unparse_special):
    arr = (llama_cpp.llama_token * max(1, len(ids)))(*ids)
    size = 64 + 8 * len(ids)
    while True:
        buf = ctypes.create_string_buffer(size)
        n = llama_cpp.llama_detokenize(vocab, arr, len(ids), buf, size, remove_special, unparse_special)
        if n < 0:
            size = -n + 16
            continue
        return buf.raw[:n]


def piece(vocab, token, special):
    size = 64
    while True:
        buf = ctypes.create_string_buffer(size)
        n = llama_cpp.llama_token_to_piece(vocab, token, buf, size, 0, special)
        if n < 0:
            size = -n + 16
            continue
        return buf.raw[:n]


class Fnv1a64:
    """64-bit FNV-1a: a digest the Swift tests recompute without a crypto library."""

    def __init__(self):
        self.value = 0xCBF29CE484222325

    def update(self, data):
        v = self.value
        for b in data:
            v = ((v ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        self.value = v

    def hexdigest(self):
        return f"{self.value:016x}"


def run_lengths(values):
    """[[start, count, value], ...] for runs of equal values."""
    runs = []
    for i, v in enumerate(values):
        if runs and runs[-1][2] == v and runs[-1][0] + runs[-1][1] == i:
            runs[-1][1] += 1
        else:
            runs.append([i, 1, v])
    return runs


def expected_for(model_name, path, items, catalog_model=True):
    llm = Llama(model_path=path, vocab_only=True, verbose=False)
    vocab = vocab_of(llm)
    n = llama_cpp.llama_vocab_n_tokens(vocab)

    cases = []
    for name, data in items:
        plain = llm.tokenize(data, add_bos=False, special=False)
        special = llm.tokenize(data, add_bos=False, special=True)
        with_bos = llm.tokenize(data, add_bos=True, special=True)
        cases.append({
            "name": name,
            "plain": plain,
            "special": special,
            "add_special": with_bos,
            # llama_detokenize(remove_special=false, unparse_special=...) of the ids above.
            "decode_plain": detokenize(vocab, plain, False, False).hex(),
            "decode_special": detokenize(vocab, special, False, True).hex(),
            "decode_add_special_removed": detokenize(vocab, with_bos, True, False).hex(),
        })

    # Not for the variants: with pre "default" llama.cpp runs std::regex, whose recursion overflows
    # the stack on long runs (65,536 '<' crash it).
    hostile = []
    for name, pattern, repeat in (HOSTILE if catalog_model else []):
        ids = llm.tokenize(pattern * repeat, add_bos=True, special=True)
        digest = Fnv1a64()
        for i in ids:
            digest.update(int(i).to_bytes(4, "little", signed=True))
        hostile.append({"name": name, "pattern": pattern.hex(), "repeat": repeat, "count": len(ids),
                        "fnv1a64": digest.hexdigest(), "head": ids[:16]})

    attrs = [int(llama_cpp.llama_vocab_get_attr(vocab, t)) for t in range(n)]
    eog = [t for t in range(n) if llama_cpp.llama_vocab_is_eog(vocab, t)]
    digest_special = Fnv1a64()
    digest_plain = Fnv1a64()
    sample = {}
    for t in range(n):
        p_special = piece(vocab, t, True)
        p_plain = piece(vocab, t, False)
        digest_special.update(len(p_special).to_bytes(4, "little") + p_special)
        digest_plain.update(len(p_plain).to_bytes(4, "little") + p_plain)
        if catalog_model and (t < 300 or t % 997 == 0 or attrs[t] != 4 or t >= n - 50):
            sample[str(t)] = p_special.hex()

    def tok(fn):
        v = fn(vocab)
        return None if v < 0 else int(v)

    return {
        "model": model_name,
        "file": os.path.basename(path),
        "llama_cpp_python": llama_cpp.__version__,
        "vocab_size": n,
        "bos": tok(llama_cpp.llama_vocab_bos),
        "eos": tok(llama_cpp.llama_vocab_eos),
        "eot": tok(llama_cpp.llama_vocab_eot),
        "add_bos": bool(llama_cpp.llama_vocab_get_add_bos(vocab)),
        "add_eos": bool(llama_cpp.llama_vocab_get_add_eos(vocab)),
        "eog": eog,
        "attr_runs": run_lengths(attrs),
        "pieces_fnv1a64_special": digest_special.hexdigest(),
        "pieces_fnv1a64_plain": digest_plain.hexdigest(),
        "pieces_sample": sample,
        "cases": cases,
        "hostile": hostile,
    }


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    items = corpus()
    with open(os.path.join(FIXTURES, "tokenizer_corpus.json"), "w") as f:
        json.dump({"strings": [{"name": n, "hex": b.hex()} for n, b in items]}, f, indent=0)
        f.write("\n")
    print(f"corpus: {len(items)} strings")
    for model_name, file_name in MODELS.items():
        path = os.path.join(MODELS_DIR, file_name)
        if not os.path.exists(path):
            sys.exit(f"missing model {path}")
        expected = expected_for(model_name, path, items)
        out = os.path.join(FIXTURES, f"tokenizer_expected_{model_name}.json")
        with open(out, "w") as f:
            json.dump(expected, f, separators=(",", ":"))
            f.write("\n")
        print(f"{model_name}: {expected['vocab_size']} tokens, eog={expected['eog']}, -> {os.path.relpath(out, ROOT)}")

    with tempfile.TemporaryDirectory() as tmp:
        for source in sorted({source for source, _, _ in VARIANTS.values()}):
            kv = gguf_kv(os.path.join(MODELS_DIR, MODELS[source]))
            for name, (variant_source, overrides, drop) in VARIANTS.items():
                if variant_source != source:
                    continue
                path = os.path.join(tmp, name + ".gguf")
                write_variant(kv, path, overrides, drop)
                expected = expected_for(name, path, items, catalog_model=False)
                expected["source"] = source
                expected["set"] = overrides
                expected["drop"] = drop
                out = os.path.join(FIXTURES, f"tokenizer_expected_variant_{name}.json")
                with open(out, "w") as f:
                    json.dump(expected, f, separators=(",", ":"))
                    f.write("\n")
                print(f"{name}: add_bos={expected['add_bos']} -> {os.path.relpath(out, ROOT)}")


if __name__ == "__main__":
    main()
