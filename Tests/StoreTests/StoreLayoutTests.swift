import Foundation
import GGUF
import Store
import XCTest

/// References, manifests, imports and settings: the store's parts that need no server.
final class StoreLayoutTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-layout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func testHubReferences() throws {
        let quant = try XCTUnwrap(HubReference(parsing: "hf.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M"))
        XCTAssertEqual(quant.repository, "Qwen/Qwen2.5-0.5B-Instruct-GGUF")
        XCTAssertEqual(quant.selector, .quantization("Q4_K_M"))
        XCTAssertEqual(quant.revision, "main")
        XCTAssertEqual(quant.name, "hf.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M")

        let file = try XCTUnwrap(HubReference(parsing: "https://huggingface.co/org/repo/sub-dir/model.gguf@refs/pr/1"))
        XCTAssertEqual(file.selector, .file("sub-dir/model.gguf"))
        XCTAssertEqual(file.revision, "refs/pr/1")
        XCTAssertEqual(file.name, "hf.co/org/repo/sub-dir/model.gguf@refs/pr/1")
        XCTAssertEqual(file.resolveURL(endpoint: "https://hf-mirror.example", path: "sub-dir/model.gguf"),
                       "https://hf-mirror.example/org/repo/resolve/refs%2Fpr%2F1/sub-dir/model.gguf")
        XCTAssertEqual(file.modelInfoURL(endpoint: "https://huggingface.co"),
                       "https://huggingface.co/api/models/org/repo/revision/refs%2Fpr%2F1?blobs=true")

        XCTAssertNil(try HubReference(parsing: "smollm2-135m-instruct"))
        XCTAssertNil(try HubReference(parsing: "/models/hf.co/x.gguf"))
        for bad in ["hf.co/onlyorg", "hf.co/org/repo/../../etc/passwd.gguf", "hf.co/org/repo/readme.md", "hf.co/org/re po:Q4",
                    "hf.co/org/repo:", "hf.co/org/repo@", "hf.co/org/repo@../x", "hf.co/org/repo/model.gguf:Q4_0", "hf.co//repo", "hf.co/org/repo/a b.gguf"] {
            XCTAssertThrowsError(try HubReference(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".contains("'\(bad)'"), "names the reference: \(error)")
            }
        }
    }

    func testSettingsComeFromTheEnvironmentAsHuggingFaceHubReadsThem() throws {
        let tokenFile = scratch.appendingPathComponent("token")
        try "hf_fromfile\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        let mirror = try HubSettings(environment: ["HF_ENDPOINT": "https://mirror.example/", "HF_TOKEN_PATH": tokenFile.path])
        XCTAssertEqual(mirror.endpoint, "https://mirror.example")
        XCTAssertEqual(mirror.token, "hf_fromfile")
        XCTAssertEqual(try HubSettings(environment: ["HF_TOKEN": "hf_env", "HF_TOKEN_PATH": tokenFile.path]).token, "hf_env")
        XCTAssertEqual(try HubSettings(environment: ["HF_TOKEN_PATH": "/nonexistent"]).endpoint, "https://huggingface.co")
        XCTAssertNil(try HubSettings(environment: ["HF_TOKEN_PATH": "/nonexistent"]).token)
        XCTAssertThrowsError(try HubSettings(environment: ["HF_ENDPOINT": "ftp://x"])) { error in
            XCTAssertTrue("\(error)".contains("HF_ENDPOINT"), "\(error)")
        }
    }

    func testSplitNames() throws {
        XCTAssertEqual(GGUFSplit.part(of: "m-00002-of-00003.gguf")?.index, 2)
        XCTAssertNil(GGUFSplit.part(of: "m-00004-of-00003.gguf"))
        XCTAssertNil(GGUFSplit.part(of: "m-Q4_0.gguf"))
        XCTAssertEqual(GGUFSplit.allParts(of: "dir-m-00001-of-00002.gguf"), ["dir-m-00001-of-00002.gguf", "dir-m-00002-of-00002.gguf"])
    }

    /// A tiny but real GGUF file (one tensor), for imports and loads.
    static func tinyGGUF(value: Float) throws -> [UInt8] {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("general.name", .string("tiny"))
        try writer.addTensor(name: "t", dimensions: [4], floats: [value, 2, 3, 4])
        return try writer.serialize()
    }

    func testImportStoresOneCopyUnderEachName() async throws {
        let store = ModelStore(directory: scratch.appendingPathComponent("store"), environment: [:])
        let source = scratch.appendingPathComponent("my-model.gguf")
        let bytes = try Self.tinyGGUF(value: 1)
        try Data(bytes).write(to: source)
        let manifest = try await store.importFile(source)
        XCTAssertEqual(manifest.name, "my-model")
        XCTAssertEqual(manifest.source.kind, "file")
        XCTAssertEqual(manifest.files.map(\.sha256), [FakeHub.sha256(bytes)])
        let again = try await store.importFile(source, name: "alias")
        XCTAssertEqual(again.files, manifest.files)
        let blobs = try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("store/blobs").path)
            .filter { $0.hasPrefix("sha256-") && !$0.contains(".") }
        XCTAssertEqual(blobs.count, 1)
        let resolved = try await store.resolve("alias")
        XCTAssertEqual(try GGUFFile(urls: resolved.urls).metadata.string("general.name"), "tiny")

