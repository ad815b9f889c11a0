import ArgumentParser
import Audit
import AuditLog
import AuditTargets
import Foundation
import JSON

struct AuditList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The runs in the audit database.")

    func run() throws {
        let database = try AuditDatabase()
        let runs = try database.runs()
        guard !runs.isEmpty else { return status("no runs in \(database.path) yet; `hearth audit run` makes one") }
        let formatter = ISO8601DateFormatter()
        print(["run", "created", "task", "target", "done", "errors"].joined(separator: "\t"))
        for run in runs {
            print([run.id, formatter.string(from: run.createdAt), "\(run.taskName) v\(run.taskVersion)", run.targetName,
                   "\(run.done)/\(run.sampleCount)", String(run.errors)].joined(separator: "\t"))
        }
    }
}

struct AuditShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A run's summary, or every sample with its transcript and scores.")

    @Argument(help: ArgumentHelp("The run: its id, a unique part of it, or 'last'.", valueName: "run"))
    var reference: String

    @Flag(name: .long, help: "Every sample: input, transcript, scores, requests.")
    var samples = false

    @Option(name: .long, help: "Metadata fields to group by, comma-separated.")
    var groupBy: String?

    @Option(name: .long, help: "Output: text or json.")
    var output: OutputFormat = .text

    func run() throws {
        let database = try AuditDatabase()
        let groups = groupBy.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        let summary = try RunSummary.load(run: reference, database: database, groupBy: groups)
        guard samples else {
            switch output {
            case .json: print(summary.json.serialized(.compact))
            case .text: print(summary.text)
            }
            return
        }
        for sample in summary.samples {
            let record = try SampleExport.json(sample, requests: database.requests(run: summary.run.id, sample: sample.sampleID))
            switch output {
            case .json: print(record.serialized(.compact))
            case .text: print(SampleExport.text(sample) + "\n")
            }
        }
    }
}

struct AuditCompare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Runs side by side; paired differences (first run minus each other) on the samples both scored."
    )

    @Argument(help: "Two or more runs of the same task.")
    var runs: [String]

    @Option(name: .long, help: "Output: text or json.")
    var output: OutputFormat = .text

    func validate() throws {
        guard runs.count >= 2 else { throw ValidationError("compare needs at least two runs") }
    }

    func run() throws {
        let database = try AuditDatabase()
        let summaries = try runs.map { try RunSummary.load(run: $0, database: database, groupBy: []) }
        let base = summaries[0]
        var comparisons: [JSONValue] = []
        var lines: [String] = []
        lines.append("metric".padding(toLength: 28, withPad: " ", startingAt: 0) + summaries.map { " \($0.run.targetName.prefix(22))".padding(toLength: 24, withPad: " ", startingAt: 0) }.joined())
        for (name, _) in base.metrics {
            var line = name.padding(toLength: 28, withPad: " ", startingAt: 0)
            for summary in summaries {
                let cell = summary.metrics.first { $0.name == name }.map { String(format: " %.3f [%.3f,%.3f]", $0.value.value, $0.value.ci95.low, $0.value.ci95.high) } ?? " —"
                line += cell.padding(toLength: 24, withPad: " ", startingAt: 0)
            }
            lines.append(line)
        }
        for other in summaries.dropFirst() {
            if other.run.datasetSHA256 != base.run.datasetSHA256 {
                status("warning: \(other.run.id) ran another dataset (\(other.run.datasetSHA256.prefix(12)) vs \(base.run.datasetSHA256.prefix(12))); only samples with the same id are paired")
            }
            let scorers = RunSummary.scorerNames(base.run).filter(RunSummary.scorerNames(other.run).contains)
            let labels = MetricsCalculator(scorerSpecs: base.run.spec["task"]?["scorers"]?.arrayValue ?? []).labels
            let paired = PairedComparison.compare(base.samples.map(\.scored), other.samples.map(\.scored), scorers: scorers, labels: labels)
            lines.append("\n\(base.run.targetName) − \(other.run.targetName) (paired, same samples):")
            for item in paired {
                lines.append("  " + item.metric.padding(toLength: 26, withPad: " ", startingAt: 0)
                    + String(format: "%+.3f  [%+.3f, %+.3f]  n=%d", item.difference, item.ci95.low, item.ci95.high, item.n)
                    + (item.pValue.map { String(format: "  McNemar p=%.3g", $0) } ?? ""))
            }
            comparisons.append(.object(JSONObject([
                ("first", .string(base.run.id)), ("second", .string(other.run.id)), ("differences", .array(paired.map(\.json))),
            ])))
        }
        switch output {
        case .text: print(lines.joined(separator: "\n"))
        case .json:
            print(JSONValue.object(JSONObject([
                ("runs", .array(summaries.map(\.json))), ("comparisons", .array(comparisons)),
            ])).serialized(.compact))
        }
    }
}

