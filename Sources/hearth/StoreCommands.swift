import ArgumentParser
import Foundation
import GGUF
import Models
import Store

struct Pull: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download models into the store and verify their SHA-256.",
        discussion: """
        MODEL is a catalog name (see `hearth list`) or a Hugging Face reference:
          hf.co/ORG/REPO              the repository's only GGUF file, or its Q4_K_M
          hf.co/ORG/REPO:QUANT        the file of that quantization (Q8_0, IQ4_XS…)
          hf.co/ORG/REPO/FILE.gguf    that file (a split model's first part
                                      brings every part)
          …@REVISION                  at a branch, tag or commit (default main)

        The Hub's advertised SHA-256 (LFS) is checked against the bytes before
        anything enters the store; an interrupted download resumes where it
        stopped. HF_ENDPOINT points at a mirror; HF_TOKEN (or the token file of
        `huggingface-cli login`) opens gated repositories.
        """
    )

    @Argument(help: "Catalog names or hf.co/… references.")
    var models: [String] = []

    @Flag(name: .long, help: "Every model in the catalog.")
    var all = false

    @Flag(name: .long, help: "The catalog models the tests run on.")
    var testModels = false

    @Flag(name: .long, help: "Hash models already in the store again.")
    var verify = false

    @Option(name: .long, help: "Pin the file's SHA-256 yourself (for a mirror that advertises none, or a stricter policy).")
    var sha256: String?

    func validate() throws {
        if models.isEmpty && !all && !testModels { throw ValidationError("name a model or pass --all or --test-models") }
        if sha256 != nil && models.count != 1 { throw ValidationError("--sha256 pins the hash of one model") }
    }

    func run() throws {
        let store = ModelStore()
        let events = StoreProgress.events()
        let catalogNames = Catalog.entries.filter { all || $0.isTestModel }.map(\.name)
        for name in all || testModels ? catalogNames + models : models {
            if let reference = try HubReference(parsing: name) {
                if let manifest = try store.manifest(named: reference.name) {
                    if verify {
                        status("verifying \(reference.name)")
                        try store.verify(manifest)
                    }
                    status("\(reference.name) is in the store (\(manifest.files.map(\.name).joined(separator: ", ")))")
                } else {
                    let pin = sha256
                    _ = try runBlocking { try await store.pull(reference, sha256: pin, events: events) }
                }
                print("\(reference.name)\t\(store.blobURLs(try store.manifest(named: reference.name)!)[0].path)")
                continue
            }
            guard let entry = Catalog.entry(named: name) else {
                throw StoreError.unknownModel(name, known: Catalog.entries.map(\.name))
            }
            if verify, store.isPresent(entry) {
                status("verifying \(entry.name)")
                try store.verify(entry)
            }
            try store.ensure(entry) { status($0) }
            print("\(entry.name)\t\(store.location(of: entry).path)")
        }
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Copy a local GGUF file into the store, hashed, under a name."
    )

    @Argument(help: "The GGUF file (a split model's first part brings every part).")
    var file: String

    @Option(name: .long, help: "The name to use it by (default: the file name without .gguf).")
    var name: String?

    func run() throws {
        let url = URL(fileURLWithPath: file)
        guard FileManager.default.fileExists(atPath: url.path) else { throw CLIError("\(file) does not exist") }
        let store = ModelStore()
        let (chosen, events) = (name, StoreProgress.events())
        let manifest = try runBlocking { try await store.importFile(url, name: chosen, events: events) }
        _ = try GGUFFile(urls: store.blobURLs(manifest))  // a file Hearth cannot parse is reported now, not at first use
        status("imported \(manifest.name): \(manifest.files.map { "\($0.name) SHA-256 \($0.sha256)" }.joined(separator: ", "))")
        print("\(manifest.name)\t\(store.blobURLs(manifest)[0].path)")
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the store's models and the catalog: architecture, parameters, quantization, size, origin, when verified."
    )

    func run() throws {
        let store = ModelStore()
        let (manifests, problems) = try store.manifestsAndProblems()
        var rows: [[String]] = [["NAME", "ARCH", "PARAMS", "QUANT", "SIZE", "ORIGIN", "VERIFIED"]]
        for manifest in manifests {
            let facts = try? ModelFacts.read(GGUFFile(urls: store.blobURLs(manifest)))
            let verified: String
            if let problem = store.quickCheck(manifest) {
                verified = problem.description.contains("missing") ? "FILE MISSING" : "changed since; run hearth verify"
            } else {
                verified = store.lastVerified(manifest).map { ISO8601DateFormatter().string(from: $0) } ?? "never"
            }
            rows.append([manifest.name, facts?.architecture ?? "?", facts.map { Show.count($0.parameters) } ?? "?",
                         facts?.quantization ?? "?", Show.bytes(Int(manifest.totalSize)), Self.origin(manifest), verified])
        }
        let stored = Set(manifests.map(\.name))
        for entry in Catalog.entries where !stored.contains(entry.name) {
            rows.append([entry.name, entry.architecture, "?", "?", Show.bytes(entry.byteCount), "catalog (PyPI)", "not downloaded"])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(row.enumerated().map { $0.offset == row.count - 1 ? $0.element : $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  "))
        }
        for problem in problems { status("warning: \(problem)") }
    }

    static func origin(_ manifest: ModelManifest) -> String {
        switch manifest.source.kind {
        case "huggingface":
            let commit = manifest.source.revision.map { "@" + $0.prefix(7) } ?? ""
            let host = manifest.source.endpoint.flatMap { URL(string: $0)?.host } ?? "hub"
            return "\(host) \(manifest.source.repository ?? "?")\(commit)"
        case "catalog": return "catalog (PyPI)"
        case "file": return "file \(manifest.source.path ?? "?")"
        default: return manifest.source.kind
        }
    }
}

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove models from the store (a file another name still uses is kept)."
    )

    @Argument(help: "Names as `hearth list` shows them.")
    var names: [String]

    func run() throws {
        let store = ModelStore()
        for name in names {
            let freed = try store.remove(name)
            print("removed \(name)\(freed > 0 ? ", \(Show.bytes(Int(freed))) freed" : "")")
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hash stored models again and compare with their manifests; exits 1 when any differ."
    )

    @Argument(help: "Names as `hearth list` shows them.")
    var names: [String] = []

    @Flag(name: .long, help: "Every model in the store.")
    var all = false

    func validate() throws {
        if names.isEmpty && !all { throw ValidationError("name a model or pass --all") }
    }

    func run() throws {
        let store = ModelStore()
        let manifests = try all ? store.manifests() : names.map { name in
            guard let manifest = try store.manifest(named: name) else {
                throw StoreError.unknownModel(name, known: (try? store.manifests().map(\.name)) ?? [])
            }
            return manifest
        }
        var failures = 0
        for manifest in manifests {
            let started = Date()
            do {
                try store.verify(manifest)
                let seconds = Date().timeIntervalSince(started)
                let rate = seconds > 0 ? Double(manifest.totalSize) / seconds / 1e6 : 0
                print("ok      \(manifest.name)  \(Show.bytes(Int(manifest.totalSize))) hashed in \(String(format: "%.1f s, %.0f MB/s", seconds, rate))")
            } catch {
                failures += 1
                print("FAILED  \(manifest.name)  \(error)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

/// What `hearth list` and the bill of materials say of a GGUF file.
enum ModelFacts {
    static func read(_ file: GGUFFile) -> BillOfMaterials.ModelFacts {
        var bytesByType: [String: Int] = [:]
        for tensor in file.tensors where tensor.rowCount > 1 {
            bytesByType[tensor.type.description, default: 0] += tensor.byteCount
        }
        let config = try? Architectures.config(for: file)
        return BillOfMaterials.ModelFacts(
            architecture: file.metadata.string("general.architecture"),
            parameters: file.tensors.reduce(0) { $0 + $1.elementCount },
            quantization: bytesByType.max { $0.value < $1.value }?.key,
            contextLength: config?.contextLength,
            layers: config?.blockCount)
    }
}

/// Runs async work from a synchronous command (on the main thread, never inside Swift concurrency).
func runBlocking<T>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = BlockingResult<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

private final class BlockingResult<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}
