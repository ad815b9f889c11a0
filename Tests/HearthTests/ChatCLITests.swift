import Foundation
import TestSupport
import XCTest

/// `hearth template`, `hearth run` through the chat template and with JSON output, `hearth chat`.
final class ChatCLITests: XCTestCase {
    private func temporaryFile(_ contents: String, name: String = "messages.json") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-chat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testTemplatePrintsExactlyTheRenderedText() throws {
        let smol = try TestModels.url("smollm2-135m-instruct").path
        let qwen = try TestModels.url("qwen2.5-coder-0.5b-instruct").path
        // Expected texts rendered by jinja2 3.1.6 with the templates embedded in the files.
        let user = try temporaryFile(#"[{"role": "user", "content": "Hi"}]"#)
        let result = try HearthProcess.run(["template", smol, user])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        let qwenResult = try HearthProcess.run(["template", qwen, user])
        XCTAssertEqual(qwenResult.stdout, "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")

        let turns = try temporaryFile(#"{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}"#)
        let noPrompt = try HearthProcess.run(["template", smol, turns, "--no-generation-prompt"])
        XCTAssertEqual(noPrompt.stdout, "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n")
        let stdin = try HearthProcess.run(["template", smol, "-", "--no-generation-prompt"],
                                          input: #"[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]"#)
        XCTAssertEqual(stdin.stdout, noPrompt.stdout)
    }

    func testTemplateErrors() throws {
        let smol = try TestModels.url("smollm2-135m-instruct").path
        let gemma = try TestModels.url("gemma3-270m").path
        for (contents, fragment) in [("[{\"role\": ", "invalid JSON"), ("{\"x\": 1}", "messages"), ("[{\"content\": \"hi\"}]", "role"), ("42", "messages")] {
            let result = try HearthProcess.run(["template", smol, try temporaryFile(contents)])
            XCTAssertEqual(result.status, 1, contents)
            XCTAssertTrue(result.stderr.contains(fragment), "\(contents): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
        let none = try HearthProcess.run(["template", gemma, try temporaryFile("[]")])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("no chat template"), none.stderr)
    }

    func testRunUsesTheTemplateUnlessRaw() throws {
        let smol = try TestModels.url("smollm2-135m-instruct").path
        let base = ["run", smol, "What is the capital of France?", "--temperature", "0", "--max-tokens", "12", "--stats"]
        let chat = try HearthProcess.run(base)
        XCTAssertEqual(chat.status, 0, chat.stderr)
        let raw = try HearthProcess.run(base + ["--raw"])
        XCTAssertEqual(raw.status, 0, raw.stderr)
        func promptTokens(_ stats: String) -> Int? {
            guard let range = stats.range(of: "prompt ") else { return nil }
            return Int(stats[range.upperBound...].prefix { $0.isNumber })
        }
        XCTAssertEqual(promptTokens(raw.stderr), 7, raw.stderr)
        XCTAssertGreaterThan(promptTokens(chat.stderr) ?? 0, 20, "the template adds a system turn: \(chat.stderr)")
        XCTAssertNotEqual(chat.stdout, raw.stdout)
        let system = try HearthProcess.run(base + ["--system", "Answer in French."])
        XCTAssertEqual(system.status, 0, system.stderr)
        XCTAssertNotEqual(system.stdout, chat.stdout)
        let conflict = try HearthProcess.run(base + ["--raw", "--system", "x"])
        XCTAssertNotEqual(conflict.status, 0)

        let gemma = try TestModels.url("gemma3-270m").path
        let plain = try HearthProcess.run(["run", gemma, "Once upon a time", "--temperature", "0", "--max-tokens", "4"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertTrue(plain.stderr.contains("no chat template: running raw completion"), plain.stderr)
    }

    func testStopStringsAndSamplingFlags() throws {
        let smol = try TestModels.url("smollm2-135m-instruct").path
        let base = ["run", smol, "Count from 1 to 10, separated by commas.", "--max-tokens", "40", "--temperature", "0"]
        let full = try HearthProcess.run(base)
        XCTAssertEqual(full.status, 0, full.stderr)
        XCTAssertTrue(full.stdout.contains("5"), full.stdout)
        let stopped = try HearthProcess.run(base + ["--stop", "5"])
        XCTAssertEqual(stopped.stdout, String(full.stdout[..<full.stdout.range(of: "5")!.lowerBound]) + "\n")
        let sampled = ["run", smol, "Tell me a story.", "--max-tokens", "16", "--temperature", "1.2", "--top-k", "20",
                       "--top-p", "0.9", "--min-p", "0.02", "--repeat-penalty", "1.1", "--presence-penalty", "0.3",
                       "--frequency-penalty", "0.2", "--seed", "9"]
        let a = try HearthProcess.run(sampled), b = try HearthProcess.run(sampled)
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(a.stdout, b.stdout, "the same seed gives the same text")
        for bad in [["--top-p", "0"], ["--temperature", "-1"], ["--top-k", "-2"], ["--min-p", "2"], ["--stop", ""]] {
            let result = try HearthProcess.run(["run", smol, "x"] + bad)
            XCTAssertNotEqual(result.status, 0, "\(bad)")
        }
    }

    func testJSONSchemaOutputParsesAndValidates() throws {
        let smol = try TestModels.url("smollm2-135m-instruct").path
        let schema = try temporaryFile(#"""
        {"type": "object", "properties": {"name": {"type": "string", "maxLength": 20},
         "age": {"type": "integer"}, "colour": {"enum": ["red", "green", "blue"]}},
         "required": ["name", "age", "colour"], "additionalProperties": false}
        """#, name: "schema.json")
        for seed in 1...3 {
            let result = try HearthProcess.run(["run", smol, "Describe a person as JSON.", "--json-schema", schema,
                                                "--seed", String(seed), "--max-tokens", "80"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
            XCTAssertEqual(Set(object.keys), ["name", "age", "colour"])
            XCTAssertTrue(object["age"] is Int || object["age"] is NSNumber)
            XCTAssertTrue(["red", "green", "blue"].contains(object["colour"] as? String ?? ""), result.stdout)
        }
        let any = try HearthProcess.run(["run", smol, "Give a JSON array with the names of three fruits.", "--json", "--seed", "1", "--max-tokens", "200"])
        XCTAssertEqual(any.status, 0, any.stderr)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(any.stdout.utf8), options: .fragmentsAllowed), any.stdout)
        let badSchema = try HearthProcess.run(["run", smol, "x", "--json-schema", try temporaryFile(#"{"type": "objekt"}"#, name: "bad.json")])
        XCTAssertEqual(badSchema.status, 1)
        XCTAssertEqual(badSchema.stderr.split(separator: "\n").count, 1, badSchema.stderr)
    }

    func testChatKeepsHistoryAndHandlesCommands() throws {
        let smol = try TestModels.url("smollm2-135m-instruct").path
        let input = "My name is Ada.\n/system You are terse.\n/system\nWhat is 2+2?\n/reset\n/nonsense\nHello\n"
        let result = try HearthProcess.run(["chat", smol, "--temperature", "0", "--max-tokens", "16"], input: input)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("system: You are terse."), result.stderr)
        XCTAssertTrue(result.stderr.contains("conversation reset"), result.stderr)
        XCTAssertTrue(result.stderr.contains("unknown command /nonsense"), result.stderr)
        XCTAssertEqual(result.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }.count >= 3, true, result.stdout)
        // Without a template, chat refuses clearly.
        let gemma = try TestModels.url("gemma3-270m").path
        let none = try HearthProcess.run(["chat", gemma], input: "hi\n")
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("no chat template"), none.stderr)
    }
}