        for (name, problem) in [("my-model", "already in the store"), ("smollm2-135m-instruct", "catalog"), ("hf.co/x/y", "Hub")] {
            do {
                _ = try await store.importFile(source, name: name)
                XCTFail(name)
            } catch {
                XCTAssertTrue("\(error)".contains(problem), "\(error)")
            }
        }
        let text = scratch.appendingPathComponent("notes.gguf")
        try Data("hello".utf8).write(to: text)
        do {
            _ = try await store.importFile(text)
            XCTFail("not a GGUF file")
        } catch {
            XCTAssertTrue("\(error)".contains("not a GGUF file"), "\(error)")
        }
    }

    func testManifestNamesStayInsideTheStoreAndDamageIsNamed() throws {
        let store = ModelStore(directory: scratch, environment: [:])
        let manifest = ModelManifest(name: "../../escape/hf.co:x", source: .init(kind: "file"),
                                     files: [.init(name: "f.gguf", sha256: String(repeating: "a", count: 64), size: 1)])
        try store.save(manifest)
        let written = try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("manifests").path)
        XCTAssertEqual(written.count, 1)
        XCTAssertFalse(written[0].contains("/"))
        XCTAssertEqual(try store.manifest(named: manifest.name), manifest)

        let path = scratch.appendingPathComponent("manifests").appendingPathComponent(written[0])
        for (json, reason) in [("{", "not valid JSON"),
                               (#"{"schema":1,"name":"x","source":{"kind":"file"},"added":"now"}"#, "'files' is missing"),
                               (#"{"schema":1,"name":"../../escape/hf.co:x","source":{"kind":"file"},"added":"now","files":[{"name":"f","sha256":"../../etc/passwd","size":1}]}"#, "not 64 lowercase hex"),
                               (#"{"schema":9,"name":"x","source":{"kind":"file"},"added":"now","files":[]}"#, "schema 9")] {
            try Data(json.utf8).write(to: path)
            XCTAssertThrowsError(try store.manifest(named: manifest.name)) { error in
                XCTAssertTrue("\(error)".contains(path.path) && "\(error)".contains(reason), "\(error)")
            }
            let (manifests, problems) = try store.manifestsAndProblems()
            XCTAssertTrue(manifests.isEmpty)
            XCTAssertEqual(problems.count, 1)
        }
    }

    func testProvenanceAndBillOfMaterials() throws {
        let file = try GGUFFile(bytes: Self.tinyGGUF(value: 1))
        let curated = ModelProvenance(name: "qwen2.5-coder-0.5b-instruct", manifest: nil, metadata: file.metadata)
        XCTAssertEqual(curated.country, "China")
        XCTAssertEqual(curated.licence.spdx, "Apache-2.0")
        XCTAssertEqual(curated.code, .notOpen)

        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("general.organization", .string("Meta Llama"))
        writer.set("general.license", .string("llama3.1"))
        writer.set("general.base_model.count", .uint32(1))
        writer.set("general.base_model.0.name", .string("Llama 3.1 8B"))
        writer.set("general.base_model.0.repo_url", .string("https://huggingface.co/meta-llama/Llama-3.1-8B"))
        writer.set("general.quantized_by", .string("bartowski"))
        let metadata = try GGUFFile(bytes: writer.serialize()).metadata
        let manifest = ModelManifest(name: "hf.co/bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M",
                                     source: .init(kind: "huggingface", url: "https://huggingface.co/bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
                                                   repository: "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", revision: "bf5b95e96dac0462e2a09145ec66cae9a3f12067"),
                                     files: [.init(name: "m.gguf", sha256: String(repeating: "b", count: 64), size: 10)])
        let hub = ModelProvenance(name: manifest.name, manifest: manifest, metadata: metadata)
        XCTAssertEqual(hub.organisation, "Meta")
        XCTAssertEqual(hub.country, "United States")
        XCTAssertNil(hub.licence.spdx, "llama3.1 is not an SPDX licence")
        XCTAssertEqual(hub.licence.name, "llama3.1")
        XCTAssertEqual(hub.baseModels.first?.repositoryURL, "https://huggingface.co/meta-llama/Llama-3.1-8B")
        XCTAssertEqual(hub.quantizedBy, "bartowski")
        XCTAssertEqual(hub.data, .unknown)

        let unknown = ModelProvenance(name: "x", manifest: nil, metadata: file.metadata)
        XCTAssertNil(unknown.organisation)
        XCTAssertEqual(unknown.licence.source, "not stated in the file")

        let bom = BillOfMaterials.cycloneDX(name: manifest.name, provenance: hub, files: [.init(name: "m.gguf", sha256: String(repeating: "b", count: 64), size: 10)],
                                            facts: .init(architecture: "llama", parameters: 8_000_000_000, quantization: "Q4_K", contextLength: 131072, layers: 32),
                                            toolVersion: "test")
        XCTAssertEqual(bom["specVersion"]?.stringValue, "1.6")
        let model = try XCTUnwrap(bom["components"]?.arrayValue?.first)
        XCTAssertEqual(model["type"]?.stringValue, "machine-learning-model")
        XCTAssertEqual(model["hashes"]?.arrayValue?.first?["content"]?.stringValue, String(repeating: "b", count: 64))
        XCTAssertEqual(model["purl"]?.stringValue, "pkg:huggingface/bartowski/Meta-Llama-3.1-8B-Instruct-GGUF@bf5b95e96dac0462e2a09145ec66cae9a3f12067")
        XCTAssertEqual(model["licenses"]?.arrayValue?.first?["license"]?["name"]?.stringValue, "llama3.1")
        XCTAssertEqual(model["pedigree"]?["ancestors"]?.arrayValue?.count, 1)
    }
}
