import Foundation
import Store
import XCTest

/// Pulls against a local server that behaves like the Hub (see FakeHub).
final class HubPullTests: XCTestCase {
    private var scratch: URL!
    private var hub: FakeHub!

    override func setUp() async throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-hub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        hub = try await FakeHub.start()
    }

    override func tearDown() async throws {
        await hub.stop()
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Bytes that look like nothing in particular, different for each seed.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    private var store: ModelStore { ModelStore(directory: scratch, environment: [:]) }

    private func settings(token: String? = nil, resumes: Int = 3) -> HubSettings {
        var settings = HubSettings(endpoint: hub.endpoint, token: token)
        settings.maxResumes = resumes
        settings.resumeDelay = 0.01
        return settings
    }

    private func pull(_ reference: String, token: String? = nil, resumes: Int = 3, sha256: String? = nil) async throws -> ModelManifest {
        try await store.pull(XCTUnwrap(HubReference(parsing: reference)), sha256: sha256, settings: settings(token: token, resumes: resumes))
    }

    private func blobs() throws -> [String] {
        let directory = scratch.appendingPathComponent("blobs").path
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("sha256-") && !$0.contains(".") }
    }

    private let q4 = bytes(70_000, seed: 1)
    private let q8 = bytes(120_000, seed: 2)

    private func addTinyRepository(gatedToken: String? = nil) {
        hub.add(FakeHub.repository("acme/Tiny-GGUF", files: [
            ("README.md", Array("# Tiny".utf8)),
            ("tiny-Q4_K_M.gguf", q4),
            ("tiny-Q8_0.gguf", q8),
            ("tiny-IQ4_XS.gguf", Self.bytes(50_000, seed: 3)),
            ("mmproj-tiny-Q8_0.gguf", Self.bytes(10_000, seed: 4)),
        ], gatedToken: gatedToken))
    }

    func testPullByQuantizationPicksTheRightFile() async throws {
        addTinyRepository()
        let manifest = try await pull("hf.co/acme/Tiny-GGUF:q8_0")
        XCTAssertEqual(manifest.name, "hf.co/acme/Tiny-GGUF:q8_0")
        XCTAssertEqual(manifest.files.map(\.name), ["tiny-Q8_0.gguf"], "the mmproj file with the same tag is not a language model")
        XCTAssertEqual(manifest.files[0].sha256, FakeHub.sha256(q8))
        XCTAssertEqual(manifest.source.revision, String(repeating: "c0ffee12", count: 5))
        XCTAssertEqual(manifest.source.repository, "acme/Tiny-GGUF")
        let resolved = try await store.resolve("hf.co/acme/Tiny-GGUF:q8_0")
        XCTAssertEqual(try Array(Data(contentsOf: resolved.url)), q8)
        // Every file request after the listing went to the commit the listing named, not to "main".
        let resolves = hub.requests.filter { $0.uri.contains("/resolve/") }
        XCTAssertFalse(resolves.isEmpty)
        XCTAssertTrue(resolves.allSatisfy { $0.uri.contains("/resolve/\(String(repeating: "c0ffee12", count: 5))/") }, "\(resolves.map(\.uri))")

        let byDefault = try await pull("hf.co/acme/Tiny-GGUF")
        XCTAssertEqual(byDefault.files.map(\.name), ["tiny-Q4_K_M.gguf"], "no tag: Q4_K_M, as llama.cpp and Ollama choose")

        do {
            _ = try await pull("hf.co/acme/Tiny-GGUF:Q5_K_M")
            XCTFail("no Q5_K_M file")
        } catch let error as StoreError {
            guard case let .noQuantization(repository, wanted, available) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(repository, "acme/Tiny-GGUF")
            XCTAssertEqual(wanted, "Q5_K_M")
            XCTAssertEqual(available, ["tiny-IQ4_XS.gguf", "tiny-Q4_K_M.gguf", "tiny-Q8_0.gguf"])
        }
        XCTAssertEqual(try blobs().count, 2)
    }

    func testQuantizationTagsMatchWholeTokens() throws {
        XCTAssertTrue(QuantizationPicker.matches("Qwen3-8B-Q4_K_M.gguf", tag: "q4_k_m"))
        XCTAssertFalse(QuantizationPicker.matches("Qwen3-8B-Q4_K_M.gguf", tag: "Q4_K"))
        XCTAssertFalse(QuantizationPicker.matches("model-IQ4_XS.gguf", tag: "Q4_XS"))
        XCTAssertTrue(QuantizationPicker.matches("Q4_K_M/model-00001-of-00003.gguf", tag: "Q4_K_M"))
        XCTAssertTrue(QuantizationPicker.matches("model.Q8_0.gguf", tag: "Q8_0"))
        XCTAssertEqual(QuantizationPicker.candidates(["a-00001-of-00002.gguf", "a-00002-of-00002.gguf", "mmproj-f16.gguf", "x.bin"]),
                       ["a-00001-of-00002.gguf"])
        XCTAssertThrowsError(try QuantizationPicker.pick(["a-Q4_0.gguf", "b-Q4_0.gguf"], tag: "Q4_0", repository: "o/r")) { error in
            XCTAssertTrue("\(error)".contains("several files match Q4_0"), "\(error)")
        }
    }

    func testAnInterruptedPullResumesFromWhereItStopped() async throws {
        let model = Self.bytes(1_000_000, seed: 7)
        hub.add(FakeHub.repository("acme/Big-GGUF", files: [("big-Q4_0.gguf", model)]))
        hub.cutNextDownloads(after: [300_000])
        do {
            _ = try await pull("hf.co/acme/Big-GGUF:Q4_0", resumes: 0)
            XCTFail("the connection dropped and no resume was allowed")
        } catch let error as StoreError {
            guard case .network = error else { return XCTFail("\(error)") }
        }
        let partial = scratch.appendingPathComponent("blobs/sha256-\(FakeHub.sha256(model)).partial")
        // What reached the file is kept: up to the 300,000 bytes sent (the HTTP client may drop the
        // last chunks it had buffered when the connection failed).
        let kept = try Data(contentsOf: partial)
        XCTAssertTrue(kept.count > 0 && kept.count <= 300_000, "\(kept.count)")
        XCTAssertEqual(Array(kept), Array(model[0..<kept.count]))
        XCTAssertTrue(try blobs().isEmpty)
        XCTAssertNil(try store.manifest(named: "hf.co/acme/Big-GGUF:Q4_0"))

        let manifest = try await pull("hf.co/acme/Big-GGUF:Q4_0")
        XCTAssertEqual(hub.bytesServed, 300_000 + model.count - kept.count, "the resumed request asked only for the bytes not kept")
        let downloads = hub.requests.filter { $0.server == "files" }
        XCTAssertEqual(downloads.count, 2)
        XCTAssertNil(downloads[0].header("Range"))
        XCTAssertEqual(downloads[1].header("Range"), "bytes=\(kept.count)-")
        let stored = try await store.resolve(manifest.name)
        XCTAssertEqual(try Array(Data(contentsOf: stored.url)), model)
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial.path))
    }

    func testAPullResumesByItselfAfterDroppedConnections() async throws {
        let model = Self.bytes(600_000, seed: 8)
        hub.add(FakeHub.repository("acme/Flaky-GGUF", files: [("flaky-Q8_0.gguf", model)]))
        hub.cutNextDownloads(after: [100_000, 250_000])
        let manifest = try await pull("hf.co/acme/Flaky-GGUF:Q8_0", resumes: 3)
        XCTAssertEqual(manifest.files[0].sha256, FakeHub.sha256(model))
        let ranges = hub.requests.filter { $0.server == "files" }.map { $0.header("Range") }
        XCTAssertEqual(ranges.count, 3, "two cuts, two resumes")
        XCTAssertNil(ranges[0])
        let starts = ranges.dropFirst().compactMap { $0.flatMap { Int($0.dropFirst(6).dropLast()) } }
        XCTAssertEqual(starts.count, 2, "\(ranges)")
        XCTAssertTrue(starts[0] > 0 && starts[0] <= 100_000 && starts[1] > starts[0] && starts[1] <= starts[0] + 250_000, "\(starts)")
    }

    func testAFileWhoseBytesDifferFromTheAdvertisedHashNeverEntersTheStore() async throws {
        var repository = FakeHub.repository("acme/Evil-GGUF", files: [("evil-Q4_0.gguf", Self.bytes(200_000, seed: 9))])
        repository.files[0].advertisedSHA256 = FakeHub.sha256(Self.bytes(200_000, seed: 10))
        hub.add(repository)
        do {
            _ = try await pull("hf.co/acme/Evil-GGUF:Q4_0")
            XCTFail("the bytes do not hash to what the Hub advertised")
        } catch let error as StoreError {
            guard case let .hashMismatch(file, expected, actual) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "evil-Q4_0.gguf")
            XCTAssertEqual(expected, repository.files[0].advertisedSHA256)
            XCTAssertEqual(actual, FakeHub.sha256(Self.bytes(200_000, seed: 9)))
        }
        XCTAssertTrue(try blobs().isEmpty)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("blobs").path)
        XCTAssertTrue(leftovers.allSatisfy { !$0.hasSuffix(".partial") }, "no partial file kept for bytes known to be wrong: \(leftovers)")
        XCTAssertNil(try store.manifest(named: "hf.co/acme/Evil-GGUF:Q4_0"))

        // A hash pinned by the user that the Hub contradicts is refused before any download.
        addTinyRepository()
        do {
            _ = try await pull("hf.co/acme/Tiny-GGUF:Q8_0", sha256: String(repeating: "ab", count: 32))
            XCTFail("pinned hash differs")
        } catch let error as StoreError {
            guard case .hashMismatch = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(hub.requests.filter { $0.server == "files" }.count, 1, "only the evil file was downloaded")
    }

    func testADownloadTheDiskCannotHoldIsRefusedBeforeItStarts() async throws {
        var repository = FakeHub.repository("acme/Huge-GGUF", files: [("huge-Q4_0.gguf", Self.bytes(1000, seed: 12))])
        repository.files[0].advertisedSize = 1 << 50  // a petabyte
        hub.add(repository)
        do {
            _ = try await pull("hf.co/acme/Huge-GGUF:Q4_0")
            XCTFail("no disk holds a petabyte")
        } catch let error as StoreError {
            guard case let .diskFull(_, needed, available) = error else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(needed, available)
            XCTAssertTrue(error.description.contains("not enough free disk space"), error.description)
        }
        XCTAssertTrue(hub.requests.filter { $0.server == "files" && $0.method == "GET" }.isEmpty, "nothing downloaded")
    }

    func testAServerThatSendsMoreThanItAdvertisedIsCutOff() async throws {
        var repository = FakeHub.repository("acme/Liar-GGUF", files: [("liar-Q4_0.gguf", Self.bytes(300_000, seed: 13))])
        repository.files[0].advertisedSize = 100_000
        hub.add(repository)
        do {
            _ = try await pull("hf.co/acme/Liar-GGUF:Q4_0")
            XCTFail("more bytes than advertised")
        } catch let error as StoreError {
            XCTAssertTrue(error.description.contains("more bytes than the advertised 100000"), error.description)
        }
        XCTAssertTrue(try blobs().isEmpty)
    }

    func testConcurrentPullsOfOneModelBothSucceedWithOneCopy() async throws {
        let model = Self.bytes(2_000_000, seed: 11)
        hub.add(FakeHub.repository("acme/Shared-GGUF", files: [("shared-Q4_K_M.gguf", model)]))
        let store = self.store
        let settings = self.settings()
        let references = ["hf.co/acme/Shared-GGUF:Q4_K_M", "hf.co/acme/Shared-GGUF:Q4_K_M", "hf.co/acme/Shared-GGUF/shared-Q4_K_M.gguf"]
        let manifests = try await withThrowingTaskGroup(of: ModelManifest.self) { group in
            for reference in references {
                group.addTask { try await store.pull(XCTUnwrap(HubReference(parsing: reference)), settings: settings) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(manifests.count, 3)
        XCTAssertEqual(Set(manifests.map { $0.files[0].sha256 }), [FakeHub.sha256(model)])
        XCTAssertEqual(try blobs().count, 1, "one copy")
        XCTAssertEqual(hub.bytesServed, model.count, "downloaded once")
        XCTAssertEqual(try store.manifests().map(\.name).sorted(),
                       ["hf.co/acme/Shared-GGUF/shared-Q4_K_M.gguf", "hf.co/acme/Shared-GGUF:Q4_K_M"])
    }

    func testAStoreFileChangedAfterwardsIsRefusedAtLoad() async throws {
        addTinyRepository()
        let manifest = try await pull("hf.co/acme/Tiny-GGUF:Q8_0")
        let blob = try await store.resolve(manifest.name).url

        // Changed in place: size kept, one byte different.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: blob.path)
        let handle = try FileHandle(forWritingTo: blob)
        try handle.seek(toOffset: 1000)
        try handle.write(contentsOf: Data([q8[1000] ^ 0xff]))
        try handle.close()
        do {
            _ = try await store.resolve(manifest.name)
            XCTFail("the bytes changed")
        } catch let error as StoreError {
            guard case let .tampered(model, file, expected, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(model, manifest.name)
            XCTAssertEqual(file, "tiny-Q8_0.gguf")
            XCTAssertEqual(expected, FakeHub.sha256(q8))
            XCTAssertTrue(error.description.contains("refusing to load"), error.description)
        }
        XCTAssertThrowsError(try store.verify(manifest))
        XCTAssertNotNil(store.quickCheck(manifest))

        // Replaced by another file of the same size: refused too.
        var other = q8
        other[5] ^= 1
        try Data(other).write(to: blob)
        do {
            _ = try await store.resolve(manifest.name)
            XCTFail("the file was replaced")
        } catch let error as StoreError {
            guard case .tampered = error else { return XCTFail("\(error)") }
        }
        // Put back, it loads again (after a full hash, since the stamp no longer matches).
        try Data(q8).write(to: blob)
        _ = try await store.resolve(manifest.name)
        XCTAssertNil(store.quickCheck(manifest))
        // Gone: a clear error, not a crash.
        try FileManager.default.removeItem(at: blob)
        do {
            _ = try await store.resolve(manifest.name)
            XCTFail("the file is gone")
        } catch let error as StoreError {
            guard case .missingBlob = error else { return XCTFail("\(error)") }
        }
    }

    func testGatedRepositoryNeedsTheTokenWhichNeverLeavesTheHub() async throws {
        addTinyRepository(gatedToken: "hf_secret")
        for token in [nil, "hf_wrong"] as [String?] {
            do {
                _ = try await pull("hf.co/acme/Tiny-GGUF:Q8_0", token: token)
                XCTFail("gated")
            } catch let error as StoreError {
                guard case let .unauthorized(_, hasToken) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(hasToken, token != nil)
                XCTAssertTrue(error.description.contains("HF_TOKEN"), error.description)
            }
        }
        _ = try await pull("hf.co/acme/Tiny-GGUF:Q8_0", token: "hf_secret")
        let withToken = hub.requests.filter { $0.header("Authorization") == "Bearer hf_secret" }
        XCTAssertFalse(withToken.isEmpty)
        XCTAssertTrue(withToken.allSatisfy { $0.server == "hub" })
        XCTAssertTrue(hub.requests.filter { $0.server == "files" }.allSatisfy { $0.header("Authorization") == nil },
                      "the token is never sent to the file store a redirect names")
    }

    func testMissingRepositoriesAndFilesAreClearErrors() async throws {
        addTinyRepository()
        do {
            _ = try await pull("hf.co/acme/Nothing-GGUF:Q4_0")
            XCTFail("no such repository")
        } catch let error as StoreError {
            guard case let .notFound(url, message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(url.contains("/api/models/acme/Nothing-GGUF/revision/main"), url)
            XCTAssertEqual(message, "Repository not found")
        }
        do {
            _ = try await pull("hf.co/acme/Tiny-GGUF/nope.gguf")
            XCTFail("no such file")
        } catch let error as StoreError {
            guard case let .notFound(_, message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("tiny-Q8_0.gguf"), "lists what is there: \(message)")
        }
        XCTAssertTrue(try blobs().isEmpty)
    }

    func testASplitModelIsFetchedWhole() async throws {
        let first = Self.bytes(90_000, seed: 21), second = Self.bytes(40_000, seed: 22)
        hub.add(FakeHub.repository("acme/Split-GGUF", files: [
            ("Q2_K/split-Q2_K-00001-of-00002.gguf", first),
            ("Q2_K/split-Q2_K-00002-of-00002.gguf", second),
            ("split-Q8_0.gguf", Self.bytes(1000, seed: 23)),
        ]))
        let manifest = try await pull("hf.co/acme/Split-GGUF:Q2_K")
        XCTAssertEqual(manifest.files.map(\.name), ["Q2_K/split-Q2_K-00001-of-00002.gguf", "Q2_K/split-Q2_K-00002-of-00002.gguf"])
        let resolved = try await store.resolve(manifest.name)
        XCTAssertEqual(try resolved.urls.map { try Array(Data(contentsOf: $0)) }, [first, second])
        do {
            _ = try await pull("hf.co/acme/Split-GGUF/Q2_K/split-Q2_K-00002-of-00002.gguf")
            XCTFail("second part named")
        } catch let error as StoreError {
            XCTAssertTrue(error.description.contains("name its first part"), error.description)
        }
    }

    func testRemovingAModelKeepsFilesAnotherNameUses() async throws {
        addTinyRepository()
        _ = try await pull("hf.co/acme/Tiny-GGUF:Q8_0")
        _ = try await pull("hf.co/acme/Tiny-GGUF/tiny-Q8_0.gguf")
        XCTAssertEqual(try store.remove("hf.co/acme/Tiny-GGUF:Q8_0"), 0, "still used by the other name")
        XCTAssertEqual(try blobs().count, 1)
        XCTAssertEqual(try store.remove("hf.co/acme/Tiny-GGUF/tiny-Q8_0.gguf"), Int64(q8.count))
        XCTAssertTrue(try blobs().isEmpty)
        XCTAssertThrowsError(try store.remove("hf.co/acme/Tiny-GGUF:Q8_0"))
    }
}
