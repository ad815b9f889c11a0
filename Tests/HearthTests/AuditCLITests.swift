import Foundation
import TestSupport
import XCTest

/// `hearth audit` as a user runs it, on SmolLM2: the same task in process and behind `hearth serve`,
/// at concurrency 1 and 8, twice; a run killed with SIGKILL and resumed; bad input.
final class AuditCLITests: XCTestCase {
    var directory: URL!
    var environment: [String: String] = [:]

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-audit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        environment = ["HEARTH_AUDIT_DB": directory.appendingPathComponent("audit.sqlite").path]
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func hearth(_ arguments: [String]) throws -> HearthProcess.Result {
        try HearthProcess.run(arguments, environment: environment)
    }

    /// A seeded generate task at temperature 0.8 (so seeds matter) and a multiple-choice one.
    func tasks() throws -> (generate: String, choice: String) {
        let questions = ["What is the capital of France?", "Name a primary colour.", "What is 3 + 4?", "Say hello in Spanish.",
                         "What do bees make?", "Which planet is called the red planet?", "What is the opposite of cold?",
                         "How many legs does a spider have?", "What colour is the sky on a clear day?", "Name a fruit that is yellow."]
        let targets = ["Paris", "red", "7", "hola", "honey", "Mars", "hot", "8", "blue", "banana"]
        let lines = zip(questions, targets).enumerated().map { index, pair in
            "{\"id\": \"g\(index)\", \"input\": \"\(pair.0)\", \"target\": \"\(pair.1)\", \"metadata\": {\"half\": \"\(index < 5 ? "first" : "second")\"}}"
        }
        _ = try write("general.jsonl", lines.joined(separator: "\n"))
        let generate = try write("general.json", """
        {"name": "general", "version": "1", "dataset": "general.jsonl", "solver": {"type": "generate", "system": "Answer in one short sentence."},
         "scorers": ["includes", "refusal"], "generation": {"temperature": 0.8, "max_tokens": 24, "seed": 7}}
        """)
        _ = try write("choice.jsonl", """
        {"id": "c1", "input": "Question: What is the capital of France?\\nAnswer:", "choices": ["Paris", "Berlin", "Madrid"], "target": "A"}
        {"id": "c2", "input": "Question: How many days are in a week?\\nAnswer:", "choices": ["five", "seven", "ten"], "target": "B"}
        {"id": "c3", "input": "Question: Water freezes at what temperature in Celsius?\\nAnswer:", "choices": ["100 degrees", "50 degrees", "0 degrees"], "target": "C"}
        """)
        let choice = try write("choice.json", """
        {"name": "choice", "version": "1", "dataset": "choice.jsonl", "solver": "choice", "scorers": ["choice"]}
        """)
        return (generate, choice)
    }

