import Foundation

/// What the store knows about one named model: where its bytes came from and what they must hash to.
///
/// A manifest is small JSON under `manifests/`; the bytes are blobs under `blobs/`, named by their
/// SHA-256, so two names for the same file share one copy. A split GGUF model lists its parts in order.
public struct ModelManifest: Codable, Sendable, Equatable {
    public static let currentSchema = 1

    public struct Source: Codable, Sendable, Equatable {
        /// `huggingface`, `catalog` or `file`.
        public var kind: String
        /// The page or file URL the model came from (Hub repository URL, or nil for a local file).
        public var url: String?
        /// `ORG/REPO` on the Hub.
        public var repository: String?
        /// The commit the files were taken from (Hub), or the catalog's pinned packages.
        public var revision: String?
        /// The revision the user asked for (a branch, tag or commit).
        public var requestedRevision: String?
        /// The Hub endpoint (`HF_ENDPOINT`), recorded so a mirror is never mistaken for the Hub.
        public var endpoint: String?
        /// For an imported file: the path it was imported from.
        public var path: String?

        public init(kind: String, url: String? = nil, repository: String? = nil, revision: String? = nil,
                    requestedRevision: String? = nil, endpoint: String? = nil, path: String? = nil) {
            self.kind = kind
            self.url = url
            self.repository = repository
            self.revision = revision
            self.requestedRevision = requestedRevision
            self.endpoint = endpoint
            self.path = path
        }
    }

    public struct File: Codable, Sendable, Equatable {
        /// The file's name at its source (the Hub path, the catalog file name, the imported file name).
        public var name: String
        public var sha256: String
        public var size: Int64
        /// Where it was downloaded from, if it was.
        public var url: String?

        public init(name: String, sha256: String, size: Int64, url: String? = nil) {
            self.name = name
            self.sha256 = sha256
            self.size = size
            self.url = url
        }
    }

    public var schema: Int
    /// The name the model is used by: what the user typed (`hf.co/ORG/REPO:QUANT`), or a catalog name.
    public var name: String
    public var source: Source
    /// The GGUF file, or a split model's parts in order.
    public var files: [File]
    /// When the model entered the store (ISO 8601, UTC).
    public var added: String

    public init(name: String, source: Source, files: [File], added: Date = Date()) {
        self.schema = Self.currentSchema
        self.name = name
        self.source = source
        self.files = files
        self.added = ISO8601DateFormatter().string(from: added)
    }

    public var totalSize: Int64 { files.reduce(0) { $0 + $1.size } }

    /// Decodes a manifest and checks what the store relies on: a known schema, a name, at least one
    /// file, and each hash 64 lowercase hex digits (it becomes a path, so nothing else may pass).
    static func decode(_ data: Data, path: String) throws -> ModelManifest {
        let manifest: ModelManifest
        do {
            manifest = try JSONDecoder().decode(ModelManifest.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw StoreError.badManifest(path: path, reason: "field '\(key.stringValue)' is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw StoreError.badManifest(path: path, reason: "field '\(field)': \(context.debugDescription)")
        } catch {
            throw StoreError.badManifest(path: path, reason: "not valid JSON")
        }
        guard manifest.schema == currentSchema else {
            throw StoreError.badManifest(path: path, reason: "schema \(manifest.schema); this Hearth reads schema \(currentSchema)")
        }
        guard !manifest.name.isEmpty else { throw StoreError.badManifest(path: path, reason: "empty name") }
        guard !manifest.files.isEmpty else { throw StoreError.badManifest(path: path, reason: "no files") }
        for (index, file) in manifest.files.enumerated() {
            guard isSHA256(file.sha256) else {
                throw StoreError.badManifest(path: path, reason: "files[\(index)].sha256 is not 64 lowercase hex digits")
            }
            guard file.size >= 0 else { throw StoreError.badManifest(path: path, reason: "files[\(index)].size is negative") }
        }
        return manifest
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// 64 lowercase hex digits.
public func isSHA256(_ text: String) -> Bool {
    text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
}
