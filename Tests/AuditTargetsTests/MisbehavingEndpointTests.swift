import Audit
import AuditLog
import AuditTargets
import Foundation
import JSON
import XCTest

/// A whole run against an endpoint that misbehaves: rate limits, 5xx, timeouts, truncated JSON and
/// dropped connections. The run finishes; what could be retried is, and the rest are errors,
/// never wrong answers.
final class MisbehavingEndpointTests: XCTestCase {
    static func chat(_ text: String) -> ServerAction {
        .respond(status: 200, body: #"{"choices":[{"index":0,"message":{"role":"assistant","content":"\#(text)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2}}"#)
    }

    func testRunFinishesWithRetriesAndErrorsNeverScoredAsWrong() async throws {
        // One request at a time, so the n-th request meets the n-th action.
        let script: [ServerAction] = [
            .respond(status: 429, headers: [("Retry-After", "1")], body: #"{"error":{"message":"slow down"}}"#), Self.chat("Paris"),  // s1
            .respond(status: 500, body: "oops"), .respond(status: 503, body: "busy"), Self.chat("Berlin"),                         // s2
            .hang, Self.chat("Rome"),                                                                                               // s3
            .truncated(declaredLength: 400, body: #"{"choices":[{"mess"#), Self.chat("Madrid"),                                     // s4
            .close, Self.chat("Lisbon"),                                                                                            // s5
            .respond(status: 200, body: #"{"choices":[{"message":{"content":"Vie"#), Self.chat("Oslo"),                             // s6: wrong answer, scored 0
            .respond(status: 500, body: "down"), .respond(status: 500, body: "down"), .respond(status: 500, body: "down"),          // s7: gives up
            .respond(status: 400, body: #"{"error":{"message":"context length exceeded"}}"#),                                       // s8: not retried
        ]
        let server = try await ScriptedServer.start(script)
        let lines = ["Paris", "Berlin", "Rome", "Madrid", "Lisbon", "Vienna", "Prague", "Athens"].enumerated().map {
            "{\"id\": \"s\($0.offset + 1)\", \"input\": \"Capital?\", \"target\": \"\($0.element)\"}"
        }
        let dataset = try Dataset(bytes: Array(lines.joined(separator: "\n").utf8), path: "capitals.jsonl")
        let task = AuditTask(name: "capitals", version: "1", dataset: dataset, solver: .generate(system: nil),
                             scorers: [try ScorerSpec(json: "includes", path: "s")], source: "test")
        let retry = RetryPolicy(maxAttempts: 3, initialDelay: 0.01, maxDelay: 0.02, maxRetryAfter: 0.05)
        let target = OpenAITarget(name: "flaky", model: "m", baseURL: server.baseURL, apiKey: "k", concurrency: 1, timeout: 0.5, retry: retry)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-flaky-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try AuditDatabase(path: path)
        let spec = RunSpec(task: task, target: target.identity, engineVersion: "test", engineCommit: "test", command: "test")
        let (run, _) = try database.openRun(spec, spec: .null, forceNew: false)
        let errors = try await AuditRunner(spec: spec, target: target, journal: database, cache: database, concurrency: 1).run(id: run)
        await target.close()
        await server.stop()

        XCTAssertEqual(errors, 2)
        let samples = Dictionary(uniqueKeysWithValues: try database.samples(run: run).map { ($0.sampleID, $0) })
        XCTAssertEqual(samples.count, 8)
        for id in ["s1", "s2", "s3", "s4", "s5"] {
            XCTAssertEqual(samples[id]?.status, .done, id)
            XCTAssertEqual(samples[id]?.scores.first?.score.value, .number(1), "\(id) was retried into its right answer")
        }
        XCTAssertEqual(samples["s6"]?.status, .done)
        XCTAssertEqual(samples["s6"]?.scores.first?.score.value, .number(0), "Oslo is a wrong answer, scored as one")
        XCTAssertEqual(samples["s7"]?.status, .error)
        XCTAssertTrue(samples["s7"]!.error!.contains("after 3 attempts") || samples["s7"]!.error!.contains("500"), samples["s7"]!.error!)
        XCTAssertEqual(samples["s8"]?.status, .error)
        XCTAssertTrue(samples["s8"]!.error!.contains("context length exceeded"), samples["s8"]!.error!)
        for id in ["s7", "s8"] { XCTAssertTrue(samples[id]!.scores.isEmpty, "\(id): an error is never scored") }
        XCTAssertEqual(server.requestCount, script.count)

        let metrics = MetricsCalculator(scorers: ["includes"]).metrics(samples.values.map(\.scored))
        XCTAssertEqual(metrics.first?.value.n, 6, "errors stay out of the rate's n")
        XCTAssertEqual(metrics.first?.value.value ?? 0, 5.0 / 6.0, accuracy: 1e-12)
    }
}
