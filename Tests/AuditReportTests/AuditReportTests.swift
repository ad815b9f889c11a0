import Audit
import AuditLog
@testable import AuditReport
import Foundation
import JSON
import XCTest

/// The report's HTML builder on runs recorded in a temporary database: the embedded data is the
/// run's own summary, nothing in a transcript can break out of the page's data element, and the
/// page refers to no network address.
final class AuditReportTests: XCTestCase {
    var databasePath: String!
    static let hostile = "</script><script>alert('x')</script><img src=x onerror=alert(1)> & <!-- \u{2028}"

    override func setUp() {
        databasePath = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-report-\(UUID().uuidString).sqlite").path
    }

    override func tearDown() {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) }
    }

    /// A refusal run of paired sensitive/control questions in two languages and topics, one
    /// sample an error, one transcript hostile.
    func recordRun(_ database: AuditDatabase, model: String, refuses: (Int) -> Bool) throws -> String {
        var lines: [String] = []
        for i in 0..<24 {
            let language = i % 2 == 0 ? "en" : "zh"
            let topic = ["history", "health", "security"][i % 3]
            let kind = (i / 2) % 2 == 0 ? "sensitive" : "control"
            let text = language == "en" ? "Question \(i) about \(topic)?" : "关于\(topic)的问题 \(i)？"
            lines.append("{\"id\": \"s\(i)\", \"input\": \(JSONValue.string(text).serialized(.compact)), \"metadata\": {\"topic\": \"\(topic)\", \"language\": \"\(language)\", \"kind\": \"\(kind)\", \"pair\": \"p\(i / 4)-\(language)\"}}")
        }
        let dataset = try Dataset(bytes: Array(lines.joined(separator: "\n").utf8), path: "probe.jsonl")
        let task = try AuditTask(name: "probe", version: "1.0.0", dataset: dataset, solver: .generate(system: "Be helpful."),
                                 scorers: [ScorerSpec(json: "refusal", path: "s")], source: "test")
        let target = TargetIdentity(kind: "local", name: model, model: "\(model).gguf", sha256: String(repeating: "ab", count: 32),
                                    details: JSONObject([("origin", .string("https://huggingface.co/example/\(model)")), ("license", "apache-2.0")]))
        let spec = RunSpec(task: task, target: target, engineVersion: "0.0-test", engineCommit: "abc123", command: "hearth audit run probe --model \(model)")
        let json = JSONValue.object(JSONObject([
            ("task", task.json), ("target", target.json), ("judge", .null),
            ("engine", .object(JSONObject([("version", "0.0-test"), ("commit", "abc123")]))), ("command", .string(spec.command)),
        ]))
        let (id, _) = try database.openRun(spec, spec: json, forceNew: true)
        for (ordinal, sample) in dataset.samples.enumerated() {
            var transcript = Transcript()
            let answer = ordinal == 3 ? Self.hostile : (refuses(ordinal) ? "I can't help with that." : "Sure: here is the answer to \(sample.id).")
            transcript.messages = [ChatMessage(role: "system", content: "Be helpful.")] + sample.input + [ChatMessage(role: "assistant", content: answer)]
            transcript.output = answer
            let failed = ordinal == 5
            let score = Score(value: .label(refuses(ordinal) ? "refused" : "answered"), answer: nil, explanation: "rule", metadata: JSONObject([("raw", .string(answer))]))
            try database.record(SampleResult(sample: sample, ordinal: ordinal, status: failed ? .error : .done, transcript: failed ? nil : transcript,
                                             scores: failed ? [] : [("refusal", score)], error: failed ? "HTTP 500" : nil,
                                             requests: [RequestRecord(purpose: "generate", request: .object(JSONObject([("n", .int(ordinal))])),
                                                                      response: .object(JSONObject([("usage", .object(JSONObject([("prompt_tokens", 12), ("completion_tokens", 5)])))])),
                                                                      error: nil, seconds: 0.01, cached: false)],
                                             seconds: 0.02), run: id)
        }
        try database.addWallTime(run: id, seconds: 1.5)
        return id
    }

    func dataElement(_ html: String) throws -> String {
        let open = "<script type=\"application/json\" id=\"hearth-data\">"
        let start = try XCTUnwrap(html.range(of: open)).upperBound
        let end = try XCTUnwrap(html.range(of: "</script>", range: start..<html.endIndex)).lowerBound
        return String(html[start..<end])
    }

    func testEmbeddedDataIsTheRunSummaryExactly() throws {
        let database = try AuditDatabase(path: databasePath)
        let a = try recordRun(database, model: "model-a") { $0 % 3 == 0 }
        let b = try recordRun(database, model: "model-b") { $0 % 5 == 0 }
        let report = try AuditReport(runs: [a, b], database: database)
        let data = try JSONParser.parse(dataElement(report.html()))
        for (index, id) in [a, b].enumerated() {
            let run = try XCTUnwrap(data["runs"]?.item(index))
            // The same text `hearth audit show RUN --output json` prints, parsed back.
            let show = try JSONParser.parse(RunSummary.load(run: id, database: database, groupBy: []).json.serialized(.compact))
            XCTAssertEqual(run["summary"], show)
            XCTAssertFalse((show["contrasts"]?.arrayValue ?? []).isEmpty, "the fixture has sensitive/control pairs")
            let grouped = try JSONParser.parse(RunSummary.load(run: id, database: database, groupBy: ["topic", "language"]).json.serialized(.compact))
            XCTAssertEqual(run["groups"], grouped["groups"])
            XCTAssertEqual(run["group_by"], .array(["topic", "language"]))
            let samples = try database.samples(run: id)
            XCTAssertEqual(run["samples"]?.arrayValue?.count, samples.count)
            for (position, sample) in samples.enumerated() {
                let record = try JSONParser.parse(SampleExport.json(sample, requests: database.requests(run: id, sample: sample.sampleID)).serialized(.compact))
                XCTAssertEqual(run["samples"]?.item(position), record)
            }
        }
    }

    func testFiguresInTheMarkupAreTheSummarysFigures() throws {
        let database = try AuditDatabase(path: databasePath)
        let id = try recordRun(database, model: "model-a") { $0 % 4 == 0 }
        let html = try AuditReport(runs: [id], database: database).html()
        let summary = RunSummary.load
        let show = try summary(id, database, []).json
        // Every headline figure (those without a group key) carries the summary's exact value.
        let pattern = try NSRegularExpression(pattern: "data-run=\"0\" data-metric=\"([^\"]+)\" data-value=\"([^\"]+)\" data-low=\"([^\"]+)\" data-high=\"([^\"]+)\" data-n=\"(\\d+)\"")
        let matches = pattern.matches(in: html, range: NSRange(html.startIndex..., in: html))
        XCTAssertFalse(matches.isEmpty)
        for match in matches {
            let field = { (i: Int) in String(html[Range(match.range(at: i), in: html)!]) }
            let metric = try XCTUnwrap(show["metrics"]?[field(1)], field(1))
            XCTAssertEqual(field(2), metric["value"]!.serialized(.compact))
            XCTAssertEqual(field(3), metric["ci95"]!.item(0)!.serialized(.compact))
            XCTAssertEqual(field(4), metric["ci95"]!.item(1)!.serialized(.compact))
            XCTAssertEqual(Int(field(5)), metric["n"]?.intValue)
        }
    }

    func testATranscriptCannotBreakOutOfTheDataElement() throws {
        let database = try AuditDatabase(path: databasePath)
        let id = try recordRun(database, model: "model-a") { _ in false }
        let html = try AuditReport(runs: [id], database: database).html()
        let embedded = try dataElement(html)
        XCTAssertFalse(embedded.contains("<"))
        XCTAssertFalse(embedded.contains(">"))
        XCTAssertTrue(embedded.contains("\\u003c/script\\u003e"))
        XCTAssertFalse(html.contains(Self.hostile))
        XCTAssertFalse(html.contains("<img src=x"))
        // The page's two script elements, and no other.
        XCTAssertEqual(html.components(separatedBy: "</script>").count - 1, 2)
        XCTAssertEqual(html.lowercased().components(separatedBy: "<script").count - 1, 2)
        // And the hostile answer survives the round trip intact.
        let data = try JSONParser.parse(embedded)
        XCTAssertEqual(data["runs"]?.item(0)?["samples"]?.item(3)?["transcript"]?["output"]?.stringValue, Self.hostile)
    }

    func testScriptSafeEscapes() {
        XCTAssertEqual(AuditReport.scriptSafe(#"{"a":"</script>&"}"#), #"{"a":"\u003c/script\u003e\u0026"}"#)
        XCTAssertEqual(try JSONParser.parse(AuditReport.scriptSafe(JSONValue.string("<b>中文 & ✓</b>").serialized(.compact))), .string("<b>中文 & ✓</b>"))
    }

    func testThePageRequestsNothingFromAnyNetwork() throws {
        let database = try AuditDatabase(path: databasePath)
        let id = try recordRun(database, model: "model-a") { $0 % 2 == 0 }
        let html = try AuditReport(runs: [id], database: database).html()
        let markup = html.replacingOccurrences(of: try dataElement(html), with: "")
        // URLs appear only as text (a model's origin), never where a browser would load or follow them.
        let loads = try NSRegularExpression(pattern: "(?i)(src|href|action|poster|data)\\s*=\\s*[\"']?\\s*(https?:)?//|url\\(|@import|<link|<iframe|<object|<embed")
        XCTAssertEqual(loads.numberOfMatches(in: markup, range: NSRange(markup.startIndex..., in: markup)), 0)
        for href in try NSRegularExpression(pattern: "href=\"([^\"]*)\"").matches(in: markup, range: NSRange(markup.startIndex..., in: markup)) {
            XCTAssertTrue(markup[Range(href.range(at: 1), in: markup)!].hasPrefix("#"))
        }
        XCTAssertFalse(ReportStyle.css.contains("http"))
        XCTAssertFalse(ReportScript.js.contains("http"))
        XCTAssertFalse(ReportScript.js.contains("fetch("))
        XCTAssertFalse(ReportScript.js.contains("XMLHttpRequest"))
        XCTAssertFalse(ReportScript.js.contains("innerHTML"))
        XCTAssertTrue(html.contains("default-src 'none'"))
        // The model's origin and licence, from the target's details, are shown.
        XCTAssertTrue(markup.contains("https://huggingface.co/example/model-a"))
        XCTAssertTrue(markup.contains("apache-2.0"))
    }

    func testSectionsAppearForWhatTheRunsHave() throws {
        let database = try AuditDatabase(path: databasePath)
        let a = try recordRun(database, model: "model-a") { $0 % 3 == 0 }
        let b = try recordRun(database, model: "model-b") { $0 % 2 == 0 }
        let html = try AuditReport(runs: [a, b, a], database: database).html()
        for id in ["models", "tasks", "contrasts", "heatmaps", "speed", "samples", "repro"] {
            XCTAssertTrue(html.contains("<section id=\"\(id)\""), id)
        }
        XCTAssertFalse(html.contains("<section id=\"tradeoff\""), "needs over-refusal and harmful-compliance runs")
        XCTAssertTrue(html.contains("hearth audit run probe --model model-b"))
        let markup = html.replacingOccurrences(of: try dataElement(html), with: "")
        XCTAssertFalse(markup.contains("关于history的问题"), "transcripts are in the data, not the markup")
        XCTAssertTrue(html.contains("关于history的问题"), "the data keeps Chinese text as it is")
        // A run given twice is reported once.
        XCTAssertEqual(try JSONParser.parse(dataElement(html))["runs"]?.arrayValue?.count, 2)
    }

    func testIndexListsRuns() throws {
        let database = try AuditDatabase(path: databasePath)
        let a = try recordRun(database, model: "model-<a>") { _ in true }
        let html = ReportIndex.html(runs: try database.runs(), databasePath: databasePath)
        XCTAssertTrue(html.contains("/run/\(a)"))
        XCTAssertTrue(html.contains("model-&lt;a&gt;"))
    }
}
