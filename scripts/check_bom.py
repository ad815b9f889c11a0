#!/usr/bin/env python3
"""The ML bill of materials (`hearth show MODEL --bom`) against the CycloneDX 1.6 JSON schema, with
the schema and validator of `cyclonedx-python-lib` (strict: no property the schema does not define).

Checked: every catalog model, and two models imported into a scratch store from GGUF files written
here with llama.cpp's own `gguf` package: one with the lineage a converted fine-tune carries
(base model, organisation, a licence that is not SPDX, quantizer), and one split in two parts.
Each BOM must validate, and carry the SHA-256 of the bytes on disk.

Run with a virtual environment holding `cyclonedx-python-lib[json-validation]` and `gguf`
(scripts/test.sh makes one); needs a release build (.build/release/hearth)."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from gguf import GGUFWriter

ROOT = Path(__file__).resolve().parent.parent
HEARTH = ROOT / ".build" / "release" / "hearth"
CATALOG = ["smollm2-135m-instruct", "gemma3-270m", "qwen2.5-coder-0.5b-instruct"]


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def bom(model, env=None):
    out = subprocess.run([str(HEARTH), "show", model, "--bom"], capture_output=True, text=True, env=env, timeout=300)
    if out.returncode != 0:
        raise SystemExit(f"hearth show {model} --bom failed: {out.stderr.strip()}")
    return out.stdout


def write_gguf(path, split_max_tensors=0, lineage=False):
    writer = GGUFWriter(str(path), "llama", split_max_tensors=split_max_tensors)
    writer.add_name("Tiny Test Model")
    writer.add_context_length(128)
    if lineage:
        writer.add_organization("Meta Llama")
        writer.add_license("llama3.1")
        writer.add_string("general.quantized_by", "a test")
        writer.add_uint32("general.base_model.count", 1)
        writer.add_string("general.base_model.0.name", "Llama 3.1 8B")
        writer.add_string("general.base_model.0.organization", "Meta Llama")
        writer.add_string("general.base_model.0.repo_url", "https://huggingface.co/meta-llama/Llama-3.1-8B")
    writer.add_tensor("token_embd.weight", np.arange(64, dtype=np.float32).reshape(4, 16))
    writer.add_tensor("output_norm.weight", np.ones(16, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main():
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    failures = []

    def check(label, text, files):
        error = validator.validate_str(text)
        if error is not None:
            failures.append(f"{label}: {str(error).splitlines()[0]}")
            return
        document = json.loads(text)
        model = document["components"][0]
        hashes = [h["content"] for h in model.get("hashes", [])] or \
                 [h["content"] for part in model.get("components", []) for h in part["hashes"]]
        expected = [sha256(f) for f in files]
        if hashes != expected:
            failures.append(f"{label}: hashes {hashes} but the files hash to {expected}")
            return
        print(f"ok  {label}: valid CycloneDX 1.6, {len(hashes)} file hash(es) match the bytes")

    for name in CATALOG:
        listing = subprocess.run([str(HEARTH), "pull", name], capture_output=True, text=True, check=True).stdout
        path = listing.strip().split("\t")[-1]
        check(name, bom(name), [path])

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        env = dict(os.environ, HEARTH_MODELS_DIR=str(scratch / "store"))
        single = scratch / "tuned.gguf"
        write_gguf(single, lineage=True)
        subprocess.run([str(HEARTH), "import", str(single), "--name", "tuned"], env=env, check=True, capture_output=True)
        text = bom("tuned", env)
        check("imported fine-tune", text, [single])
        model = json.loads(text)["components"][0]
        assert model["licenses"] == [{"license": {"name": "llama3.1"}}], model["licenses"]
        assert model["supplier"]["name"] == "Meta", model["supplier"]
        assert model["pedigree"]["ancestors"][0]["name"] == "Llama 3.1 8B", model["pedigree"]

        split_dir = scratch / "split"
        split_dir.mkdir()
        write_gguf(split_dir / "tiny.gguf", split_max_tensors=1)
        parts = sorted(split_dir.glob("tiny-0000*-of-00002.gguf"))
        assert len(parts) == 2, list(split_dir.iterdir())
        subprocess.run([str(HEARTH), "import", str(parts[0]), "--name", "split"], env=env, check=True, capture_output=True)
        check("imported split model", bom("split", env), parts)

    if failures:
        print("\n".join("FAIL " + f for f in failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
