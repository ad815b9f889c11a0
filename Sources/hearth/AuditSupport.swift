import Audit
import AuditLog
import AuditSuites
import AuditTargets
import Foundation
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
    static func open(_ name: String, concurrency: Int, threads: Int?, ctxSize: Int?, apiKeyEnv: String) async throws -> any ModelTarget {
        if let (model, url) = OpenAITarget.parse(name) {
            let key = ProcessInfo.processInfo.environment[apiKeyEnv].flatMap { $0.isEmpty ? nil : $0 }
            return OpenAITarget(name: name, model: model, baseURL: url, apiKey: key, concurrency: concurrency)
        }
        if name.hasPrefix("openai:") {
            throw CLIError("'\(name)' is not openai:MODEL@BASE_URL (for example openai:qwen2.5@http://127.0.0.1:8000/v1)")
        }
        let url = try ModelArgument.resolve(name)
        let sha256 = try fileHash(url, catalogName: name)
        let model = try LanguageModel(url: url)
        var details = JSONObject([
            ("architecture", .string(model.config.architecture)),
            ("context", .int(model.config.contextLength)),
            ("file", .string(url.lastPathComponent)),
        ])
        if let origin = Catalog.entry(named: name)?.origin { details["origin"] = .string(origin) }
        let identity = TargetIdentity(kind: "local", name: name, model: url.lastPathComponent, sha256: sha256, details: details)
        return try LocalTarget(model: model, identity: identity, slots: concurrency, contextLength: ctxSize,
                               threads: threads ?? defaultThreadCount)
    }

    /// A catalog file's pinned hash was checked when it was fetched; any other file is hashed now.
    static func fileHash(_ url: URL, catalogName: String) throws -> String {
        if let entry = Catalog.entry(named: catalogName) { return entry.sha256 }
        status("hashing \(url.lastPathComponent) …")
        return try ModelStore.sha256(of: url)
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

/// A run's figures as `run` and `show` print them (text, or the JSON object of docs/AUDIT.md).
struct RunSummary {
    let run: RunRow
    let samples: [SampleRow]
    let metrics: [(name: String, value: MetricValue)]
    let groups: [(key: [String: String], metrics: [(name: String, value: MetricValue)], errors: Int)]
    let groupBy: [String]
    let contrasts: [PairedContrast]
    let wallSeconds: Double

    static func load(run id: String, database: AuditDatabase, groupBy: [String]) throws -> RunSummary {
        let run = try database.run(id)
        let samples = try database.samples(run: run.id)
        let calculator = MetricsCalculator(scorerSpecs: run.spec["task"]?["scorers"]?.arrayValue ?? [])
        let scored = samples.map(\.scored)
        return RunSummary(run: run, samples: samples, metrics: calculator.metrics(scored), groups: calculator.groups(scored, by: groupBy),
                          groupBy: groupBy, contrasts: PairedContrast.contrasts(scored, calculator: calculator, by: groupBy),
                          wallSeconds: try database.wallTime(run: run.id))
    }

    static func scorerNames(_ run: RunRow) -> [String] {
        (run.spec["task"]?["scorers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    var errors: Int { samples.filter { $0.status == .error }.count }
    var promptTokens: Int { samples.reduce(0) { $0 + $1.promptTokens } }
    var completionTokens: Int { samples.reduce(0) { $0 + $1.completionTokens } }

    /// The estimated cost: machine time at its price per hour, or tokens at an endpoint's prices.
    var cost: Double? {
        let pricing = run.spec["pricing"]
        var total: Double?
        if let perHour = pricing?["per_hour"]?.doubleValue { total = (total ?? 0) + perHour * wallSeconds / 3600 }
        if let input = pricing?["per_million_input"]?.doubleValue { total = (total ?? 0) + input * Double(promptTokens) / 1e6 }
        if let output = pricing?["per_million_output"]?.doubleValue { total = (total ?? 0) + output * Double(completionTokens) / 1e6 }
        return total
    }

    static func metricsJSON(_ metrics: [(name: String, value: MetricValue)]) -> JSONValue {
        .object(JSONObject(metrics.map { ($0.name, $0.value.json) }))
    }

    var json: JSONValue {
        let task = run.spec["task"] ?? .null
        return .object(JSONObject([
            ("run", .string(run.id)),
            ("task", .object(JSONObject([
                ("name", .string(run.taskName)), ("version", .string(run.taskVersion)), ("dataset_sha256", .string(run.datasetSHA256)),
                ("dataset", task["dataset"] ?? .null), ("solver", task["solver"] ?? .null), ("scorers", task["scorers"] ?? .null),
            ]))),
            ("target", run.spec["target"] ?? .null),
            ("judge", run.spec["judge"] ?? .null),
            ("engine", run.spec["engine"] ?? .null),
            ("settings", task["generation"] ?? .null),
            ("created", .string(ISO8601DateFormatter().string(from: run.createdAt))),
            ("samples", .object(JSONObject([("total", .int(run.sampleCount)), ("done", .int(run.done)), ("errors", .int(run.errors))]))),
            ("metrics", Self.metricsJSON(metrics)),
            ("groups", .array(groups.map { group in
                .object(JSONObject([
                    ("key", .object(JSONObject(groupBy.map { ($0, .string(group.key[$0] ?? "")) }))),
                    ("metrics", Self.metricsJSON(group.metrics)), ("errors", .int(group.errors)),
                ]))
            })),
            ("contrasts", .array(contrasts.map(\.json))),
            ("errors", .int(errors)),
            ("tokens", .object(JSONObject([("prompt", .int(promptTokens)), ("completion", .int(completionTokens))]))),
            ("time", .object(JSONObject([
                ("wall_seconds", .double(wallSeconds)),
                ("completion_tokens_per_second", .double(wallSeconds > 0 ? Double(completionTokens) / wallSeconds : 0)),
            ]))),
            ("cost", cost.map(JSONValue.double) ?? .null),
            ("command", run.spec["command"] ?? .null),
        ]))
    }

    var text: String {
        var lines: [String] = []
        lines.append("run \(run.id)  \(run.taskName) (version \(run.taskVersion)) · \(run.targetName)")
        lines.append("  samples \(run.done) done of \(run.sampleCount), \(run.errors) errors (not scored)")
        lines += Self.metricLines(metrics, indent: "  ")
        for group in groups {
            lines.append("  [" + groupBy.map { "\($0)=\(group.key[$0] ?? "")" }.joined(separator: ", ") + "]" + (group.errors > 0 ? "  \(group.errors) errors" : ""))
            lines += Self.metricLines(group.metrics, indent: "    ")
        }
        if !contrasts.isEmpty {
            lines.append("  sensitive − control (paired):")
            let width = contrasts.map(\.metric.count).max() ?? 0
            for contrast in contrasts {
                let key = contrast.key.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                lines.append("    " + contrast.metric.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(format: "  %+.3f  [%+.3f, %+.3f]  (%.3f vs %.3f)  pairs=%d", contrast.difference, contrast.ci95.low, contrast.ci95.high,
                             contrast.sensitive, contrast.control, contrast.n) + (key.isEmpty ? "" : "  \(key)"))
            }
        }
        let rate = wallSeconds > 0 ? Double(completionTokens) / wallSeconds : 0
        lines.append("  tokens \(promptTokens) in, \(completionTokens) out; \(String(format: "%.1f", wallSeconds)) s; \(String(format: "%.1f", rate)) tokens/s out")
        if let cost { lines.append("  cost ≈ \(String(format: "%.4f", cost))") }
        return lines.joined(separator: "\n")
    }

    static func metricLines(_ metrics: [(name: String, value: MetricValue)], indent: String) -> [String] {
        let width = metrics.map(\.name.count).max() ?? 0
        return metrics.map { name, value in
            indent + name.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "  %.3f  [%.3f, %.3f]  n=%d", value.value, value.ci95.low, value.ci95.high, value.n)
        }
    }
}
