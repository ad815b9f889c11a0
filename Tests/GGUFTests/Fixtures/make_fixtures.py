#!/usr/bin/env python3
"""Makes the GGUF test fixtures with the reference implementation, gguf-py (`pip install gguf`).

    python3 Tests/GGUFTests/Fixtures/make_fixtures.py [MODELS_DIR]

Writes, beside this script:
- gguf-py-all-types.bin: a small GGUF file written by gguf-py's own writer, holding every metadata value
  type, a nested array, a custom alignment and tensors of several ggml types. (Named .bin because the
  repository ignores *.gguf.) The Swift reader must read it exactly as described in the same JSON form.
- real-models.json: what gguf-py's reader sees in each real model of the catalog (all metadata, every
  tensor's name, type, shape, offset and a hash of its first and last bytes), so the Swift tests compare
  against the reference without Python. Skipped for models that are not present.

Hashes are FNV-1a 64 (hex): of the raw little-endian bytes for numeric arrays, and of each string's UTF-8
bytes followed by one 0 byte for string arrays.
"""
import json
import os
import sys

import numpy as np
import gguf

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = {
    "smollm2-135m-instruct": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "gemma3-270m": "gemma-3-270m-q4_k_m.gguf",
    "qwen2.5-coder-0.5b-instruct": "qwen2.5-coder-0.5b-instruct-awq-q4_k_m.gguf",
}
EDGE_BYTES = 64


def fnv1a64(data: bytes, h: int = 0xCBF29CE484222325) -> int:
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def string_list_hash(items) -> str:
    h = 0xCBF29CE484222325
    for s in items:
        h = fnv1a64(bytes(s) + b"\0", h)
    return f"{h:016x}"


TYPE_NAMES = {t: t.name.lower() for t in gguf.GGUFValueType}


def describe_field(field):
    """One metadata entry as JSON: its type and value, or for arrays element type, count, ends and hash."""
    vtype = field.types[0]
    if vtype == gguf.GGUFValueType.ARRAY:
        etype = field.types[1] if len(field.types) > 1 else gguf.GGUFValueType.UINT8
        entry = {"type": "array", "elementType": TYPE_NAMES[etype], "count": len(field.data)}
        if etype == gguf.GGUFValueType.ARRAY:
            # gguf-py's reader flattens nested arrays; the Swift test states their structure itself.
            entry["count"] = None
            return entry
        if etype == gguf.GGUFValueType.STRING:
            items = [bytes(field.parts[i]) for i in field.data]
            entry["first"] = [s.decode("utf-8", "replace") for s in items[:3]]
            entry["last"] = [s.decode("utf-8", "replace") for s in items[-3:]]
            entry["hash"] = string_list_hash(items)
        else:
            parts = [field.parts[i] for i in field.data]
            raw = b"".join(p.tobytes() for p in parts)
            values = np.concatenate(parts) if parts else np.array([])
            entry["first"] = [v.item() for v in values[:3]]
            entry["last"] = [v.item() for v in values[-3:]]
            entry["hash"] = f"{fnv1a64(raw):016x}"
        return entry
    value = field.contents()
    if vtype == gguf.GGUFValueType.STRING:
        value = bytes(field.parts[field.data[0]]).decode("utf-8", "replace")
    return {"type": TYPE_NAMES[vtype], "value": value}


def describe_file(path: str):
    reader = gguf.GGUFReader(path)
    metadata = []
    for key, field in reader.fields.items():
        if key.startswith("GGUF."):
            continue
        metadata.append({"key": key, **describe_field(field)})
    tensors = []
    for t in reader.tensors:
        data = t.data.tobytes() if hasattr(t.data, "tobytes") else bytes(t.data)
        tensors.append({
            "name": t.name,
            "type": int(t.tensor_type),
            "dimensions": [int(d) for d in t.shape],
            "offset": int(t.data_offset - reader.data_offset),
            "byteCount": int(t.n_bytes),
            "headHash": f"{fnv1a64(data[:EDGE_BYTES]):016x}",
            "tailHash": f"{fnv1a64(data[-EDGE_BYTES:]):016x}",
        })
    return {
        "version": int(reader.fields["GGUF.version"].contents()),
        "dataOffset": int(reader.data_offset),
        "alignment": int(reader.alignment),
        "fileSize": os.path.getsize(path),
        "metadata": metadata,
        "tensors": tensors,
    }


