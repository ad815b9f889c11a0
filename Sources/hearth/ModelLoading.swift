import Foundation
import GGUF
import Models
import Store
import Tokenizers

/// Resolves MODEL arguments: a path is used as is, a catalog name fetched on first use.
enum ModelArgument {
    static func resolve(_ nameOrPath: String) throws -> URL {
        try ModelStore().resolve(nameOrPath) { status($0) }
    }

    static func openFile(_ nameOrPath: String) throws -> (URL, GGUFFile) {
        let url = try resolve(nameOrPath)
        return (url, try GGUFFile(url: url))
    }

    static func load(_ nameOrPath: String) throws -> LanguageModel {
        let (url, file) = try openFile(nameOrPath)
        return try LanguageModel(file: file, url: url)
    }
}

/// Thread count when none is given: every core the process may use.
var defaultThreadCount: Int { ProcessInfo.processInfo.activeProcessorCount }
