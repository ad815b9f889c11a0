import Foundation
import TestSupport
import XCTest

/// The `hearth` executable as a user meets it: output on stdout, one-line errors, exit codes.
final class CLITests: XCTestCase {
    private func hearth(_ arguments: [String]) throws -> HearthProcess.Result {
        try HearthProcess.run(arguments)
    }

    func testHelpNamesEveryCommand() throws {
        let help = try hearth(["--help"])
        XCTAssertEqual(help.status, 0)
        for command in ["run", "tokenize", "show", "pull", "list"] {
            XCTAssertTrue(help.stdout.contains(command), command)
        }
    }

    func testTokenizePrintsOneJSONArray() throws {
        let path = try TestModels.url("smollm2-135m-instruct").path
        let result = try hearth(["tokenize", path, "Hello world"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "[19556,905]\n")
        let special = try hearth(["tokenize", path, "<|im_start|>", "--special", "--pieces"])
        XCTAssertEqual(special.stdout, "[{\"id\":1,\"piece\":\"<|im_start|>\"}]\n")
    }

    func testGreedyRunIsReproducibleAndPrintsOnlyTheCompletion() throws {
        let path = try TestModels.url("smollm2-135m-instruct").path
        let arguments = ["run", path, "The capital of France is", "--raw", "--temperature", "0", "--max-tokens", "8"]
        let first = try hearth(arguments), second = try hearth(arguments)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, second.stdout)
        XCTAssertFalse(first.stdout.contains("capital of France is"), "the prompt is not echoed")
        XCTAssertTrue(first.stdout.contains("Paris"), first.stdout)
    }

    func testErrorsAreOneLineWithNonZeroStatus() throws {
        let path = try TestModels.url("smollm2-135m-instruct").path
        let cases: [([String], String)] = [
            (["run", "no-such-model", "hi"], "unknown model 'no-such-model'"),
            (["run", "/no/such/file.gguf", "hi"], "does not exist"),
            (["run", path, "one two three four five", "--ctx-size", "3"], "does not fit a context of 3 tokens"),
            (["run", path, "hi", "--ctx-size", "100000"], "exceeds the model's context of 8192"),
            (["run", path, "hi", "--max-tokens", "-1"], "--max-tokens"),
        ]
        for (arguments, message) in cases {
            let result = try hearth(arguments)
            XCTAssertNotEqual(result.status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
        }
    }

    func testCorruptFileIsAClearError() throws {
        let source = try TestModels.url("smollm2-135m-instruct")
        let handle = try FileHandle(forReadingFrom: source)
        let head = try handle.read(upToCount: 4096)!
        try handle.close()
        let truncated = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-truncated-\(UUID().uuidString).gguf")
        try head.write(to: truncated)
        defer { try? FileManager.default.removeItem(at: truncated) }
        let result = try hearth(["show", truncated.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("GGUF"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
    }

    func testShowDescribesTheModel() throws {
        let result = try hearth(["show", try TestModels.url("gemma3-270m").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        for fragment in ["gemma3", "262144 tokens", "global layers 5, 11, 17", "none (raw completion only)", "Q4_K"] {
            XCTAssertTrue(result.stdout.contains(fragment), fragment)
        }
    }
}
