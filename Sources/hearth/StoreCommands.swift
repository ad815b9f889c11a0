import ArgumentParser
import Foundation
import Store

struct Pull: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download catalog models and verify them against their pinned SHA-256."
    )

    @Argument(help: "Catalog names (see `hearth list`).")
    var names: [String] = []

    @Flag(name: .long, help: "Every model in the catalog.")
    var all = false

    @Flag(name: .long, help: "Hash files already in the cache again.")
    var verify = false

    func validate() throws {
        if names.isEmpty && !all { throw ValidationError("name a model or pass --all") }
    }

    func run() throws {
        let store = ModelStore()
        let entries = try (all ? Catalog.entries.map(\.name) : names).map { name in
            guard let entry = Catalog.entry(named: name) else {
                throw StoreError.unknownModel(name, known: Catalog.entries.map(\.name))
            }
            return entry
        }
        for entry in entries {
            if verify, store.isPresent(entry) {
                status("verifying \(entry.name)")
                try store.verify(entry)
            }
            let url = try store.ensure(entry) { status($0) }
            print("\(entry.name)\t\(url.path)")
        }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the catalog and which models are downloaded.")

    func run() throws {
        let store = ModelStore()
        for entry in Catalog.entries {
            let state = store.isPresent(entry) ? "downloaded" : "not downloaded"
            let size = String(format: "%.0f MB", Double(entry.byteCount) / 1e6)
            print([entry.name, entry.architecture, size, state, entry.origin].joined(separator: "\t"))
        }
    }
}