def write_all_types_file(path: str):
    """A small file from gguf-py's writer with every value type, a nested array and four tensor types."""
    writer = gguf.GGUFWriter(path, arch="test")
    writer.add_custom_alignment(64)
    writer.add_uint8("t.u8", 200)
    writer.add_int8("t.i8", -100)
    writer.add_uint16("t.u16", 60000)
    writer.add_int16("t.i16", -30000)
    writer.add_uint32("t.u32", 4000000000)
    writer.add_int32("t.i32", -2000000000)
    writer.add_float32("t.f32", 0.1)
    writer.add_uint64("t.u64", 18000000000000000000)
    writer.add_int64("t.i64", -9000000000000000000)
    writer.add_float64("t.f64", 0.1)
    writer.add_bool("t.bool.true", True)
    writer.add_bool("t.bool.false", False)
    writer.add_string("t.string", "héllo, 世界 🔥")
    writer.add_key_value("t.string.empty", "", gguf.GGUFValueType.STRING)  # add_string skips empty strings
    writer.add_array("t.array.strings", ["a", "", "ß", "<0x0A>"])
    writer.add_array("t.array.i32", [1, -2, 3])
    writer.add_array("t.array.f32", [0.5, -1.25, 3.0])
    writer.add_array("t.array.bool", [True, False, True])
    writer.add_key_value("t.array.u8", [0, 1, 255], gguf.GGUFValueType.ARRAY, sub_type=gguf.GGUFValueType.UINT8)
    writer.add_key_value("t.array.u64", [0, 2**64 - 1], gguf.GGUFValueType.ARRAY, sub_type=gguf.GGUFValueType.UINT64)
    writer.add_key_value("t.array.f64", [0.1, -2.5], gguf.GGUFValueType.ARRAY, sub_type=gguf.GGUFValueType.FLOAT64)
    writer.add_array("t.array.nested", [[1, 2], [3], [4, 5, 6]])
    writer.add_array("t.array.nested.strings", [["x", "y"], ["z"]])

    rng = np.random.default_rng(7)
    writer.add_tensor("f32.vector", rng.standard_normal(8).astype(np.float32))
    writer.add_tensor("f32.matrix", rng.standard_normal((3, 5)).astype(np.float32))
    writer.add_tensor("f16.matrix", rng.standard_normal((2, 4)).astype(np.float16))
    q8 = gguf.quants.quantize(rng.standard_normal((2, 64)).astype(np.float32), gguf.GGMLQuantizationType.Q8_0)
    writer.add_tensor("q8_0.matrix", q8, raw_shape=q8.shape, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
    # gguf-py cannot quantize to Q4_K; the reader only needs whole blocks of bytes.
    q4k = rng.integers(0, 256, size=(1, 144), dtype=np.uint8)
    writer.add_tensor("q4_k.row", q4k, raw_shape=q4k.shape, raw_dtype=gguf.GGMLQuantizationType.Q4_K)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main():
    models_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/hearth/models")
    all_types = os.path.join(HERE, "gguf-py-all-types.bin")
    write_all_types_file(all_types)
    fixtures = {"gguf-py-all-types": describe_file(all_types), "models": {}}
    for name, file in MODELS.items():
        path = os.path.join(models_dir, file)
        if os.path.exists(path):
            fixtures["models"][name] = describe_file(path)
        else:
            print(f"skipping {name}: {path} not found", file=sys.stderr)
    with open(os.path.join(HERE, "gguf-py-reference.json"), "w") as out:
        json.dump(fixtures, out, indent=1, ensure_ascii=False)
        out.write("\n")


if __name__ == "__main__":
    main()
