import AsyncHTTPClient
import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Pulls from the Hugging Face Hub or a mirror: the file for a quantization picked from the model
/// API's listing, every part of a split model, each streamed to a partial file, resumed with `Range`
/// after an interruption, and moved into the store only when its SHA-256 is the one the Hub advertised.
extension ModelStore {
    /// Pulls the model (if not stored already) and records its manifest under the reference's name.
    /// `sha256` pins the expected hash yourself (a mirror that advertises none, or a stricter policy).
    @discardableResult
    public func pull(_ reference: HubReference, sha256 pinned: String? = nil, settings: HubSettings? = nil,
                     events: StoreEvents = .silent) async throws -> ModelManifest {
        let settings = try settings ?? HubSettings(environment: environment)
        if let pinned, !isSHA256(pinned) { throw StoreError.badReference(pinned, reason: "--sha256 takes 64 lowercase hex digits") }
        let client = HubClient(settings: settings)
        do {
            let manifest = try await pull(reference, pinned: pinned, client: client, events: events)
            await client.shutdown()
            return manifest
        } catch {
            await client.shutdown()
            throw error
        }
    }

    private func pull(_ reference: HubReference, pinned: String?, client: HubClient, events: StoreEvents) async throws -> ModelManifest {
        let endpoint = client.settings.endpoint
        events.status("listing \(reference.repository) at \(reference.revision) on \(endpoint)")
        let (commit, siblings) = try await client.modelInfo(reference)
        let listed = Dictionary(siblings.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let path: String
        switch reference.selector {
        case let .file(file):
            guard listed[file] != nil else {
                throw StoreError.notFound(url: reference.resolveURL(endpoint: endpoint, path: file),
                                          message: "no such file in \(reference.repository) at \(reference.revision); GGUF files there: \(QuantizationPicker.candidates(siblings.map(\.path)).joined(separator: ", "))")
            }
            path = file
        case let .quantization(tag):
            path = try QuantizationPicker.pick(siblings.map(\.path), tag: tag, repository: reference.repository)
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) + "/" : ""
        let fileName = String(path.dropFirst(directory.count))
        if let (index, _) = GGUFSplit.part(of: fileName), index != 1 {
            throw StoreError.badReference(reference.name, reason: "that is part \(index) of a split model; name its first part, \(GGUFSplit.name(fileName, part: 1))")
        }
        let parts = GGUFSplit.allParts(of: fileName).map { directory + $0 }
        if pinned != nil, parts.count > 1 {
            throw StoreError.badReference(reference.name, reason: "--sha256 pins one file; this model is split into \(parts.count)")
        }
        // Every part from one commit, even if the branch moves during the pull.
        let revision = commit.flatMap { isSHA256Like($0) ? $0 : nil } ?? reference.revision
        let pinnedReference = try HubReference(parsing: "hf.co/\(reference.repository)@\(revision)") ?? reference

        var files: [ModelManifest.File] = []
        for (index, part) in parts.enumerated() {
            guard let sibling = listed[part] else {
                throw StoreError.notFound(url: reference.resolveURL(endpoint: endpoint, path: part),
                                          message: "part \(index + 1) of \(parts.count) of the split model is not in the repository")
            }
            let url = pinnedReference.resolveURL(endpoint: endpoint, path: part)
            let metadata = try await client.fileMetadata(url)
            let advertised = [sibling.sha256, metadata.sha256].compactMap { $0 }
            if let first = advertised.first, advertised.contains(where: { $0 != first }) {
                throw StoreError.badResponse(url: url, reason: "the listing says SHA-256 \(advertised[0]) but the file's headers say \(advertised[1])")
            }
            if let pinned, let first = advertised.first, pinned != first {
                throw StoreError.hashMismatch(file: part, expected: pinned, actual: "\(first) (advertised)")
            }
            guard let sha256 = pinned ?? advertised.first else { throw StoreError.noAdvertisedHash(file: part, url: url) }
            guard let size = sibling.size ?? metadata.size, size >= 0 else {
                throw StoreError.badResponse(url: url, reason: "no size for \(part) in the listing or the headers")
            }
            let file = ModelManifest.File(name: part, sha256: sha256, size: size, url: url)
            try await fetchBlob(file, from: metadata.location, client: client, events: events)
            files.append(file)
        }
        let manifest = ModelManifest(
            name: reference.name,
            source: .init(kind: "huggingface", url: reference.pageURL(endpoint: endpoint), repository: reference.repository,
                          revision: commit, requestedRevision: reference.revision, endpoint: endpoint),
            files: files)
        try save(manifest)
        events.status("pulled \(reference.name): \(files.count == 1 ? files[0].name : "\(files.count) parts"), SHA-256 verified")
        return manifest
    }

    /// Makes sure the blob is in the store: already there, or downloaded now (resumed, retried, hashed).
    func fetchBlob(_ file: ModelManifest.File, from location: String, client: HubClient, events: StoreEvents) async throws {
        try Self.ensureDirectory(blobsDirectory)
        let lock = try await lockBlob(file.sha256) { events.status("waiting for another pull of \(file.name) to finish") }
        defer { lock.release() }
        if blobIsIntact(file.sha256) {
            events.status("\(file.name) is in the store already")
            return
        }
        try? FileManager.default.removeItem(at: blobURL(file.sha256))  // damaged; the partial file is kept
        let partial = partialURL(file.sha256)
        let download = try PartialDownload(url: partial, expectedSize: file.size)
        defer { download.close() }
        try requireSpace(file.size - download.bytes)
        if download.bytes > 0 {
            events.status("resuming \(file.name) at \(StoreError.megabytes(download.bytes)) of \(StoreError.megabytes(file.size))")
        }
        var resumes = 0
        var delay = client.settings.resumeDelay
        while true {
            do {
                try await receive(into: download, from: location, file: file, client: client, events: events)
                break
            } catch let error as StoreError where Self.isTransient(error) && resumes < client.settings.maxResumes {
                resumes += 1
                events.status("\(file.name): \(error); resuming at \(StoreError.megabytes(download.bytes)) in \(Int(delay)) s (\(resumes) of \(client.settings.maxResumes))")
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                delay = min(delay * 2, 10)
            }
        }
        let digest = try download.finish()
        guard digest == file.sha256 else {
            try? FileManager.default.removeItem(at: partial)
            throw StoreError.hashMismatch(file: file.name, expected: file.sha256, actual: digest)
        }
        try adopt(partial, sha256: file.sha256)
    }

    /// One request's worth of bytes appended to the partial file.
    private func receive(into download: PartialDownload, from location: String, file: ModelManifest.File,
                         client: HubClient, events: StoreEvents) async throws {
        if download.bytes == file.size { return }
        let (response, url) = try await client.get(location, offset: download.bytes)
        switch response.status.code {
        case 206:
            let start = response.headers.first(name: "Content-Range").flatMap(Self.rangeStart)
            guard start == download.bytes else {
                throw StoreError.badResponse(url: url, reason: "asked for bytes from \(download.bytes), got Content-Range \(response.headers.first(name: "Content-Range") ?? "none")")
            }
        case 200:
            if download.bytes > 0 { try download.restart() }  // the server ignored Range: start over
        case 416:
            try download.restart()  // the partial file is longer than the file: start over
            throw StoreError.network(url: url, message: "the server refused the range (416)")
        default:
            try await client.requireSuccess(response, url: url)
        }
        let started = Date()
        var received: Int64 = 0
        var lastReport = Date.distantPast
        do {
            for try await chunk in response.body {
                guard download.bytes + Int64(chunk.readableBytes) <= file.size else {
                    try download.restart()
                    throw StoreError.badResponse(url: url, reason: "more bytes than the advertised \(file.size)")
                }
                try chunk.withUnsafeReadableBytes { try download.append($0) }
                received += Int64(chunk.readableBytes)
                let now = Date()
                if now.timeIntervalSince(lastReport) >= 0.1 {
                    lastReport = now
                    events.progress(DownloadProgress(file: file.name, bytes: download.bytes, total: file.size, received: received,
                                                     elapsed: now.timeIntervalSince(started), finished: false))
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.network(url: url, message: "the download stopped at \(download.bytes) of \(file.size) bytes: \(HubClient.describe(error))")
        }
        guard download.bytes == file.size else {
            throw StoreError.network(url: url, message: "the download stopped at \(download.bytes) of \(file.size) bytes")
        }
        events.progress(DownloadProgress(file: file.name, bytes: download.bytes, total: file.size, received: received,
                                         elapsed: Date().timeIntervalSince(started), finished: true))
    }

    /// Errors worth resuming after: the connection, not the request.
    static func isTransient(_ error: StoreError) -> Bool {
        switch error {
        case .network: return true
        case let .http(_, status, _): return status >= 500 || status == 429
        default: return false
        }
    }

    /// The first byte of `bytes START-END/TOTAL`.
    static func rangeStart(_ header: String) -> Int64? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes ") else { return nil }
        return trimmed.dropFirst(6).split(separator: "-").first.flatMap { Int64($0) }
    }
}

/// A 40-hex-digit git commit.
func isSHA256Like(_ text: String) -> Bool {
    text.utf8.count == 40 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
}

/// The partial file of a download: what is on disk is exactly what has been hashed, so a resumed
/// download hashes the bytes it already has once, then only what arrives.
final class PartialDownload {
    let url: URL
    let expectedSize: Int64
    private var descriptor: Int32
    private var hasher = SHA256Hasher()
    private(set) var bytes: Int64 = 0

    init(url: URL, expectedSize: Int64) throws {
        self.url = url
        self.expectedSize = expectedSize
        descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreError.io("cannot open \(url.path): \(String(cString: strerror(errno)))") }
        var info = stat()
        fstat(descriptor, &info)
        if Int64(info.st_size) > expectedSize {
            try restart()
            return
        }
        // Hash what an earlier attempt left.
        var buffer = [UInt8](repeating: 0, count: 1 << 22)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n < 0 { throw StoreError.io("cannot read \(url.path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            bytes += Int64(n)
        }
    }

    func append(_ chunk: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < chunk.count {
            let n = write(descriptor, chunk.baseAddress! + offset, chunk.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                let reason = errno == ENOSPC ? "the disk is full" : String(cString: strerror(errno))
                // Drop the bytes of this chunk that did reach the file, so the file stays what was hashed.
                _ = ftruncate(descriptor, off_t(bytes))
                _ = lseek(descriptor, off_t(bytes), SEEK_SET)
                throw StoreError.io("cannot write \(url.path): \(reason) (\(bytes) bytes kept; the pull resumes from there)")
            }
            offset += n
        }
        hasher.update(chunk)
        bytes += Int64(chunk.count)
    }

    func restart() throws {
        guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw StoreError.io("cannot truncate \(url.path): \(String(cString: strerror(errno)))")
        }
        hasher = SHA256Hasher()
        bytes = 0
    }

    /// Flushes the file to disk and returns its SHA-256.
    func finish() throws -> String {
        guard fsync(descriptor) == 0 else { throw StoreError.io("cannot flush \(url.path): \(String(cString: strerror(errno)))") }
        return hasher.finalizeHex()
    }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor); descriptor = -1 }
    }

    deinit { close() }
}
