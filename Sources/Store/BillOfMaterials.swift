import Foundation
import JSON

/// A machine-learning bill of materials in CycloneDX 1.6 JSON: the model as a
/// `machine-learning-model` component with the SHA-256 of its file(s), its licence, its supplier,
/// its lineage as pedigree, a model card with what the file says of its architecture, and Hearth's
/// provenance fields as `hearth:` properties. It validates against the CycloneDX 1.6 JSON schema
/// (checked in CI with `cyclonedx-python-lib`, strict mode).
public enum BillOfMaterials {
    /// What the GGUF file says of the model itself.
    public struct ModelFacts: Sendable {
        public var architecture: String?
        public var parameters: Int
        /// The quantization holding most of the bytes (`Q4_K`), and every type with its tensor count.
        public var quantization: String?
        public var contextLength: Int?
        public var layers: Int?

        public init(architecture: String?, parameters: Int, quantization: String?, contextLength: Int?, layers: Int?) {
            self.architecture = architecture
            self.parameters = parameters
            self.quantization = quantization
            self.contextLength = contextLength
            self.layers = layers
        }
    }

    public struct File: Sendable {
        public var name: String
        public var sha256: String
        public var size: Int64

        public init(name: String, sha256: String, size: Int64) {
            self.name = name
            self.sha256 = sha256
            self.size = size
        }
    }

    public static func cycloneDX(name: String, provenance: ModelProvenance, files: [File], facts: ModelFacts,
                                 toolVersion: String, timestamp: Date = Date(), serial: UUID = UUID()) -> JSONValue {
        let modelRef = "model:" + name
        var model = JSONObject([
            ("type", "machine-learning-model"),
            ("bom-ref", .string(modelRef)),
            ("name", .string(name)),
        ])
        if let revision = provenance.revision { model["version"] = .string(revision) }
        if let organisation = provenance.organisation {
            model["supplier"] = .object(JSONObject([("name", .string(organisation))]))
            model["manufacturer"] = .object(JSONObject([("name", .string(organisation))]))
        }
        if let quantizer = provenance.quantizedBy {
            model["publisher"] = .string(quantizer)
        }
        if files.count == 1 {
            model["hashes"] = .array([hash(files[0].sha256)])
        } else {
            model["components"] = .array(files.map { file in
                .object(JSONObject([
                    ("type", "file"), ("bom-ref", .string("file:" + file.name)), ("name", .string(file.name)),
                    ("hashes", .array([hash(file.sha256)])),
                    ("properties", .array([property("hearth:size_bytes", String(file.size))])),
                ]))
            })
        }
        if let licence = licence(provenance.licence) { model["licenses"] = .array([licence]) }
        if let repository = provenance.sourceURL, provenance.sourceKind == "huggingface",
           let purl = huggingFacePURL(repositoryURL: repository, revision: provenance.revision) {
            model["purl"] = .string(purl)
        }
        var references: [JSONValue] = []
        if let source = provenance.sourceURL, source.hasPrefix("http") { references.append(reference("distribution", source)) }
        if let upstream = provenance.upstream, upstream.hasPrefix("http") { references.append(reference("model-card", upstream)) }
        if let url = provenance.licence.url, url.hasPrefix("http") { references.append(reference("license", url)) }
        if !references.isEmpty { model["externalReferences"] = .array(references) }
        if !provenance.baseModels.isEmpty {
            model["pedigree"] = .object(JSONObject([("ancestors", .array(provenance.baseModels.enumerated().map { index, base in
                var ancestor = JSONObject([
                    ("type", "machine-learning-model"),
                    ("bom-ref", .string("\(modelRef)#base-\(index)")),
                    ("name", .string(base.name ?? "unknown")),
                ])
                if let version = base.version { ancestor["version"] = .string(version) }
                if let organisation = base.organisation { ancestor["supplier"] = .object(JSONObject([("name", .string(organisation))])) }
                if let url = base.repositoryURL, url.hasPrefix("http") { ancestor["externalReferences"] = .array([reference("model-card", url)]) }
                return .object(ancestor)
            }))]))
        }
        var parameters = JSONObject([("task", "text-generation")])
        if let architecture = facts.architecture {
            parameters["architectureFamily"] = .string(architecture)
            var description = "\(architecture) decoder-only transformer"
            if let layers = facts.layers { description += ", \(layers) layers" }
            description += ", \(facts.parameters) parameters"
            if let quantization = facts.quantization { description += ", GGUF \(quantization)" }
            parameters["modelArchitecture"] = .string(description)
        }
        parameters["inputs"] = .array([.object(JSONObject([("format", "text")]))])
        parameters["outputs"] = .array([.object(JSONObject([("format", "text")]))])
        model["modelCard"] = .object(JSONObject([
            ("bom-ref", .string(modelRef + "#model-card")),
            ("modelParameters", .object(parameters)),
        ]))

        var properties: [JSONValue] = []
        func add(_ key: String, _ value: String?) { properties.append(property("hearth:" + key, value ?? "unknown")) }
        add("developer.organisation", provenance.organisation)
        add("developer.country", provenance.country)
        add("developer.source", provenance.developerSource)
        add("licence.source", provenance.licence.source)
        add("openness.weights", provenance.weights.rawValue)
        add("openness.code", provenance.code.rawValue)
        add("openness.training_data", provenance.data.rawValue)
        add("openness.training_recipe", provenance.recipe.rawValue)
        add("openness.source", provenance.opennessSource)
        if let finetune = provenance.finetune { add("lineage.finetune", finetune) }
        add("lineage.quantized_by", provenance.quantizedBy)
        add("source.kind", provenance.sourceKind)
        if let revision = provenance.revision { add("source.revision", revision) }
        add("gguf.parameters", String(facts.parameters))
        if let quantization = facts.quantization { add("gguf.quantization", quantization) }
        if let context = facts.contextLength { add("gguf.context_length", String(context)) }
        add("file.size_bytes", String(files.reduce(0) { $0 + $1.size }))
        model["properties"] = .array(properties)

        let metadata = JSONObject([
            ("timestamp", .string(ISO8601DateFormatter().string(from: timestamp))),
            ("tools", .object(JSONObject([("components", .array([.object(JSONObject([
                ("type", "application"), ("name", "hearth"), ("version", .string(toolVersion)),
            ]))]))]))),
            ("component", .object(JSONObject([
                ("type", "machine-learning-model"), ("bom-ref", .string("subject:" + name)), ("name", .string(name)),
            ]))),
        ])
        return .object(JSONObject([
            ("bomFormat", "CycloneDX"),
            ("specVersion", "1.6"),
            ("serialNumber", .string("urn:uuid:" + serial.uuidString.lowercased())),
            ("version", 1),
            ("metadata", .object(metadata)),
            ("components", .array([.object(model)])),
        ]))
    }

