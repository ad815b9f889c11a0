import Foundation

/// Manifests: the named models of the store, listed, removed and verified.
extension ModelStore {
    /// A manifest's file name: the model name with every byte outside `[A-Za-z0-9._-]` percent-encoded,
    /// so `hf.co/ORG/REPO:Q4_K_M` is one flat file and no name can reach outside the directory.
    func manifestURL(_ name: String) -> URL {
        var encoded = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                encoded.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: ".") where !encoded.isEmpty:
                encoded.append(".")
            default:
                encoded += String(format: "%%%02X", byte)
            }
        }
        return manifestsDirectory.appendingPathComponent(encoded + ".json")
    }

    /// The manifest stored under that name, nil when there is none; a damaged one is an error naming it.
    public func manifest(named name: String) throws -> ModelManifest? {
        let url = manifestURL(name)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let manifest = try ModelManifest.decode(data, path: url.path)
        guard manifest.name == name else {
            throw StoreError.badManifest(path: url.path, reason: "it names '\(manifest.name)', not '\(name)'")
        }
        return manifest
    }

    /// Every manifest in the store, by name; damaged ones are returned apart so one bad file does not
    /// hide the rest.
    public func manifests() throws -> [ModelManifest] {
        try manifestsAndProblems().manifests
    }

    public func manifestsAndProblems() throws -> (manifests: [ModelManifest], problems: [StoreError]) {
        let fm = FileManager.default
        guard fm.fileExists(atPath: manifestsDirectory.path) else { return ([], []) }
        var manifests: [ModelManifest] = []
        var problems: [StoreError] = []
        for file in try fm.contentsOfDirectory(atPath: manifestsDirectory.path).sorted() where file.hasSuffix(".json") {
            let path = manifestsDirectory.appendingPathComponent(file).path
            guard let data = fm.contents(atPath: path) else { continue }
            do {
                manifests.append(try ModelManifest.decode(data, path: path))
            } catch let error as StoreError {
                problems.append(error)
            }
        }
        return (manifests.sorted { $0.name < $1.name }, problems)
    }

    /// Writes a manifest atomically (a reader sees the old one or the new one, never half of one).
    public func save(_ manifest: ModelManifest) throws {
        try Self.ensureDirectory(manifestsDirectory)
        let url = manifestURL(manifest.name)
        do {
            try manifest.encoded().write(to: url, options: .atomic)
        } catch {
            throw StoreError.io("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// Removes a model's manifest, and each of its blobs no other manifest uses. Returns the bytes freed.
    @discardableResult
    public func remove(_ name: String) throws -> Int64 {
        guard let manifest = try manifest(named: name) else {
            throw StoreError.unknownModel(name, known: (try? manifests().map(\.name)) ?? [])
        }
        try FileManager.default.removeItem(at: manifestURL(name))
        let stillUsed = Set(try manifests().flatMap { $0.files.map(\.sha256) })
        var freed: Int64 = 0
        for file in manifest.files where !stillUsed.contains(file.sha256) {
            if FileManager.default.fileExists(atPath: blobURL(file.sha256).path) { freed += file.size }
            removeBlob(file.sha256)
        }
        if let entry = Catalog.entry(named: name) {
            try? FileManager.default.removeItem(at: location(of: entry))
        }
        return freed
    }

    /// Hashes every file of a model again (the thorough check `hearth verify` makes).
    public func verify(_ manifest: ModelManifest) throws {
        for file in manifest.files {
            try rehashBlob(file, model: manifest.name)
        }
    }

    /// The cheap check only (size, modification time, inode); nil when it passes.
    public func quickCheck(_ manifest: ModelManifest) -> StoreError? {
        for file in manifest.files {
            guard FileManager.default.fileExists(atPath: blobURL(file.sha256).path) else {
                return .missingBlob(model: manifest.name, file: file.name, path: blobURL(file.sha256).path)
            }
            if !blobLooksVerified(file.sha256) {
                return .io("\(manifest.name): \(file.name) changed since it was verified; `hearth verify \(manifest.name)` hashes it again")
            }
        }
        return nil
    }

    /// When the model's files were last hashed and found right (the oldest of its files), if they
    /// have not changed since.
    public func lastVerified(_ manifest: ModelManifest) -> Date? {
        let dates = manifest.files.map { verifiedDate($0.sha256) }
        guard dates.allSatisfy({ $0 != nil }) else { return nil }
        return dates.compactMap { $0 }.min()
    }

    /// The files of a stored model, in order (no check: `resolve` is the way to load one).
    public func blobURLs(_ manifest: ModelManifest) -> [URL] {
        manifest.files.map { blobURL($0.sha256) }
    }
}
