import Foundation
import Models

/// SmolLM2 loaded once for all tests (skips when the file is absent).
public enum SharedModel {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var loaded: LanguageModel?

    public static func smolLM2() throws -> LanguageModel {
        let url = try TestModels.url("smollm2-135m-instruct")
        lock.lock()
        defer { lock.unlock() }
        if let loaded { return loaded }
        let model = try LanguageModel(url: url)
        loaded = model
        return model
    }
}

