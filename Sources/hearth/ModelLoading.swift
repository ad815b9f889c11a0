import Foundation
import GGUF
import Models
import Store
import Tokenizers

/// Resolves MODEL arguments: a path is used as is; a stored model is checked against its manifest
/// (refused if its bytes changed); a catalog name or `hf.co/…` reference not yet stored is fetched.
enum ModelArgument {
    static func resolve(_ nameOrPath: String) throws -> ModelStore.Resolved {
        let events = StoreProgress.events()
        return try runBlocking { try await ModelStore().resolve(nameOrPath, events: events) }
    }

    /// From inside Swift concurrency (the audit's target resolver): never blocks a thread of the pool.
    static func resolve(_ nameOrPath: String) async throws -> ModelStore.Resolved {
        try await ModelStore().resolve(nameOrPath, events: StoreProgress.events())
    }

    static func openFile(_ nameOrPath: String) throws -> (ModelStore.Resolved, GGUFFile) {
        let resolved: ModelStore.Resolved = try resolve(nameOrPath)
        return (resolved, try GGUFFile(urls: resolved.urls))
    }

    static func load(_ nameOrPath: String) throws -> LanguageModel {
        let (resolved, file) = try openFile(nameOrPath)
        return try LanguageModel(file: file, url: resolved.url)
    }
}

/// Store events on standard error: status lines, and on a terminal a progress bar for downloads
/// (bytes, rate, time left), redrawn at most ten times a second.
enum StoreProgress {
    static func events() -> StoreEvents {
        let onTerminal = isatty(STDERR_FILENO) == 1
        return StoreEvents(status: { status($0) }, progress: { progress in
            guard onTerminal else { return }
            let fraction = progress.total > 0 ? Double(progress.bytes) / Double(progress.total) : 0
            let width = 24
            let filled = min(width, Int(fraction * Double(width)))
            var line = "\r\(progress.file.split(separator: "/").last ?? "") "
                + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
                + String(format: " %.0f/%.0f MB  %.1f MB/s", Double(progress.bytes) / 1e6, Double(progress.total) / 1e6, progress.rate / 1e6)
            if let left = progress.secondsLeft, !progress.finished { line += "  \(Int(left.rounded())) s left" }
            FileHandle.standardError.write(Data((line + "\u{1B}[K" + (progress.finished ? "\n" : "")).utf8))
        })
    }
}

/// Thread count when none is given: every core the process may use.
var defaultThreadCount: Int { ProcessInfo.processInfo.activeProcessorCount }
