import Foundation

/// `hearth import`: a local GGUF file (or every part of a split one) copied into the store.
extension ModelStore {
    /// Copies the file into the store, hashing as it copies, and records it under `name` (default: the
    /// file name without `.gguf`). The original is left where it is.
    public func importFile(_ url: URL, name: String? = nil, events: StoreEvents = .silent) async throws -> ModelManifest {
        let parts = try GGUFSplit.parts(startingWith: url)
        var base = url.lastPathComponent
        if base.lowercased().hasSuffix(".gguf") { base = String(base.dropLast(5)) }
        if GGUFSplit.part(of: url.lastPathComponent) != nil { base = String(base.dropLast(15)) }
        let name = name ?? base
        try Self.validateLocalName(name)
        if let existing = try manifest(named: name) {
            throw StoreError.io("a model named '\(name)' is already in the store (from \(existing.source.path ?? existing.source.url ?? existing.source.kind)); `hearth rm \(name)` first or pass --name")
        }
        var files: [ModelManifest.File] = []
        for part in parts {
            files.append(try await importBlob(part, events: events))
        }
        let manifest = ModelManifest(name: name, source: .init(kind: "file", path: url.standardizedFileURL.path), files: files)
        try save(manifest)
        return manifest
    }

    /// Names for imported models: not a catalog name and not a Hub reference (the store would then
    /// claim a source the file never had), printable, at most 200 bytes.
    static func validateLocalName(_ name: String) throws {
        guard !name.isEmpty, name.utf8.count <= 200 else {
            throw StoreError.badReference(name, reason: "a model name is 1 to 200 bytes")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }), !name.hasPrefix("-") else {
            throw StoreError.badReference(name, reason: "a model name has no control characters and does not start with '-'")
        }
        if Catalog.entry(named: name) != nil {
            throw StoreError.badReference(name, reason: "that is a catalog model's name; pass --name")
        }
        if (try? HubReference(parsing: name)) != nil || HubReference.hasHubPrefix(name) {
            throw StoreError.badReference(name, reason: "names starting hf.co/ are for models pulled from the Hub; pass --name")
        }
    }

    private func importBlob(_ source: URL, events: StoreEvents) async throws -> ModelManifest.File {
        let fm = FileManager.default
        guard let input = FileHandle(forReadingAtPath: source.path) else { throw StoreError.io("cannot read \(source.path)") }
        defer { try? input.close() }
        let magic = (try? input.read(upToCount: 4)) ?? Data()
        guard magic == Data("GGUF".utf8) else {
            throw StoreError.io("\(source.path) is not a GGUF file (it does not start with the bytes GGUF)")
        }
        try input.seek(toOffset: 0)
        let size = ((try? fm.attributesOfItem(atPath: source.path))?[.size] as? NSNumber)?.int64Value ?? 0
        try Self.ensureDirectory(blobsDirectory)
        try requireSpace(size)
        let temporary = blobsDirectory.appendingPathComponent(".import-\(UUID().uuidString)")
        guard fm.createFile(atPath: temporary.path, contents: nil), let output = FileHandle(forWritingAtPath: temporary.path) else {
            throw StoreError.io("cannot write \(temporary.path)")
        }
        var hasher = SHA256Hasher()
        var copied: Int64 = 0
        let started = Date()
        do {
            while let chunk = try input.read(upToCount: 1 << 22), !chunk.isEmpty {
                chunk.withUnsafeBytes { hasher.update($0) }
                try output.write(contentsOf: chunk)
                copied += Int64(chunk.count)
                events.progress(DownloadProgress(file: source.lastPathComponent, bytes: copied, total: size, received: copied,
                                                 elapsed: Date().timeIntervalSince(started), finished: false))
            }
            try output.close()
        } catch {
            try? output.close()
            try? fm.removeItem(at: temporary)
            throw StoreError.io("cannot copy \(source.path) into the store: \(error.localizedDescription)")
        }
        let digest = hasher.finalizeHex()
        events.progress(DownloadProgress(file: source.lastPathComponent, bytes: copied, total: size, received: copied,
                                         elapsed: Date().timeIntervalSince(started), finished: true))
        let lock = try await lockBlob(digest)
        defer { lock.release() }
        if blobIsIntact(digest) {
            try? fm.removeItem(at: temporary)  // the same bytes are stored already: one copy
        } else {
            try adopt(temporary, sha256: digest)
        }
        return .init(name: source.lastPathComponent, sha256: digest, size: copied)
    }
}
