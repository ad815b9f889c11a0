import Foundation
import XCTest

/// Locates the real model files of the catalog for tests.
///
/// Tests that need a model call `TestModels.url(...)`. Where the file is absent the test is skipped,
/// unless `HEARTH_REQUIRE_MODELS=1` (CI sets it), in which case the absence is a failure: a CI run must
/// never pass by skipping the tests that matter.
public enum TestModels {
    public static let smolLM2 = "SmolLM2-135M-Instruct.Q4_1.gguf"
    public static let gemma3 = "gemma-3-270m-q4_k_m.gguf"
    public static let qwen25Coder = "qwen2.5-coder-0.5b-instruct-awq-q4_k_m.gguf"

    /// Catalog name → file name, as in the project's catalog.
    public static let files: [String: String] = [
        "smollm2-135m-instruct": smolLM2,
        "gemma3-270m": gemma3,
        "qwen2.5-coder-0.5b-instruct": qwen25Coder,
    ]

    public static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["HEARTH_MODELS_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/hearth/models", isDirectory: true)
    }

    /// The URL of a model file given its file name or catalog name; skips (or fails under CI) when absent.
    public static func url(_ nameOrFile: String, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let fileName = files[nameOrFile] ?? nameOrFile
        let url = directory.appendingPathComponent(fileName)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        let message = "model file \(fileName) not found in \(directory.path); run `hearth pull --all` first"
        if ProcessInfo.processInfo.environment["HEARTH_REQUIRE_MODELS"] == "1" {
            XCTFail(message, file: file, line: line)
            throw XCTSkip(message)
        }
        throw XCTSkip(message)
    }
}

/// Chat templates kept in the repository for tests (`scripts/fixtures/`).
public enum TestTemplates {
    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/fixtures")
    }

    /// ChatML that opens `<think>` in the generation prompt (as DeepSeek-R1's distills do), or an
    /// empty closed block with `enable_thinking: false` (as Qwen3 does).
    public static var thinkPath: String { fixtures.appendingPathComponent("think-template.jinja").path }

    public static func think() throws -> String {
        try String(contentsOfFile: thinkPath, encoding: .utf8)
    }
}
