import Audit
import AuditLog
import Foundation
import JSON
import XCTest

/// A target whose answers a test scripts; counts the requests it really computed.
final class ScriptedTarget: ModelTarget, @unchecked Sendable {
    let identity: TargetIdentity
    let preferredConcurrency = 4
    private let lock = NSLock()
    private var _calls = 0
    let answer: @Sendable (GenerateRequest) throws -> GenerateResponse

    init(name: String = "scripted", answer: @escaping @Sendable (GenerateRequest) throws -> GenerateResponse) {
        identity = TargetIdentity(kind: "openai", name: name, model: name, url: "http://test.invalid/v1")
        self.answer = answer
    }

    var calls: Int {
        lock.withLock { _calls }
    }

    func generate(_ request: GenerateRequest) async throws -> GenerateResponse {
        lock.withLock { _calls += 1 }
        return try answer(request)
    }

    func logLikelihoods(context: String, continuations: [String]) async throws -> [ContinuationScore] {
        // The longer the continuation, the likelier: deterministic and easy to reason about.
        continuations.map { ContinuationScore(logLikelihood: -1.0 / Double($0.count), tokens: 1, isGreedy: false) }
    }

    func close() async {}

    static func reply(_ text: String, calls: [ToolCallRecord] = []) -> GenerateResponse {
        GenerateResponse(message: ChatMessage(role: "assistant", content: text, toolCalls: calls), finishReason: calls.isEmpty ? "stop" : "tool_calls",
                         promptTokens: 10, completionTokens: 3, seconds: 0.001)
    }
}

struct FailingError: Error, CustomStringConvertible {
    var description: String { "HTTP 500 from http://test.invalid/v1/chat/completions after 6 attempts" }
}

final class RunnerTests: XCTestCase {
    var databasePath: String!

    override func setUp() {
        databasePath = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-audit-\(UUID().uuidString).sqlite").path
    }

