import Foundation
import TestSupport
import XCTest

/// `hearth pull` as processes, against `scripts/hub_mirror.py` (the Hub's protocol, in Python, with
/// downloads slowed down): a pull killed with SIGKILL midway leaves a partial file and nothing else;
/// then two pulls at once, in two processes, both succeed with one copy, one of them resuming from
/// the partial file and the other waiting for it.
final class PullCrashTests: XCTestCase {
    private var scratch: URL!
    private var mirror: Process?

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-pull-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        mirror?.terminate()
        mirror?.waitUntilExit()
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Starts the mirror on a free port and returns its endpoint.
    private func startMirror(_ directory: URL, rate: Int, log: URL) throws -> String {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/hub_mirror.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, directory.path, "--port", "0", "--rate", String(rate), "--log", log.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        mirror = process
        var seen = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let data = errors.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
            if let line = seen.split(separator: "\n").first(where: { $0.hasPrefix("HF_ENDPOINT=") }) {
                return String(line.dropFirst("HF_ENDPOINT=".count))
            }
        }
        throw XCTSkip("the mirror did not start: \(seen)")
    }

    private func pullProcess(_ environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = HearthProcess.executable
        process.arguments = ["pull", "hf.co/acme/Smol-GGUF:Q4_1"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func testKilledPullLeavesOnlyAPartialFileAndConcurrentPullsFinishWithOneCopy() throws {
        let model = try TestModels.url("smollm2-135m-instruct")
        let repository = scratch.appendingPathComponent("mirror/acme/Smol-GGUF")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: model, to: repository.appendingPathComponent("smol-Q4_1.gguf"))
        let log = scratch.appendingPathComponent("requests.jsonl")
        let endpoint = try startMirror(scratch.appendingPathComponent("mirror"), rate: 40_000_000, log: log)
        let store = scratch.appendingPathComponent("store")
        let environment = ["HF_ENDPOINT": endpoint, "HEARTH_MODELS_DIR": store.path]
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: model.path)[.size] as? NSNumber).intValue

        // Killed once 10 MB are on disk (the mirror sends 40 MB a second: the whole file takes 2.5 s).
        let first = try pullProcess(environment)
        let blobs = store.appendingPathComponent("blobs")
        func partialSize() -> Int {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: blobs.path)) ?? []
            guard let partial = names.first(where: { $0.hasSuffix(".partial") }) else { return 0 }
            return ((try? FileManager.default.attributesOfItem(atPath: blobs.appendingPathComponent(partial).path))?[.size] as? NSNumber)?.intValue ?? 0
        }
        let deadline = Date().addingTimeInterval(60)
        while partialSize() < 10_000_000 && first.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(first.isRunning, "killed midway, not after the end")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let kept = partialSize()
        XCTAssertGreaterThanOrEqual(kept, 10_000_000)
        XCTAssertLessThan(kept, size)
        let afterKill = (try? FileManager.default.contentsOfDirectory(atPath: blobs.path)) ?? []
        XCTAssertFalse(afterKill.contains { $0.hasPrefix("sha256-") && !$0.contains(".") }, "no blob from a killed pull: \(afterKill)")
        let manifests = (try? FileManager.default.contentsOfDirectory(atPath: store.appendingPathComponent("manifests").path)) ?? []
        XCTAssertTrue(manifests.isEmpty, "no manifest from a killed pull: \(manifests)")

        // Two processes at once: one resumes, the other waits on the lock and finds the file stored.
        let second = try pullProcess(environment), third = try pullProcess(environment)
        second.waitUntilExit()
        third.waitUntilExit()
        XCTAssertEqual(second.terminationStatus, 0)
        XCTAssertEqual(third.terminationStatus, 0)
        let stored = try FileManager.default.contentsOfDirectory(atPath: blobs.path).filter { $0.hasPrefix("sha256-") && !$0.contains(".") }
        XCTAssertEqual(stored, ["sha256-b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"], "one copy")

        let requests = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }.filter { ($0["method"] as? String) == "GET" }
        XCTAssertEqual(requests.count, 2, "the killed download and one resume: \(requests)")
        XCTAssertTrue(requests[0]["range"] is NSNull || requests[0]["range"] == nil)
        XCTAssertEqual(requests[1]["range"] as? String, "bytes=\(kept)-")
        XCTAssertEqual(requests[1]["sent"] as? Int, size - kept, "only the bytes not kept")

        let verify = try HearthProcess.run(["verify", "--all"], environment: ["HEARTH_MODELS_DIR": store.path])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
    }
}