    /// Transcripts and scores of a run's export, by sample (what must not change between runs).
    func outcomes(_ run: String) throws -> [String: String] {
        let result = try hearth(["audit", "export", run, "--format", "jsonl"])
        XCTAssertEqual(result.status, 0, result.stderr)
        var outcomes: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let transcript = object["transcript"] as? [String: Any] ?? [:]
            let scores = (object["scores"] as? [String: Any] ?? [:]).mapValues { ($0 as! [String: Any])["value"].map { "\($0)" } ?? "" }
            var kept: [String: Any] = ["messages": transcript["messages"] ?? [], "output": transcript["output"] ?? "",
                                       "choice_scores": transcript["choice_scores"] ?? [], "scores": scores, "status": object["status"] ?? ""]
            kept["finish_reason"] = transcript["finish_reason"]
            let data = try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys])
            outcomes[object["id"] as! String] = String(decoding: data, as: UTF8.self)
        }
        return outcomes
    }

    func runID(_ stdout: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        return object["run"] as! String
    }

    func testSameTranscriptsInProcessBehindServeAndAtAnyConcurrency() throws {
        _ = try TestModels.url("smollm2-135m-instruct")
        let (generate, choice) = try tasks()
        var runs: [String: [String: String]] = [:]
        for (label, concurrency) in [("c1", "1"), ("c8", "8"), ("again", "8")] {
            let result = try hearth(["audit", "run", generate, choice, "--model", "smollm2-135m-instruct", "--concurrency", concurrency, "--new", "--no-cache", "--output", "json", "--threads", "2"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let ids = try result.stdout.split(separator: "\n").map { try runID(String($0)) }
            guard ids.count == 2 else { return XCTFail("expected two runs, got \(ids.count)") }
            runs[label] = try outcomes(ids[0]).merging(try outcomes(ids[1])) { a, _ in a }
        }
        XCTAssertEqual(runs["c1"]!.count, 13)
        XCTAssertEqual(runs["c1"], runs["c8"], "concurrency changed a transcript")
        XCTAssertEqual(runs["c8"], runs["again"], "a repeated run changed a transcript")

        // The same model behind hearth serve, audited as an OpenAI-compatible endpoint.
        let server = try ServeProcess(model: "smollm2-135m-instruct", parallel: 4)
        defer { server.stop() }
        let result = try hearth(["audit", "run", generate, choice, "--model", "openai:smollm2-135m-instruct@\(server.baseURL)",
                                 "--concurrency", "4", "--new", "--no-cache", "--output", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let ids = try result.stdout.split(separator: "\n").map { try runID(String($0)) }
        guard ids.count == 2 else { return XCTFail("expected two runs, got \(ids.count)") }
        let served = try outcomes(ids[0]).merging(try outcomes(ids[1])) { a, _ in a }
        XCTAssertEqual(served, runs["c1"], "the served model's transcripts differ from the in-process ones")
    }

    func testKilledRunResumesAndEqualsAnUninterruptedOne() throws {
        _ = try TestModels.url("smollm2-135m-instruct")
        let lines = (0..<24).map { "{\"id\": \"s\($0)\", \"input\": \"Write one sentence about the number \($0).\", \"target\": \"\($0)\"}" }
        let dataset = try write("numbers.jsonl", lines.joined(separator: "\n"))
        let command = ["audit", "run", dataset, "--scorer", "includes", "--model", "smollm2-135m-instruct", "--concurrency", "2",
                       "--max-tokens", "32", "--seed", "3", "--temperature", "0.7", "--quiet", "--threads", "2"]

        let process = Process()
        process.executableURL = HearthProcess.executable
        process.arguments = command
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until some samples are recorded, then kill it without warning.
        var done = 0
        let deadline = Date().addingTimeInterval(120)
        while done < 4 && Date() < deadline && process.isRunning {
            Thread.sleep(forTimeInterval: 0.2)
            let list = try hearth(["audit", "list"]).stdout.split(separator: "\n").dropFirst()
            done = list.first.flatMap { Int($0.split(separator: "\t")[4].split(separator: "/")[0]) } ?? 0
        }
        XCTAssertTrue(process.isRunning, "the run finished before it could be killed; make it longer")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let listed = try hearth(["audit", "list"]).stdout.split(separator: "\n")[1].split(separator: "\t")
        let run = String(listed[0])
        let before = try outcomes(run)
        XCTAssertGreaterThanOrEqual(before.count, 4)
        XCTAssertLessThan(before.count, 24)

        // The same command again resumes the same run and runs only what is missing.
        let resumed = try hearth(command + ["--output", "json"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resuming run \(run)"), resumed.stderr)
        XCTAssertEqual(try runID(resumed.stdout), run)
        let after = try outcomes(run)
        XCTAssertEqual(after.count, 24)
        for (id, outcome) in before where outcome.contains("\"done\"") {
            XCTAssertEqual(after[id], outcome, "a finished sample changed on resume")
        }
        // An uninterrupted run computes the same.
        let fresh = try hearth(command + ["--new", "--no-cache", "--output", "json"])
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        XCTAssertEqual(try outcomes(try runID(fresh.stdout)), after)
    }

    func testARunRecordsTheModelsProvenance() throws {
        _ = try TestModels.url("smollm2-135m-instruct")
        let (_, choice) = try tasks()
        let run = try hearth(["audit", "run", choice, "--model", "smollm2-135m-instruct", "--output", "json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let shown = try hearth(["audit", "show", try runID(run.stdout), "--output", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as! [String: Any]
        let details = (object["target"] as! [String: Any])["details"] as! [String: Any]
        let provenance = try XCTUnwrap(details["provenance"] as? [String: Any], "\(details)")
        XCTAssertEqual(provenance["country"] as? String, "United States")
        XCTAssertEqual((provenance["licence"] as? [String: Any])?["spdx"] as? String, "Apache-2.0")
        XCTAssertEqual((provenance["openness"] as? [String: Any])?["data"] as? String, "open")
        XCTAssertEqual((provenance["source"] as? [String: Any])?["kind"] as? String, "catalog")
    }

    func testBadInputNamesTheFileAndLine() throws {
        let dataset = try write("broken.jsonl", "{\"input\": \"fine\"}\n{\"input\": \"broken\"\n")
        let result = try hearth(["audit", "run", dataset, "--scorer", "includes", "--model", "openai:m@http://127.0.0.1:9/v1"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("broken.jsonl:2:"), result.stderr)
        let noScorer = try hearth(["audit", "run", dataset, "--model", "x"])
        XCTAssertTrue(noScorer.stderr.contains("--scorer"), noScorer.stderr)
        let badTarget = try hearth(["audit", "run", try write("ok.jsonl", "{\"input\": \"a\", \"target\": \"a\"}"), "--scorer", "includes", "--model", "openai:nourl"])
        XCTAssertTrue(badTarget.stderr.contains("openai:MODEL@BASE_URL"), badTarget.stderr)
        let unknownRun = try hearth(["audit", "show", "nosuchrun"])
        XCTAssertNotEqual(unknownRun.status, 0)
        XCTAssertTrue(unknownRun.stderr.contains("no run 'nosuchrun'"), unknownRun.stderr)
    }

    func testUnreachableEndpointIsRecordedAsErrorsNotWrongAnswers() throws {
        let dataset = try write("two.jsonl", "{\"input\": \"a\", \"target\": \"a\"}\n{\"input\": \"b\", \"target\": \"b\"}")
        // Port 9 (discard) is closed on loopback: every attempt is refused.
        let result = try hearth(["audit", "run", dataset, "--scorer", "includes", "--model", "openai:m@http://127.0.0.1:9/v1", "--output", "json", "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(summary["errors"] as? Int, 2)
        XCTAssertEqual((summary["metrics"] as? [String: Any])?.count, 0, "errors are never scored")
        XCTAssertTrue(result.stderr.contains("2 sample(s) ended in an error"), result.stderr)
    }

    func testVersionNamesTheCommit() throws {
        let result = try hearth(["--version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertNotNil(result.stdout.range(of: #"^\d+\.\d+\.\d+ \(([0-9a-f]{40}(\+dirty)?|unknown)\)\n$"#, options: .regularExpression), result.stdout)
    }
}

/// `hearth serve` on a free loopback port, for the duration of a test.
final class ServeProcess {
    let process = Process()
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    init(model: String, parallel: Int) throws {
        port = Self.freePort()
        process.executableURL = HearthProcess.executable
        process.arguments = ["serve", model, "--port", String(port), "--parallel", String(parallel), "--threads", "2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            // The port accepts connections once the model is loaded and the server listens.
            if Self.accepts(port) { return }
            guard process.isRunning else { throw NSError(domain: "hearth serve exited", code: Int(process.terminationStatus)) }
            Thread.sleep(forTimeInterval: 0.2)
        }
        stop()
        throw NSError(domain: "hearth serve did not become healthy", code: 1)
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    static func accepts(_ port: Int) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func freePort() -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