    override func tearDown() {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) }
    }

    func dataset(_ lines: [String]) throws -> Dataset {
        try Dataset(bytes: Array(lines.joined(separator: "\n").utf8), path: "test.jsonl")
    }

    func arithmeticTask() throws -> AuditTask {
        let lines = (1...12).map { i in "{\"id\": \"q\(i)\", \"input\": \"What is \(i) + \(i)?\", \"target\": \"\(2 * i)\", \"metadata\": {\"parity\": \"\(i % 2 == 0 ? "even" : "odd")\"}}" }
        return try AuditTask(name: "arithmetic", version: "1", dataset: dataset(lines), solver: .generate(system: "Answer with a number."),
                             scorers: [ScorerSpec(json: "includes", path: "s")], source: "test")
    }

    /// Answers "2i" for odd i and a wrong number for even i; sample q5 fails every time.
    func arithmeticTarget(failing: Set<String> = ["What is 5 + 5?"]) -> ScriptedTarget {
        ScriptedTarget { request in
            let question = request.messages.last!.content
            if failing.contains(question) { throw FailingError() }
            let i = Int(question.split(separator: " ")[2])!
            return ScriptedTarget.reply(i % 2 == 1 ? "It is \(2 * i)." : "It is \(2 * i + 1).")
        }
    }

    func spec(_ task: AuditTask, _ target: any ModelTarget) -> RunSpec {
        RunSpec(task: task, target: target.identity, engineVersion: "test", engineCommit: "test", command: "test")
    }

    /// A local model is one target per file and KV cache type: an f16 cache computes different
    /// answers, so neither a resumed run nor the response cache may mix them with f32's.
    func testLocalTargetsDifferByCacheType() {
        let sha = String(repeating: "ab", count: 32)
        let plain = TargetIdentity(kind: "local", name: "m", model: "m.gguf", sha256: sha)
        var half = plain
        half.details["kv_cache"] = .string("f16")
        XCTAssertEqual(plain.key, "local:\(sha)")
        XCTAssertEqual(half.key, "local:\(sha):kv-f16")
    }

    func testErrorsAreRecordedApartAndNeverScoredAsWrong() async throws {
        let database = try AuditDatabase(path: databasePath)
        let task = try arithmeticTask()
        let target = arithmeticTarget()
        let runSpec = spec(task, target)
        let (id, resumed) = try database.openRun(runSpec, spec: .null, forceNew: false)
        XCTAssertFalse(resumed)
        let errors = try await AuditRunner(spec: runSpec, target: target, journal: database, cache: database, concurrency: 3).run(id: id)
        XCTAssertEqual(errors, 1)
        let samples = try database.samples(run: id)
        XCTAssertEqual(samples.count, 12)
        let failed = samples.first { $0.sampleID == "q5" }!
        XCTAssertEqual(failed.status, .error)
        XCTAssertTrue(failed.scores.isEmpty, "an error is never scored")
        XCTAssertTrue(failed.error!.contains("HTTP 500"))
        XCTAssertEqual(try database.requests(run: id, sample: "q5").first?.error, FailingError().description)

        let metrics = MetricsCalculator(scorers: ["includes"]).metrics(samples.map(\.scored))
        XCTAssertEqual(metrics.count, 1)
        XCTAssertEqual(metrics[0].name, "includes.accuracy")
        // 11 scored: odd 1,3,7,9,11 right (5 failed), even 6 wrong.
        XCTAssertEqual(metrics[0].value.n, 11)
        XCTAssertEqual(metrics[0].value.value, 5.0 / 11.0, accuracy: 1e-12)
        XCTAssertEqual(metrics[0].value.ci95, Statistics.wilson(successes: 5, trials: 11))

        let groups = MetricsCalculator(scorers: ["includes"]).groups(samples.map(\.scored), by: ["parity"])
        XCTAssertEqual(groups.map { $0.key["parity"] }, ["even", "odd"])
        XCTAssertEqual(groups[0].metrics[0].value.value, 0)
        XCTAssertEqual(groups[1].metrics[0].value.value, 1)
        XCTAssertEqual(groups[1].errors, 1)
    }

    func testWithheldOutputsKeepScoresAndHashesButNotTheWords() async throws {
        let database = try AuditDatabase(path: databasePath)
        let task = try arithmeticTask()
        let target = arithmeticTarget(failing: [])
        let runSpec = spec(task, target)
        let (id, _) = try database.openRun(runSpec, spec: .null, forceNew: false)
        _ = try await AuditRunner(spec: runSpec, target: target, journal: database, cache: database, concurrency: 3).run(id: id)
        let before = try database.samples(run: id)
        XCTAssertFalse(try database.outputsWithheld(run: id))

        XCTAssertEqual(try database.withholdOutputs(run: id), 12)
        XCTAssertTrue(try database.outputsWithheld(run: id))
        let after = try database.samples(run: id)
        for (b, a) in zip(before, after) {
            let original = b.transcript!.output
            XCTAssertEqual(a.transcript!.output, AuditDatabase.withheldMarker(for: original))
            XCTAssertEqual(a.transcript!.messages.last!.content, AuditDatabase.withheldMarker(for: original))
            XCTAssertEqual(a.transcript!.messages.first!.content, b.transcript!.messages.first!.content, "the prompt stays")
            XCTAssertEqual(a.scores.map(\.score.value), b.scores.map(\.score.value), "the scores stay")
            for request in try database.requests(run: id, sample: a.sampleID) {
                let serialized = request.response.map { $0.serialized(.compact) } ?? ""
                XCTAssertFalse(serialized.contains(original), "the request log keeps no answer")
            }
        }
        // Nothing of the answers is left in the file, the response cache included: after a
        // checkpoint, no answer's text appears in the database's bytes.
        try database.checkpoint()
        let file = try Data(contentsOf: URL(fileURLWithPath: databasePath))
        for sample in before {
            let words = Data(sample.transcript!.output.utf8)
            XCTAssertNil(file.range(of: words), "\(sample.sampleID)'s answer is still in the file")
        }
        // A second call changes nothing.
        XCTAssertEqual(try database.withholdOutputs(run: id), 0)
    }

    func testTheSameCommandResumesAndRetriesOnlyTheErrors() async throws {
        let database = try AuditDatabase(path: databasePath)
        let task = try arithmeticTask()
        let first = arithmeticTarget()
        let runSpec = spec(task, first)
        let (id, _) = try database.openRun(runSpec, spec: .null, forceNew: false)
        _ = try await AuditRunner(spec: runSpec, target: first, journal: database, cache: database, concurrency: 2).run(id: id)
        let before = try database.samples(run: id).filter { $0.status == .done }

        // The endpoint recovered: only q5 is asked again, and the finished samples are untouched.
        let second = arithmeticTarget(failing: [])
        let (again, resumed) = try database.openRun(spec(task, second), spec: .null, forceNew: false)
        XCTAssertEqual(again, id)
        XCTAssertTrue(resumed)
        let errors = try await AuditRunner(spec: runSpec, target: second, journal: database, cache: database, concurrency: 2).run(id: id)
        XCTAssertEqual(errors, 0)
        XCTAssertEqual(second.calls, 1)
        let after = try database.samples(run: id)
        XCTAssertEqual(after.filter { $0.status == .done }.count, 12)
        for sample in before {
            let now = after.first { $0.sampleID == sample.sampleID }!
            XCTAssertEqual(now.transcript, sample.transcript)
            XCTAssertEqual(now.seconds, sample.seconds)
        }
        // A forced new run asks nothing either: identical requests are served from the cache.
        let third = arithmeticTarget(failing: [])
        let (fresh, _) = try database.openRun(runSpec, spec: .null, forceNew: true)
        XCTAssertNotEqual(fresh, id)
        _ = try await AuditRunner(spec: runSpec, target: third, journal: database, cache: database, concurrency: 2).run(id: fresh)
        XCTAssertEqual(third.calls, 0)
        XCTAssertTrue(try database.requests(run: fresh, sample: "q1").allSatisfy(\.cached))
        XCTAssertEqual(try database.samples(run: fresh).map(\.transcript), after.map(\.transcript))
    }

    func testMultiTurnAnswersEachUserTurnInOrder() async throws {
        let line = """
        {"id": "m", "input": [{"role": "user", "content": "one"}, {"role": "user", "content": "two"}, {"role": "assistant", "content": "written"}, {"role": "user", "content": "three"}]}
        """
        let task = try AuditTask(name: "mt", version: "1", dataset: dataset([line]), solver: .multiTurn(system: "sys"),
                                 scorers: [ScorerSpec(json: "refusal", path: "s")], source: "test")
        let target = ScriptedTarget { request in ScriptedTarget.reply("re: \(request.messages.last!.content) after \(request.messages.count)") }
        let transcript = try await Solver(spec: task.solver, settings: task.generation).solve(task.dataset.samples[0], target: target, log: RequestLog())
        XCTAssertEqual(transcript.messages.map(\.content), ["sys", "one", "re: one after 2", "two", "written", "three", "re: three after 6"])
        XCTAssertEqual(transcript.output, "re: three after 6")
        XCTAssertEqual(target.calls, 2)
    }

    func testToolLoopAnswersCallsWithScriptedResults() async throws {
        let line = """
        {"id": "t", "input": "Summarise my inbox.", "tools": [{"type": "function", "function": {"name": "read_inbox", "parameters": {"type": "object"}}, "results": ["first", "second"]}]}
        """
        let task = try AuditTask(name: "tools", version: "1", dataset: dataset([line]), solver: .toolLoop(system: nil, maxTurns: 4),
                                 scorers: [ScorerSpec(json: "refusal", path: "s")], source: "test")
        let target = ScriptedTarget { request in
            XCTAssertEqual(request.tools.count, 1)
            XCTAssertNil(request.tools[0]["results"], "the scripted results are never shown to the model")
            let toolTurns = request.messages.filter { $0.role == "tool" }.count
            if toolTurns < 2 { return ScriptedTarget.reply("", calls: [ToolCallRecord(id: "x", name: "read_inbox", arguments: "{}")]) }
            return ScriptedTarget.reply("Done: " + request.messages.filter { $0.role == "tool" }.map(\.content).joined(separator: ", "))
        }
        let transcript = try await Solver(spec: task.solver, settings: task.generation).solve(task.dataset.samples[0], target: target, log: RequestLog())
        XCTAssertEqual(transcript.output, "Done: first, second")
        XCTAssertEqual(transcript.toolCalls.map(\.id), ["call_0_0", "call_1_0"])
        XCTAssertEqual(transcript.messages.filter { $0.role == "tool" }.map(\.toolCallID), ["call_0_0", "call_1_0"])
    }

    func testChoiceByLogLikelihoodAndLetterTargets() async throws {
        let lines = [
            "{\"id\": \"a\", \"input\": \"Q?\", \"choices\": [\"x\", \"longest\", \"mid\"], \"target\": \"B\"}",
            "{\"id\": \"b\", \"input\": \"Q?\", \"choices\": [\"longest\", \"x\"], \"target\": \"x\"}",
        ]
        let task = try AuditTask(dataset: dataset(lines), scorer: ScorerSpec(json: "choice", path: "s"))
        XCTAssertEqual(task.solver, .choiceLikelihood(delimiter: " "))
        let database = try AuditDatabase(path: databasePath)
        let target = ScriptedTarget { _ in XCTFail("no generation in a choice task"); throw FailingError() }
        let runSpec = spec(task, target)
        let (id, _) = try database.openRun(runSpec, spec: .null, forceNew: false)
        _ = try await AuditRunner(spec: runSpec, target: target, journal: database, cache: database, concurrency: 1).run(id: id)
        let samples = try database.samples(run: id)
        XCTAssertEqual(samples.map { $0.scores.first?.score.value }, [.number(1), .number(0)])
        XCTAssertEqual(samples.map { $0.scores.first?.score.answer }, ["B", "A"])
    }

    func testPairedComparisonOnTheSameSamples() {
        func run(_ values: [Int]) -> [ScoredSample] {
            values.enumerated().map { ScoredSample(id: "s\($0.offset)", metadata: JSONObject(), scores: ["includes": .number(Double($0.element))]) }
        }
        // 20 samples: both right on 8, only the first on 6, only the second on 1, neither on 5.
        let a = run(Array(repeating: 1, count: 8) + Array(repeating: 1, count: 6) + [0] + Array(repeating: 0, count: 5))
        let b = run(Array(repeating: 1, count: 8) + Array(repeating: 0, count: 6) + [1] + Array(repeating: 0, count: 5))
        let result = PairedComparison.compare(a, b, scorers: ["includes"])
        XCTAssertEqual(result.count, 1)
        XCTAssertEqual(result[0].difference, 5.0 / 20.0, accuracy: 1e-12)
        XCTAssertEqual(result[0].n, 20)
        XCTAssertEqual(result[0].pValue!, Statistics.mcNemar(onlyFirst: 6, onlySecond: 1).pValue, accuracy: 1e-12)
        XCTAssertLessThan(result[0].ci95.low, 0.25)
        XCTAssertGreaterThan(result[0].ci95.high, 0.25)
    }

    func testLabelScoresBecomeRatesOfEachLabel() {
        let samples = ["refused", "answered", "answered", "deflected"].enumerated().map {
            ScoredSample(id: "\($0.offset)", metadata: JSONObject(), scores: ["refusal": .label($0.element)])
        } + [ScoredSample(id: "e", metadata: JSONObject(), scores: nil)]
        let metrics = MetricsCalculator(scorers: ["refusal"]).metrics(samples)
        XCTAssertEqual(metrics.map(\.name), ["refusal.answered", "refusal.deflected", "refusal.refused"])
        XCTAssertEqual(metrics.map(\.value.value), [0.5, 0.25, 0.25])
        XCTAssertEqual(metrics.map(\.value.n), [4, 4, 4])
    }

    func testKnownLabelsGetARateEvenWhenNoSampleHasThem() {
        let samples = ["answered", "answered"].enumerated().map {
            ScoredSample(id: "\($0.offset)", metadata: JSONObject(), scores: ["refusal": .label($0.element)])
        }
        let calculator = MetricsCalculator(scorerSpecs: [ScorerSpec(kind: .refusal).json])
        XCTAssertEqual(calculator.metrics(samples).map(\.name), ["refusal.answered", "refusal.deflected", "refusal.refused"])
        XCTAssertEqual(calculator.metrics(samples).map(\.value.value), [1, 0, 0])
    }

    func testModelGradedAsksForASchemaBoundVerdictAndKeepsTheRawReply() async throws {
        let spec = try ScorerSpec(json: ["type": "model_graded", "rubric": "Names the capital.", "grades": ["C": "correct", "I": "incorrect"]], path: "s")
        XCTAssertEqual(spec.labels, ["C", "I"])
        let judge = ScriptedTarget(name: "judge") { request in
            let schema = request.json["response_format"]?["json_schema"]?["schema"]
            XCTAssertEqual(schema?["properties"]?["grade"]?["enum"], ["C", "I"])
            XCTAssertEqual(request.settings.temperature, 0)
            let prompt = request.messages[0].content
            XCTAssertTrue(prompt.contains("Names the capital.") && prompt.contains("[Reference answer]\nParis") && prompt.contains("[Answer to grade]"))
            return ScriptedTarget.reply(prompt.contains("Lyon") ? #"{"explanation": "Lyon is not the capital.", "grade": "I"}"# : "no verdict here")
        }
        let scorer = try spec.makeScorer(judge: judge)
        let sample = Sample(id: "s", input: [ChatMessage(role: "user", content: "Capital of France?")], target: ["Paris"])
        var transcript = Transcript()
        transcript.output = "It is Lyon."
        let log = RequestLog()
        let score = try await scorer.score(sample, transcript, context: ScoringContext(log: log, cache: nil))
        XCTAssertEqual(score.value, .label("I"))
        XCTAssertEqual(score.explanation, "Lyon is not the capital.")
        XCTAssertEqual(score.metadata["judge_prompt"], .string(ModelGradedScorer.promptVersion))
        XCTAssertEqual(score.metadata["raw"]?.stringValue?.contains("\"grade\": \"I\""), true)
        XCTAssertEqual(log.records.map(\.purpose), ["judge"])
        // A reply that is not a verdict is the judge's failure: an error, not a grade.
        transcript.output = "Paris"
        do {
            _ = try await scorer.score(sample, transcript, context: ScoringContext(log: log, cache: nil))
            XCTFail("a reply without a verdict must not become a grade")
        } catch {
            XCTAssertTrue("\(error)".contains("not a verdict"), "\(error)")
        }
        XCTAssertThrowsError(try ScorerSpec(kind: .modelGraded).makeScorer(judge: nil)) { XCTAssertTrue("\($0)".contains("--judge")) }
    }
}
