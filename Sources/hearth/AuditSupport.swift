import Audit
import AuditLog
import AuditSuites
import AuditTargets
import Foundation
import GGUF
import JSON
import Models
import Store

/// TASK arguments: a shipped suite's name (all its tasks), a task file, or a JSON-lines dataset
/// with `--scorer`.
enum AuditTaskResolver {
    static func resolve(_ reference: String, scorer: String?, hasJudge: Bool) throws -> [AuditTask] {
        if !reference.contains("/"), !FileManager.default.fileExists(atPath: reference), let suite = try SuiteCatalog.named(reference) {
            return try suite.tasks().map { try withoutOptionalJudges($0, hasJudge: hasJudge) }
        }
        return [try withoutOptionalJudges(try resolveFile(reference, scorer: scorer), hasJudge: hasJudge)]
    }

    /// A judge scorer marked `"optional": true` runs when `--judge` names a judge and is left out
    /// otherwise (the run then records the scorers it really had).
    static func withoutOptionalJudges(_ task: AuditTask, hasJudge: Bool) throws -> AuditTask {
        guard !hasJudge else { return task }
        var task = task
        let dropped = task.scorers.filter { $0.kind == .modelGraded && $0.options["optional"]?.boolValue == true }
        task.scorers.removeAll { $0.kind == .modelGraded && $0.options["optional"]?.boolValue == true }
        if !dropped.isEmpty {
            status("\(task.name): without --judge, the judge scorer(s) \(dropped.map(\.name).joined(separator: ", ")) are left out")
        }
        return task
    }

    static func resolveFile(_ reference: String, scorer: String?) throws -> AuditTask {
        let url = URL(fileURLWithPath: reference)
        guard FileManager.default.fileExists(atPath: url.path) else {
            let suites = (try? SuiteCatalog.all().map(\.name)) ?? []
            throw CLIError("no task, dataset or suite named \(reference)" + (suites.isEmpty ? "" : " (suites: \(suites.joined(separator: ", ")))"))
        }
        if reference.hasSuffix(".jsonl") {
            guard let scorer else {
                throw CLIError("\(reference) is a dataset: name its scorer with --scorer (match, includes, pattern, choice, refusal, model_graded), or write a task file")
            }
            let spec: ScorerSpec
            do {
                spec = try ScorerSpec(json: .string(scorer), path: "--scorer")
            } catch {
                throw CLIError("--scorer: \(error)")
            }
            return try AuditTask(dataset: try Dataset(contentsOf: url), scorer: spec)
        }
        if scorer != nil { throw CLIError("--scorer applies to a bare dataset (.jsonl); \(reference) is a task file with its own scorers") }
        return try AuditTask(contentsOf: url)
    }
}

/// TARGET arguments: `openai:MODEL@URL`, or a catalog name or GGUF path run in process.
enum TargetResolver {
    static func open(_ name: String, concurrency: Int, threads: Int?, ctxSize: Int?, cacheType: KVCacheType,
                     apiKeyEnv: String) async throws -> any ModelTarget {
        if let (model, url) = OpenAITarget.parse(name) {
            let key = ProcessInfo.processInfo.environment[apiKeyEnv].flatMap { $0.isEmpty ? nil : $0 }
            return OpenAITarget(name: name, model: model, baseURL: url, apiKey: key, concurrency: concurrency)
        }
        if name.hasPrefix("openai:") {
            throw CLIError("'\(name)' is not openai:MODEL@BASE_URL (for example openai:qwen2.5@http://127.0.0.1:8000/v1)")
        }
        let resolved: ModelStore.Resolved = try await ModelArgument.resolve(name)
        let hashes = try fileHashes(resolved)
        let file = try GGUFFile(urls: resolved.urls)
        let model = try LanguageModel(file: file, url: resolved.url)
        var details = JSONObject([
            ("architecture", .string(model.config.architecture)),
            ("context", .int(model.config.contextLength)),
            ("file", .string(resolved.fileName)),
        ])
        if hashes.count > 1 { details["parts"] = .array(hashes.map { .string($0) }) }
        // Recorded only where it differs from the default, so runs and cached answers made before
        // the option existed keep their identity; an f16 cache computes (slightly) different answers.
        if cacheType != .f32 { details["kv_cache"] = .string(cacheType.rawValue) }
        if let origin = Catalog.entry(named: name)?.origin { details["origin"] = .string(origin) }
        details["provenance"] = ModelProvenance(name: resolved.name, manifest: resolved.manifest, metadata: file.metadata).json
        let identity = TargetIdentity(kind: "local", name: name, model: resolved.fileName, sha256: hashes[0], details: details)
        return try LocalTarget(model: model, identity: identity, slots: concurrency, contextLength: ctxSize,
                               threads: threads ?? defaultThreadCount, cacheType: cacheType)
    }

    /// A stored model's hashes were checked when it was resolved; a file given by path is hashed now.
    static func fileHashes(_ resolved: ModelStore.Resolved) throws -> [String] {
        if let manifest = resolved.manifest { return manifest.files.map(\.sha256) }
        return try resolved.urls.map { url in
            status("hashing \(url.lastPathComponent) …")
            return try ModelStore.sha256(of: url)
        }
    }
}

/// A one-line progress bar on standard error: samples done of total, rate, time left, errors.
final class ProgressBar: @unchecked Sendable {
    let label: String
    let enabled: Bool
    private let lock = NSLock()
    private var last = Date.distantPast

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled
    }

    func update(_ progress: RunProgress) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard progress.done + progress.errors == progress.total || now.timeIntervalSince(last) > 0.2 else { return }
        last = now
        let finished = progress.done + progress.errors
        let fresh = finished - progress.skipped
        let rate = progress.elapsed > 0 ? Double(fresh) / progress.elapsed : 0
        let left = rate > 0 ? Double(progress.total - finished) / rate : 0
        let width = 24
        let filled = progress.total > 0 ? width * finished / progress.total : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        var line = "\r\(label) \(bar) \(finished)/\(progress.total)  \(String(format: "%.2f", rate)) samples/s"
        if rate > 0 && finished < progress.total { line += "  \(Self.duration(left)) left" }
        if progress.errors > 0 { line += "  \(progress.errors) errors" }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
