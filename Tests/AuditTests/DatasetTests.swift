import Audit
import Foundation
import JSON
import XCTest

/// Datasets and task files from outside: every malformed line is named by file and line.
final class DatasetTests: XCTestCase {
    func parse(_ text: String) throws -> Dataset {
        try Dataset(bytes: Array(text.utf8), path: "data.jsonl")
    }

    func testSamplesWithInspectFieldNames() throws {
        let dataset = try parse("""
        {"id": "q1", "input": "What is 2+2?", "target": "4", "metadata": {"topic": "math", "language": "en"}}

        {"input": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}], "target": ["a", "b"]}
        {"id": 7, "input": "Pick one", "choices": ["x", "y"], "target": "B"}
        """)
        XCTAssertEqual(dataset.samples.map(\.id), ["q1", "3", "7"])
        XCTAssertEqual(dataset.samples[0].input, [ChatMessage(role: "user", content: "What is 2+2?")])
        XCTAssertTrue(dataset.samples[0].inputIsText)
        XCTAssertEqual(dataset.samples[0].metadataText("topic"), "math")
        XCTAssertEqual(dataset.samples[1].input.count, 2)
        XCTAssertEqual(dataset.samples[1].target, ["a", "b"])
        XCTAssertEqual(dataset.samples[2].choices, ["x", "y"])
        XCTAssertEqual(dataset.sha256.count, 64)
        // The hash is of the bytes: any change, even whitespace, is another dataset.
        XCTAssertNotEqual(try parse("{\"input\": \"a\"}").sha256, try parse("{\"input\":  \"a\"}").sha256)
    }

    func testMalformedLinesNameTheFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("{\"input\": \"a\"}\n{\"input\": \"b\"\n", 2, "not a JSON object"),
            ("{\"input\": \"a\"}\n[1, 2]\n", 2, "must be a JSON object"),
            ("{\"id\": \"x\", \"input\": \"a\"}\n\n{\"id\": \"x\", \"input\": \"b\"}", 3, "already used on line 1"),
            ("{\"target\": \"a\"}", 1, "'input' is required"),
            ("{\"input\": 3}", 1, "'input' must be a string or a list of messages"),
            ("{\"input\": [{\"role\": \"wizard\", \"content\": \"x\"}]}", 1, "'input[0].role'"),
            ("{\"input\": \"a\", \"choices\": [\"only\"]}", 1, "at least two choices"),
            ("{\"input\": \"a\", \"metadata\": []}", 1, "'metadata' must be an object"),
            ("{\"input\": \"a\", \"inptu\": 1}", 1, "'inptu' is not a sample field"),
            ("{\"input\": \"a\", \"tools\": [{\"type\": \"function\"}]}", 1, "'tools[0].function.name' is required"),
        ]
        for (text, line, message) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                guard let error = error as? AuditInputError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.file, "data.jsonl")
                XCTAssertEqual(error.line, line, text)
                XCTAssertTrue(error.description.contains(message), "\(error.description) lacks \(message)")
                XCTAssertTrue(error.description.hasPrefix("data.jsonl:\(line): "), error.description)
            }
        }
        XCTAssertThrowsError(try parse("\n  \n")) { XCTAssertTrue("\($0)".contains("holds no samples")) }
    }

    func testTaskFileErrorsNameTheFieldAndDatasetLines() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-task-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "{\"input\": \"2+2?\", \"target\": \"4\"}\n{\"input\": \"x\"\n".write(to: directory.appendingPathComponent("bad.jsonl"), atomically: true, encoding: .utf8)
        try "{\"input\": \"2+2?\", \"target\": \"4\"}\n".write(to: directory.appendingPathComponent("good.jsonl"), atomically: true, encoding: .utf8)
        func task(_ json: String) throws -> AuditTask {
            let url = directory.appendingPathComponent("task.json")
            try json.write(to: url, atomically: true, encoding: .utf8)
            return try AuditTask(contentsOf: url)
        }
        let good = try task("{\"name\": \"t\", \"version\": \"1\", \"dataset\": \"good.jsonl\", \"scorers\": [\"match\"], \"generation\": {\"max_tokens\": 8}}")
        XCTAssertEqual(good.generation.maxTokens, 8)
        XCTAssertEqual(good.solver, .generate(system: nil))
        let failures: [(String, String)] = [
            ("{\"name\": \"t\", \"version\": \"1\", \"dataset\": \"bad.jsonl\", \"scorers\": [\"match\"]}", "bad.jsonl:2:"),
            ("{\"name\": \"t\", \"version\": \"1\", \"dataset\": \"good.jsonl\", \"scorers\": [\"exactish\"]}", "'scorers[0].type' must be one of"),
            ("{\"name\": \"t\", \"version\": \"1\", \"dataset\": \"good.jsonl\"}", "'scorers' are required"),
            ("{\"name\": \"t\", \"dataset\": \"good.jsonl\", \"scorers\": [\"match\"]}", "'version' is required"),
            ("{\"name\": \"t\", \"version\": \"1\", \"dataset\": \"good.jsonl\", \"scorers\": [\"match\"], \"generation\": {\"temperature\": 9}}", "'generation.temperature'"),
            ("{\"name\": \"t\", \"version\": \"1\", \"dataset\": \"good.jsonl\", \"scorers\": [{\"type\": \"pattern\", \"pattern\": \"(\"}]}", "not a valid regular expression"),
            ("{\"name\": \"t\", \"version\": \"1\", \"dataset\": \"good.jsonl\", \"scorers\": [\"choice\"], \"solver\": \"choice\"}", "has no choices"),
            ("{\"name\": \"t\",\n \"version\": }", "task.json:2:"),
        ]
        for (json, message) in failures {
            XCTAssertThrowsError(try task(json), json) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error) lacks \(message)")
            }
        }
    }

    func testSampleSeedsDependOnlyOnTheRunSeedAndTheSample() {
        var settings = GenerationSettings()
        settings.seed = 42
        XCTAssertEqual(settings.seed(forSample: "a"), settings.seed(forSample: "a"))
        XCTAssertNotEqual(settings.seed(forSample: "a"), settings.seed(forSample: "b"))
        XCTAssertLessThan(settings.seed(forSample: "a"), 1 << 53)
        var other = settings
        other.seed = 43
        XCTAssertNotEqual(settings.seed(forSample: "a"), other.seed(forSample: "a"))
    }
}
