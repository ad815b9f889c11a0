import Foundation
import GGUF
import JSON

/// Where a model comes from and on what terms: who made it and where, its licence, how open it is,
/// what it was derived from, and where this file was taken.
///
/// Each field says where it was read: the file's own metadata (`general.*`, as llama.cpp's converter
/// writes it), a curated record (the catalog's models; developers known by their Hub organisation),
/// or the store's manifest. What none of them says is "unknown", never a guess.
public struct ModelProvenance: Sendable, Equatable {
    public enum Openness: String, Sendable, Equatable {
        case open, notOpen = "not open", unknown
    }

    public struct Licence: Sendable, Equatable {
        /// An SPDX identifier when the licence is one (`Apache-2.0`), else nil.
        public var spdx: String?
        /// The licence's name as the file or record gives it (`apache-2.0`, `gemma`, `llama3.1`).
        public var name: String?
        public var url: String?
        public var source: String
    }

    public struct BaseModel: Sendable, Equatable {
        public var name: String?
        public var organisation: String?
        public var version: String?
        public var repositoryURL: String?
    }

    public var name: String
    public var organisation: String?
    public var country: String?
    public var developerSource: String
    public var licence: Licence
    public var weights: Openness
    public var code: Openness
    public var data: Openness
    public var recipe: Openness
    public var opennessSource: String
    public var baseModels: [BaseModel]
    public var finetune: String?
    public var quantizedBy: String?
    public var author: String?
    public var sizeLabel: String?
    public var sourceKind: String
    public var sourceURL: String?
    public var revision: String?
    /// The original model's page, when the record knows it (a catalog model's upstream repository).
    public var upstream: String?
    public var notes: String?

    public init(name: String, manifest: ModelManifest?, metadata: GGUFMetadata) {
        self.name = name
        let general = { (key: String) -> String? in
            metadata.string("general." + key).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }
        let catalog = Catalog.entry(named: name)?.provenance

        // Lineage, from the file.
        let baseCount = min(metadata.int("general.base_model.count") ?? 0, 32)
        baseModels = (0..<max(baseCount, 0)).map { i in
            BaseModel(name: general("base_model.\(i).name"), organisation: general("base_model.\(i).organization"),
                      version: general("base_model.\(i).version"), repositoryURL: general("base_model.\(i).repo_url"))
        }
        finetune = general("finetune")
        quantizedBy = general("quantized_by")
        author = general("author")
        sizeLabel = general("size_label")

        // Source, from the manifest.
        sourceKind = manifest?.source.kind ?? "file"
        sourceURL = manifest?.source.url ?? manifest?.source.path
        revision = manifest?.source.revision
        upstream = catalog?.upstream ?? general("source.repo_url") ?? general("repo_url")

        // Developer: the curated record, else the file's organisation, else the Hub repository's
        // owner when it is a developer the table knows (a quantizer's repository is not the developer).
        if let catalog {
            organisation = catalog.organisation
            country = catalog.country
            developerSource = "curated record of the catalog model"
        } else if let org = general("organization"), let known = Developers.lookup(org) {
            (organisation, country) = (known.organisation, known.country)
            developerSource = "GGUF general.organization '\(org)', with the curated table of developers"
        } else if let org = general("organization") {
            (organisation, country) = (org, nil)
            developerSource = "GGUF general.organization (country not in the curated table)"
        } else if let owner = manifest?.source.repository?.split(separator: "/").first.map(String.init), let known = Developers.lookup(owner) {
            (organisation, country) = (known.organisation, known.country)
            developerSource = "Hub organisation '\(owner)', with the curated table of developers"
        } else {
            (organisation, country) = (nil, nil)
            developerSource = "not stated in the file or any record"
        }

        // Licence: the curated record, else the file.
        if let catalog {
            licence = Licence(spdx: catalog.licenceSPDX, name: catalog.licenceName, url: catalog.licenceURL,
                              source: "curated record of the catalog model")
        } else if let name = general("license") ?? general("license.name") {
            let spdx = SPDX.identifier(for: name)
            licence = Licence(spdx: spdx, name: name, url: general("license.link") ?? spdx.map { "https://spdx.org/licenses/\($0).html" },
                              source: "GGUF general.license")
        } else {
            licence = Licence(spdx: nil, name: nil, url: nil, source: "not stated in the file")
        }

        if let catalog {
            (weights, code, data, recipe) = (catalog.weights, catalog.code, catalog.data, catalog.recipe)
            opennessSource = "curated record of the catalog model"
        } else {
            // The weights are in hand; whether code, data and recipe were released, no file says.
            (weights, code, data, recipe) = (.open, .unknown, .unknown, .unknown)
            opennessSource = "weights: the file is downloadable; the rest is in no record Hearth has"
        }
        notes = catalog?.notes
    }

    /// The record as JSON, for the audit's run records and `hearth show --output json`.
    public var json: JSONValue {
        func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        return .object(JSONObject([
            ("organisation", optional(organisation)),
            ("country", optional(country)),
            ("developer_source", .string(developerSource)),
            ("licence", .object(JSONObject([
                ("spdx", optional(licence.spdx)), ("name", optional(licence.name)), ("url", optional(licence.url)),
                ("source", .string(licence.source)),
            ]))),
            ("openness", .object(JSONObject([
                ("weights", .string(weights.rawValue)), ("code", .string(code.rawValue)),
                ("data", .string(data.rawValue)), ("recipe", .string(recipe.rawValue)),
                ("source", .string(opennessSource)),
            ]))),
            ("lineage", .object(JSONObject([
                ("base_models", .array(baseModels.map { base in
                    .object(JSONObject([("name", optional(base.name)), ("organisation", optional(base.organisation)),
                                        ("version", optional(base.version)), ("repository", optional(base.repositoryURL))]))
                })),
                ("finetune", optional(finetune)), ("quantized_by", optional(quantizedBy)), ("author", optional(author)),
                ("size_label", optional(sizeLabel)),
            ]))),
            ("source", .object(JSONObject([
                ("kind", .string(sourceKind)), ("url", optional(sourceURL)), ("revision", optional(revision)),
                ("upstream", optional(upstream)),
            ]))),
        ]))
    }