struct AuditExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "A run's samples as JSON lines or CSV.")

    enum Format: String, ExpressibleByArgument { case jsonl, csv }

    @Argument(help: ArgumentHelp("The run: its id, a unique part of it, or 'last'.", valueName: "run"))
    var reference: String

    @Option(name: .long, help: "jsonl (every sample with transcript, scores and requests) or csv (one row per sample and scorer).")
    var format: Format = .jsonl

    func run() throws {
        let database = try AuditDatabase()
        let run = try database.run(reference)
        let samples = try database.samples(run: run.id)
        switch format {
        case .jsonl:
            for sample in samples {
                print(try SampleExport.json(sample, requests: database.requests(run: run.id, sample: sample.sampleID)).serialized(.compact))
            }
        case .csv:
            print(["run", "sample", "status", "scorer", "value", "answer", "explanation", "output", "error", "prompt_tokens", "completion_tokens", "seconds"].joined(separator: ","))
            for sample in samples {
                let rows = sample.scores.isEmpty ? [nil] : sample.scores.map { Optional($0) }
                for score in rows {
                    let fields: [String] = [
                        run.id, sample.sampleID, sample.status.rawValue, score?.scorer ?? "",
                        score.map { value in if case .label(let l) = value.score.value { return l } else { return value.score.value.json.serialized(.compact) } } ?? "",
                        score?.score.answer ?? "", score?.score.explanation ?? "", sample.transcript?.output ?? "", sample.error ?? "",
                        String(sample.promptTokens), String(sample.completionTokens), String(format: "%.3f", sample.seconds),
                    ]
                    print(fields.map(SampleExport.csvField).joined(separator: ","))
                }
            }
        }
    }
}

