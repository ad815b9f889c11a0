import Foundation

/// Blobs: files named by their SHA-256, written once their hash matched, checked before every load.
extension ModelStore {
    func blobURL(_ sha256: String) -> URL {
        blobsDirectory.appendingPathComponent("sha256-\(sha256)")
    }

    func partialURL(_ sha256: String) -> URL {
        blobsDirectory.appendingPathComponent("sha256-\(sha256).partial")
    }

    private func stampURL(_ sha256: String) -> URL {
        blobsDirectory.appendingPathComponent("sha256-\(sha256).verified")
    }

    /// The lock that serialises everything that writes one blob (downloads, imports, catalog fetches).
    func lockBlob(_ sha256: String, waiting: () -> Void = {}) async throws -> FileLock {
        try Self.ensureDirectory(locksDirectory)
        return try await FileLock.acquire(locksDirectory.appendingPathComponent("sha256-\(sha256).lock"), waiting: waiting)
    }

    /// Whether the blob is present with the size and modification time it had when last hashed.
    func blobLooksVerified(_ sha256: String) -> Bool {
        guard let recorded = try? String(contentsOf: stampURL(sha256), encoding: .utf8) else { return false }
        return recorded == (try? Self.stamp(of: blobURL(sha256)))
    }

    /// Whether the blob is stored with the right bytes: its stamp still fits, or a full hash says so
    /// (and the stamp is renewed).
    func blobIsIntact(_ sha256: String) -> Bool {
        guard FileManager.default.fileExists(atPath: blobURL(sha256).path) else { return false }
        if blobLooksVerified(sha256) { return true }
        guard (try? Self.sha256(of: blobURL(sha256))) == sha256 else { return false }
        try? writeStamp(sha256)
        return true
    }

    /// Refuses a blob whose bytes no longer match: a cheap check of size and modification time against
    /// the stamp written when it was last hashed, and a full hash only when they differ.
    func checkBlob(_ file: ModelManifest.File, model: String, status: (String) -> Void) throws {
        let url = blobURL(file.sha256)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StoreError.missingBlob(model: model, file: file.name, path: url.path)
        }
        if blobLooksVerified(file.sha256) { return }
        status("\(file.name) changed on disk since it was verified; hashing it again")
        try rehashBlob(file, model: model)
    }

    /// Hashes a blob in full; records a fresh stamp when it matches, removes the stamp and throws when not.
    func rehashBlob(_ file: ModelManifest.File, model: String) throws {
        let url = blobURL(file.sha256)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StoreError.missingBlob(model: model, file: file.name, path: url.path)
        }
        let actual = try Self.sha256(of: url)
        guard actual == file.sha256 else {
            try? FileManager.default.removeItem(at: stampURL(file.sha256))
            throw StoreError.tampered(model: model, file: file.name, expected: file.sha256, actual: actual)
        }
        try writeStamp(file.sha256)
    }

    func writeStamp(_ sha256: String) throws {
        try Self.stamp(of: blobURL(sha256)).write(to: stampURL(sha256), atomically: true, encoding: .utf8)
    }

    /// When the blob was last hashed and found right (the stamp's own modification time).
    func verifiedDate(_ sha256: String) -> Date? {
        guard blobLooksVerified(sha256) else { return nil }
        return (try? FileManager.default.attributesOfItem(atPath: stampURL(sha256).path))?[.modificationDate] as? Date
    }

    /// Moves a file whose hash was just computed as `sha256` into the store (call with the blob's lock
    /// held). Read-only, so an accidental write through the path fails instead of changing a model.
    func adopt(_ file: URL, sha256: String) throws {
        try Self.ensureDirectory(blobsDirectory)
        let destination = blobURL(sha256)
        let fm = FileManager.default
        if fm.fileExists(atPath: destination.path) {
            try? fm.removeItem(at: destination)
        }
        do {
            try fm.moveItem(at: file, to: destination)
            try fm.setAttributes([.posixPermissions: 0o444], ofItemAtPath: destination.path)
        } catch {
            throw StoreError.io("cannot move \(file.path) into the store at \(destination.path): \(error.localizedDescription)")
        }
        try writeStamp(sha256)
    }

    /// Removes a blob and what belongs to it.
    func removeBlob(_ sha256: String) {
        for url in [blobURL(sha256), stampURL(sha256), partialURL(sha256)] {
            try? FileManager.default.removeItem(at: url)
        }
    }

    static func stamp(of url: URL) throws -> String {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        return "\(size) \(modified) \(inode)\n"
    }

    /// Free bytes on the file system holding the store.
    func freeSpace() -> Int64? {
        var info = statvfs()
        guard statvfs(directory.path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Fails before a download when the disk cannot hold it (with 64 MB to spare for everything else).
    func requireSpace(_ bytes: Int64) throws {
        guard bytes > 0, let free = freeSpace() else { return }
        let margin: Int64 = 64 << 20
        if free < bytes + margin {
            throw StoreError.diskFull(path: directory.path, needed: bytes + margin, available: free)
        }
    }
}