    private static func hash(_ sha256: String) -> JSONValue {
        .object(JSONObject([("alg", "SHA-256"), ("content", .string(sha256))]))
    }

    private static func property(_ name: String, _ value: String) -> JSONValue {
        .object(JSONObject([("name", .string(name)), ("value", .string(value))]))
    }

    private static func reference(_ type: String, _ url: String) -> JSONValue {
        .object(JSONObject([("type", .string(type)), ("url", .string(url))]))
    }

    /// An SPDX licence by id; any other by name and URL; nil when nothing is known.
    private static func licence(_ licence: ModelProvenance.Licence) -> JSONValue? {
        if let id = licence.spdx {
            return .object(JSONObject([("license", .object(JSONObject([("id", .string(id))])))]))
        }
        guard let name = licence.name else { return nil }
        var entry = JSONObject([("name", .string(name))])
        if let url = licence.url, url.hasPrefix("http") { entry["url"] = .string(url) }
        return .object(JSONObject([("license", .object(entry))]))
    }

    /// `pkg:huggingface/ORG/REPO@COMMIT`, the package URL type for Hub models.
    static func huggingFacePURL(repositoryURL: String, revision: String?) -> String? {
        let parts = repositoryURL.split(separator: "/").suffix(2)
        guard parts.count == 2 else { return nil }
        var purl = "pkg:huggingface/\(parts.joined(separator: "/"))"
        if let revision { purl += "@" + revision.lowercased() }
        return purl
    }
}
