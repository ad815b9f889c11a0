import ArgumentParser
import Audit
import AuditLog
import AuditSuites
import AuditTargets
import Foundation
import JSON
import Models

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Evaluate models on tasks, locally or against OpenAI-compatible endpoints, with intervals on every rate.",
        discussion: """
        Runs are recorded as they happen in one SQLite file: $HEARTH_AUDIT_DB, default
        ~/.local/share/hearth/audit.sqlite. The same command again resumes an interrupted run and
        retries only its errors. Formats: docs/AUDIT.md.

        Examples:
          hearth audit run task.json --model smollm2-135m-instruct
          hearth audit run questions.jsonl --scorer includes --model openai:qwen2.5@http://127.0.0.1:8000/v1
          hearth audit show last --group-by language
          hearth audit compare RUN_A RUN_B
        """,
        subcommands: [AuditRun.self, AuditSuitesCommand.self, AuditList.self, AuditShow.self, AuditCompare.self, AuditExport.self, AuditScore.self, AuditWithhold.self, AuditReportCommand.self, AuditView.self]
    )
}

struct AuditRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run tasks against models; print each run's summary."
    )

    @Argument(help: "Suites (`hearth audit suites`), task files (JSON), or JSON-lines datasets run with --scorer.")
    var tasks: [String]

    @Option(name: .long, help: "A model to audit: a catalog name, a GGUF path, or openai:MODEL@BASE_URL (repeatable).")
    var model: [String] = []

    @Option(name: .long, help: "The scorer of a bare dataset: match, includes, pattern, choice, refusal, model_graded.")
    var scorer: String?

    @Option(name: .long, help: "The judge for model_graded scorers: a catalog name, a GGUF path, or openai:MODEL@URL.")
    var judge: String?

    @Option(name: .long, help: "Run only the first N samples.")
    var limit: Int?

    @Option(name: .long, help: "Samples in flight at once (a local model decodes them in shared passes; default: 8 local, 4 remote).")
    var concurrency: Int?

    @Option(name: .long, help: "The run's seed (each sample draws from its own seed derived from it); overrides the task's.")
    var seed: UInt64?

    @Option(name: .long, help: "Overrides the task's temperature.")
    var temperature: Double?

    @Option(name: .long, help: "Overrides the task's maximum tokens per answer.")
    var maxTokens: Int?

    @Option(name: .long, help: "Metadata fields to group the summary by, comma-separated (topic,language).")
    var groupBy: String?

    @Option(name: .long, help: "Output: text or json (one JSON object per run, one per line).")
    var output: OutputFormat = .text

    @Option(name: .long, help: "Price of this machine per hour, for the cost estimate of local runs.")
    var pricePerHour: Double?

    @Option(name: .long, help: "Price per million input tokens of an endpoint.")
    var pricePerMillionInput: Double?

    @Option(name: .long, help: "Price per million output tokens of an endpoint.")
    var pricePerMillionOutput: Double?

    @Option(name: .long, help: "The environment variable holding the endpoint's API key.")
    var apiKeyEnv: String = "OPENAI_API_KEY"

    @Option(name: .long, help: "Threads of a local model (default: every core).")
    var threads: Int?

    @Option(name: .long, help: "Context size of a local model's sequences (default: the model's, at most 4096).")
    var ctxSize: Int?

    @Option(name: .long, help: KVCacheType.help)
    var cacheType: KVCacheType = .f32

    @Flag(name: .long, help: "Start a new run even if the same run exists (default: resume it).")
    var new = false

    @Flag(name: .long, help: "Compute every request even if the same request to the same target has an answer in the database.")
    var noCache = false

    @Flag(name: .long, help: "No progress bar.")
    var quiet = false

    func validate() throws {
        guard !model.isEmpty else { throw ValidationError("name at least one --model") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let concurrency, !(1...256).contains(concurrency) { throw ValidationError("--concurrency must be from 1 to 256") }
        if let temperature, !(0...2).contains(temperature) { throw ValidationError("--temperature must be from 0 to 2") }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let database = try AuditDatabase()
        var resolvedTasks: [AuditTask] = []
        for reference in tasks {
            for var task in try AuditTaskResolver.resolve(reference, scorer: scorer, hasJudge: judge != nil) {
                if let seed { task.generation.seed = seed }
                if let temperature { task.generation.temperature = temperature }
                if let maxTokens { task.generation.maxTokens = maxTokens }
                resolvedTasks.append(task)
            }
        }
        let groups = groupBy.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        let failures = Counter()
        let tasksToRun = resolvedTasks
        try blockingAsync {
            var judgeTarget: (any ModelTarget)?
            if let judge { judgeTarget = try await TargetResolver.open(judge, concurrency: 4, threads: threads, ctxSize: ctxSize, cacheType: cacheType, apiKeyEnv: apiKeyEnv) }
            for name in model {
                let isLocal = OpenAITarget.parse(name) == nil
                let width = concurrency ?? (isLocal ? 8 : 4)
                let target = try await TargetResolver.open(name, concurrency: width, threads: threads, ctxSize: ctxSize, cacheType: cacheType, apiKeyEnv: apiKeyEnv)
                do {
                for task in tasksToRun {
                    var pricing = JSONObject()
                    if let pricePerHour { pricing["per_hour"] = .double(pricePerHour) }
                    if let pricePerMillionInput { pricing["per_million_input"] = .double(pricePerMillionInput) }
                    if let pricePerMillionOutput { pricing["per_million_output"] = .double(pricePerMillionOutput) }
                    let spec = RunSpec(task: task, target: target.identity, judge: judgeTarget?.identity, engineVersion: BuildInfo.version,
                                       engineCommit: BuildInfo.commit, limit: limit, command: CommandLine.arguments.joined(separator: " "),
                                       pricing: pricing)
                    let (id, resumed) = try database.openRun(spec, spec: spec.json(concurrency: width), forceNew: new)
                    let progress = ProgressBar(label: "\(task.name) · \(target.identity.name)", enabled: !quiet && isatty(2) == 1)
                    if resumed { status("resuming run \(id)") }
                    let runner = AuditRunner(spec: spec, target: target, judge: judgeTarget, journal: database, cache: noCache ? nil : database, concurrency: width)
                    let start = Date()
                    let errors = try await runner.run(id: id) { progress.update($0) }
                    try database.addWallTime(run: id, seconds: Date().timeIntervalSince(start))
                    progress.finish()
                    failures.add(errors)
                    let summary = try RunSummary.load(run: id, database: database, groupBy: groups)
                    switch output {
                    case .json: print(summary.json.serialized(.compact))
                    case .text: print(summary.text)
                    }
                }
                } catch {
                    await target.close()
                    await judgeTarget?.close()
                    throw error
                }
                await target.close()
            }
            await judgeTarget?.close()
        }
        if failures.value > 0 {
            status("\(failures.value) sample(s) ended in an error (not scored); run the same command again to retry them")
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument {
    case text, json
}

extension RunSpec {
    /// What the run database keeps of the spec: enough to reproduce and to report the run.
    func json(concurrency: Int) -> JSONValue {
        .object(JSONObject([
            ("task", task.json), ("target", target.json), ("judge", judge?.json ?? .null),
            ("engine", .object(JSONObject([("version", .string(engineVersion)), ("commit", .string(engineCommit)),
                                           ("binary_sha256", .string(BuildInfo.executableSHA256))]))),
            ("limit", limit.map { .int($0) } ?? .null), ("concurrency", .int(concurrency)), ("command", .string(command)),
            ("pricing", .object(pricing)), ("samples", .int(samples.count)),
        ]))
    }
}

/// Runs async work from a synchronous command and waits for it.
func blockingAsync(_ body: @escaping @Sendable () async throws -> Void) throws {
    let done = DispatchSemaphore(value: 0)
    let box = ErrorBox()
    Task {
        do { try await body() } catch { box.error = error }
        done.signal()
    }
    done.wait()
    if let error = box.error { throw error }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

final class ErrorBox: @unchecked Sendable {
    var error: Error?
}

struct AuditSuitesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "suites", abstract: "The probe suites that ship with Hearth: sizes and what each measures.")

    @Option(name: .long, help: "Output: text or json.")
    var output: OutputFormat = .text

    func run() throws {
        var entries: [JSONValue] = []
        var lines: [String] = []
        for suite in try SuiteCatalog.all() {
            let tasks = try suite.tasks()
            entries.append(.object(JSONObject([
                ("name", .string(suite.name)), ("version", .string(suite.version)), ("description", .string(suite.description)),
                ("measures", .string(suite.measures)),
                ("withhold_outputs", .bool(suite.withholdOutputs)),
                ("tasks", .array(tasks.map { task in
                    .object(JSONObject([("name", .string(task.name)), ("file", .string(task.sourceFile ?? "")),
                                        ("samples", .int(task.dataset.samples.count)),
                                        ("dataset_sha256", .string(task.dataset.sha256)), ("solver", .string(task.solver.name)),
                                        ("scorers", .array(task.scorers.map { .string($0.name) }))]))
                })),
                ("changelog", suite.changelog),
            ])))
            let sizes = tasks.map { "\($0.name): \($0.dataset.samples.count) samples (\($0.solver.name); \($0.scorers.map(\.name).joined(separator: ", ")))" }
            lines.append("\(suite.name) \(suite.version) — \(suite.description)\n  " + sizes.joined(separator: "\n  ")
                         + (suite.measures.isEmpty ? "" : "\n  measures: \(suite.measures)"))
        }
        switch output {
        case .json: print(JSONValue.array(entries).serialized(.compact))
        case .text: print(lines.isEmpty ? "no suites in \(SuiteCatalog.directory.path)" : lines.joined(separator: "\n\n"))
        }
    }
}