    /// Label and value lines for `hearth show`.
    public var lines: [(String, String)] {
        func known(_ value: String?) -> String { value ?? "unknown" }
        var out: [(String, String)] = []
        out.append(("developer", "\(known(organisation)), \(known(country))  [\(developerSource)]"))
        var licenceText = licence.spdx ?? licence.name ?? "unknown"
        if let url = licence.url { licenceText += " (\(url))" }
        out.append(("licence", "\(licenceText)  [\(licence.source)]"))
        out.append(("openness", "weights \(weights.rawValue), code \(code.rawValue), training data \(data.rawValue), recipe \(recipe.rawValue)  [\(opennessSource)]"))
        if !baseModels.isEmpty {
            out.append(("base models", baseModels.map { base in
                [base.organisation, base.name, base.version].compactMap { $0 }.joined(separator: " ") + (base.repositoryURL.map { " (\($0))" } ?? "")
            }.joined(separator: "; ")))
        }
        if let finetune { out.append(("fine-tune", finetune)) }
        out.append(("quantized by", known(quantizedBy)))
        var source = sourceKind
        if let sourceURL { source += " \(sourceURL)" }
        if let revision { source += " @ \(revision)" }
        out.append(("source", source))
        if let upstream { out.append(("upstream", upstream)) }
        if let notes { out.append(("note", notes)) }
        return out
    }
}

/// What the catalog knows of its own models, checked by hand against their model cards.
public struct CuratedProvenance: Sendable, Hashable {
    public let organisation: String
    public let country: String
    public let licenceSPDX: String?
    public let licenceName: String
    public let licenceURL: String
    public let weights: ModelProvenance.Openness
    public let code: ModelProvenance.Openness
    public let data: ModelProvenance.Openness
    public let recipe: ModelProvenance.Openness
    public let upstream: String
    public let notes: String?
}

/// Developers of open-weight models, by Hub organisation, with the country of their headquarters.
/// Matching ignores case, spaces, '-' and '_' (`Meta Llama` is `meta-llama`); a name not here is
/// reported as unknown rather than guessed.
enum Developers {
    static let table: [String: (organisation: String, country: String)] = [
        "qwen": ("Alibaba Cloud (Qwen team)", "China"),
        "deepseekai": ("DeepSeek", "China"),
        "deepseek": ("DeepSeek", "China"),
        "zaiorg": ("Zhipu AI (Z.ai)", "China"),
        "thudm": ("Zhipu AI (Z.ai)", "China"),
        "moonshotai": ("Moonshot AI", "China"),
        "01ai": ("01.AI", "China"),
        "baidu": ("Baidu", "China"),
        "internlm": ("Shanghai AI Laboratory", "China"),
        "minimaxai": ("MiniMax", "China"),
        "tencent": ("Tencent", "China"),
        "metallama": ("Meta", "United States"),
        "meta": ("Meta", "United States"),
        "google": ("Google", "United States"),
        "microsoft": ("Microsoft", "United States"),
        "openai": ("OpenAI", "United States"),
        "nvidia": ("NVIDIA", "United States"),
        "ibmgranite": ("IBM", "United States"),
        "allenai": ("Allen Institute for AI", "United States"),
        "huggingfacetb": ("Hugging Face", "United States"),
        "mistralai": ("Mistral AI", "France"),
        "swissai": ("Swiss AI Initiative (EPFL, ETH Zurich)", "Switzerland"),
        "tiiuae": ("Technology Innovation Institute", "United Arab Emirates"),
        "coherelabs": ("Cohere", "Canada"),
        "cohereforai": ("Cohere", "Canada"),
    ]

    static func lookup(_ name: String) -> (organisation: String, country: String)? {
        let key = String(name.lowercased().unicodeScalars.filter { !" -_.".unicodeScalars.contains($0) })
        return table[key]
    }
}

/// Licence names as model cards write them, mapped to SPDX identifiers where there is one.
enum SPDX {
    static let identifiers: [String: String] = [
        "apache-2.0": "Apache-2.0", "apache 2.0": "Apache-2.0", "mit": "MIT",
        "bsd-3-clause": "BSD-3-Clause", "bsd-2-clause": "BSD-2-Clause",
        "cc-by-4.0": "CC-BY-4.0", "cc-by-sa-4.0": "CC-BY-SA-4.0", "cc-by-nc-4.0": "CC-BY-NC-4.0",
        "cc-by-nc-sa-4.0": "CC-BY-NC-SA-4.0", "cc0-1.0": "CC0-1.0", "gpl-3.0": "GPL-3.0-only",
        "lgpl-3.0": "LGPL-3.0-only", "agpl-3.0": "AGPL-3.0-only", "mpl-2.0": "MPL-2.0",
    ]

    /// nil for licences SPDX does not list (the Llama, Gemma and Qwen licences among them).
    static func identifier(for name: String) -> String? {
        identifiers[name.lowercased().trimmingCharacters(in: .whitespaces)]
    }
}