struct AuditScore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Re-score a stored run without generating again, or score given outputs (one JSON line per sample)."
    )

    @Argument(help: ArgumentHelp("The run to re-score (omit with --input).", valueName: "run"))
    var reference: String?

    @Option(name: .long, help: "The scorer: match, includes, pattern, choice, refusal, model_graded, or a JSON object with options.")
    var scorer: String

    @Option(name: .long, help: "Lines with id, input, output, metadata (and target): score these instead of a run.")
    var input: String?

    @Option(name: .long, help: "The judge for model_graded.")
    var judge: String?

    @Option(name: .long, help: "The environment variable holding an endpoint's API key.")
    var apiKeyEnv: String = "OPENAI_API_KEY"

    func validate() throws {
        guard (reference == nil) != (input == nil) else { throw ValidationError("give either a RUN or --input FILE") }
    }

    func run() throws {
        let spec: ScorerSpec
        do {
            let value: JSONValue = scorer.hasPrefix("{") ? try JSONParser.parse(scorer) : .string(scorer)
            spec = try ScorerSpec(json: value, path: "--scorer")
        } catch {
            throw CLIError("--scorer: \(error)")
        }
        let runID = reference
        let inputPath = input
        try blockingAsync {
            var judgeTarget: (any ModelTarget)?
            if let judge { judgeTarget = try await TargetResolver.open(judge, concurrency: 4, threads: nil, ctxSize: nil, cacheType: .f32, apiKeyEnv: apiKeyEnv) }
            do {
                let scorer = try spec.makeScorer(judge: judgeTarget)
                if let inputPath {
                    try await Self.scoreFile(inputPath, scorer: scorer, name: spec.name)
                } else if let runID {
                    try await Self.rescore(runID, scorer: scorer, name: spec.name)
                }
            } catch {
                await judgeTarget?.close()
                throw error
            }
            await judgeTarget?.close()
        }
    }

    /// Scores each line of a file (`id`, `input`, `output`, `metadata`, optional `target`/`choices`).
    static func scoreFile(_ path: String, scorer: any Scorer, name: String) async throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let value: JSONValue
            do { value = try JSONParser.parse(String(line)) } catch { throw CLIError("\(path):\(index + 1): not JSON: \(error)") }
            guard var object = value.objectValue else { throw CLIError("\(path):\(index + 1): must be an object") }
            guard let output = object["output"]?.stringValue else { throw CLIError("\(path):\(index + 1): 'output' (a string) is required") }
            object["output"] = nil
            // A human label, when the file carries one, is passed through for agreement figures.
            let label = object["label"]
            object["label"] = nil
            let sample: Sample
            do { sample = try Sample(json: .object(object), index: index + 1) } catch { throw CLIError("\(path):\(index + 1): \(error)") }
            var transcript = Transcript()
            transcript.messages = sample.input + [ChatMessage(role: "assistant", content: output)]
            transcript.output = output
            let log = RequestLog()
            var result = JSONObject([("id", .string(sample.id)), ("scorer", .string(name))])
            if let label { result["label"] = label }
            do {
                let score = try await scorer.score(sample, transcript, context: ScoringContext(log: log, cache: nil))
                result["value"] = score.value.json
                result["answer"] = score.answer.map(JSONValue.string) ?? .null
                result["explanation"] = .string(score.explanation)
                if !score.metadata.isEmpty { result["metadata"] = .object(score.metadata) }
            } catch {
                result["error"] = .string("\(error)")
            }
            print(JSONValue.object(result).serialized(.compact))
        }
    }

    /// Replaces one scorer's scores on every done sample of a run, from the stored transcripts.
    static func rescore(_ reference: String, scorer: any Scorer, name: String) async throws {
        let database = try AuditDatabase()
        let run = try database.run(reference)
        if try database.outputsWithheld(run: run.id) {
            throw CLIError("run \(run.id) has its outputs withheld (only their hashes are stored): it cannot be re-scored; run it again to score it anew")
        }
        var scores: [(sample: String, score: Score)] = []
        var failed = 0
        for row in try database.samples(run: run.id) where row.status == .done {
            guard let sample = row.sample, let transcript = row.transcript else { continue }
            do {
                scores.append((row.sampleID, try await scorer.score(sample, transcript, context: ScoringContext(log: RequestLog(), cache: database))))
            } catch {
                failed += 1
                status("\(row.sampleID): \(error)")
            }
        }
        try database.replaceScores(run: run.id, scorer: name, scores)
        status("re-scored \(scores.count) samples of \(run.id) with \(name)" + (failed > 0 ? "; \(failed) failed and hold no \(name) score" : ""))
        let summary = try RunSummary.load(run: run.id, database: database, groupBy: [])
        print(RunSummary.metricLines(summary.metrics.filter { $0.name.hasPrefix(name + ".") }, indent: "").joined(separator: "\n"))
    }
}

struct AuditWithhold: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withhold",
        abstract: "Replace a run's model outputs by their length and SHA-256, keeping its scores (for answers that must not be stored).",
        discussion: "Transcripts, the request log and the cached responses lose the model's words; the run can no longer be re-scored."
    )

    @Argument(help: ArgumentHelp("The run.", valueName: "run"))
    var reference: String

    func run() throws {
        let database = try AuditDatabase()
        let changed = try database.withholdOutputs(run: reference)
        status("withheld the outputs of \(changed) samples of \(try database.run(reference).id)")
    }
}
