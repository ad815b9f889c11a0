import Audit
import AuditLog
import Foundation
import JSON
import XCTest

/// A reasoning model audited: thoughts recorded apart from the answer, scorers reading either,
/// and withheld runs keeping neither.
final class ReasoningAuditTests: XCTestCase {
    var databasePath: String!

    override func setUp() {
        databasePath = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-reasoning-\(UUID().uuidString).sqlite").path
    }

    override func tearDown() {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) }
    }

    /// Thinks about the answer ("42"), then answers "I cannot say." to odd questions and "It is 42." to even ones.
    func thinker(withReasoning: Bool = true) -> ScriptedTarget {
        ScriptedTarget { request in
            let question = request.messages.last!.content
            let i = Int(question.split(separator: " ").last!.dropLast())!
            let answer = i % 2 == 0 ? "It is 42." : "I cannot say."
            return GenerateResponse(message: ChatMessage(role: "assistant", content: answer, reasoning: withReasoning ? "The answer is 42, question \(i)." : nil),
                                    finishReason: "stop", promptTokens: 5, completionTokens: 9, seconds: 0.001)
        }
    }

    func task() throws -> AuditTask {
        let lines = (1...6).map { "{\"id\": \"q\($0)\", \"input\": \"Question \($0)?\", \"target\": \"42\"}" }
        let dataset = try Dataset(bytes: Array(lines.joined(separator: "\n").utf8), path: "test.jsonl")
        let scorers = try [ScorerSpec(json: ["type": "includes", "name": "answer"], path: "s"),
                           ScorerSpec(json: ["type": "includes", "name": "thoughts", "reads": "reasoning"], path: "s")]
        return AuditTask(name: "thinking", version: "1", dataset: dataset, solver: .generate(system: nil), scorers: scorers, source: "test")
    }

    func testThoughtsAreRecordedApartAndScoredOnlyWhenAskedFor() async throws {
        let database = try AuditDatabase(path: databasePath)
        let task = try task()
        let target = thinker()
        let runSpec = RunSpec(task: task, target: target.identity, engineVersion: "test", engineCommit: "test", command: "test")
        let (id, _) = try database.openRun(runSpec, spec: .null, forceNew: false)
        let errors = try await AuditRunner(spec: runSpec, target: target, journal: database, cache: database, concurrency: 2).run(id: id)
        XCTAssertEqual(errors, 0)
        let samples = try database.samples(run: id)
        for sample in samples {
            let transcript = try XCTUnwrap(sample.transcript)
            XCTAssertTrue(transcript.reasoning?.hasPrefix("The answer is 42") ?? false)
            XCTAssertEqual(transcript.messages.last?.reasoning, transcript.reasoning, "the assistant message keeps its thoughts")
            let scores = Dictionary(uniqueKeysWithValues: sample.scores.map { ($0.scorer, $0.score.value) })
            XCTAssertEqual(scores["thoughts"], .number(1), "every thought names 42")
            let even = Int(sample.sampleID.dropFirst())! % 2 == 0
            XCTAssertEqual(scores["answer"], .number(even ? 1 : 0), "only even answers do")
        }
        // Thoughts are not sent back to the model with the conversation.
        XCTAssertNil(ChatMessage(role: "assistant", content: "a", reasoning: "b").json["reasoning_content"])

        // Withholding removes the thoughts with the answers, everywhere.
        XCTAssertEqual(try database.withholdOutputs(run: id), 6)
        try database.checkpoint()
        let file = try Data(contentsOf: URL(fileURLWithPath: databasePath))
        XCTAssertNil(file.range(of: Data("The answer is 42".utf8)), "a thought is still in the file")
    }

    func testReadingThoughtsOfAModelWithoutThemIsAnErrorNotAScore() async throws {
        let database = try AuditDatabase(path: databasePath)
        let task = try task()
        let target = thinker(withReasoning: false)
        let runSpec = RunSpec(task: task, target: target.identity, engineVersion: "test", engineCommit: "test", command: "test")
        let (id, _) = try database.openRun(runSpec, spec: .null, forceNew: false)
        let errors = try await AuditRunner(spec: runSpec, target: target, journal: database, cache: database, concurrency: 2).run(id: id)
        XCTAssertEqual(errors, 6)
        let failed = try database.samples(run: id)
        XCTAssertTrue(failed.allSatisfy { $0.status == .error && ($0.error ?? "").contains("reads the reasoning") })
    }

    func testTheScorerOptionIsChecked() {
        XCTAssertThrowsError(try ScorerSpec(json: ["type": "includes", "reads": "thoughts"], path: "scorers[0]")) { error in
            XCTAssertTrue("\(error)".contains("scorers[0].reads"), "\(error)")
        }
        let spec = try? ScorerSpec(json: ["type": "refusal", "reads": "reasoning"], path: "s")
        XCTAssertEqual(spec?.reads, .reasoning)
        XCTAssertEqual(spec?.json["reads"], "reasoning")
    }
}
