import Foundation
import XCTest

/// `hearth audit run` killed with SIGKILL while it writes its database, again and again: against an
/// endpoint that answers at once (`scripts/fake_openai.py`), the run's time goes to recording
/// samples, scores and cached responses, so the kills land in and between transactions. After
/// every kill the database must pass SQLite's integrity check, and every sample recorded before
/// must still be there, unchanged; the same command then resumes and finishes, equal to a run
/// that was never interrupted.
extension AuditCLITests {
    private func startFakeEndpoint() throws -> (Process, String) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/fake_openai.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--port", "0"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var seen = ""
        while !seen.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
        }
        guard let port = seen.split(separator: "\n").first?.split(separator: " ").last, Int(port) != nil else {
            process.terminate()
            throw XCTSkip("the fake endpoint did not start: \(seen)")
        }
        return (process, "http://127.0.0.1:\(port)/v1")
    }

    /// SQLite's own check of the whole file, through Python's sqlite3 module (a second reader).
    private func integrityCheck(_ database: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])", database]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testSIGKILLDuringDatabaseWritesCorruptsNothingAndLosesNothing() throws {
        let (endpoint, url) = try startFakeEndpoint()
        defer { endpoint.terminate(); endpoint.waitUntilExit() }
        let total = 1500
        let lines = (0..<total).map { "{\"id\": \"s\($0)\", \"input\": \"The number is \($0).\", \"target\": \"\($0)\"}" }
        let dataset = try write("numbers.jsonl", lines.joined(separator: "\n"))
        let command = ["audit", "run", dataset, "--scorer", "includes", "--model", "openai:fake@\(url)", "--concurrency", "16", "--quiet"]
        let database = try XCTUnwrap(environment["HEARTH_AUDIT_DB"])

        var recorded: [String: String] = [:]
        var run: String?
        var killsMidRun = 0
        var random = SystemRandomNumberGenerator()
        for attempt in 0..<8 where recorded.count < total {
            let process = Process()
            process.executableURL = HearthProcess.executable
            process.arguments = command
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Somewhere between start-up (model check, dataset load) and well into the writing.
            usleep(UInt32.random(in: 400_000...1_600_000, using: &random))
            let wasRunning = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            XCTAssertEqual(try integrityCheck(database), "ok", "after kill \(attempt + 1)")
            guard let listed = try hearth(["audit", "list"]).stdout.split(separator: "\n").dropFirst().first else { continue }
            let id = String(listed.split(separator: "\t")[0])
            if let run { XCTAssertEqual(id, run, "a resumed command started a new run") }
            run = id
            let now = try outcomes(id)
            for (sample, outcome) in recorded {
                XCTAssertEqual(now[sample], outcome, "sample \(sample), recorded before kill \(attempt + 1), was lost or changed")
            }
            if wasRunning && now.count > recorded.count && now.count < total { killsMidRun += 1 }
            recorded = now
        }
        XCTAssertGreaterThanOrEqual(killsMidRun, 2, "too few kills landed while samples were being written")

        let finished = try hearth(command + ["--output", "json"])
        XCTAssertEqual(finished.status, 0, finished.stderr)
        let id = try runID(finished.stdout)
        XCTAssertEqual(id, run)
        let after = try outcomes(id)
        XCTAssertEqual(after.count, total)
        for (sample, outcome) in recorded { XCTAssertEqual(after[sample], outcome, "sample \(sample) changed on resume") }
        let fresh = try hearth(command + ["--new", "--no-cache", "--output", "json"])
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        XCTAssertEqual(try outcomes(try runID(fresh.stdout)), after)
        XCTAssertEqual(try integrityCheck(database), "ok")
    }
}
