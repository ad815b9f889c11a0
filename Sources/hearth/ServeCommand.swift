import ArgumentParser
import Dispatch
import Engine
import Foundation
import Logging
import Models
import Server
import Store

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve models over an OpenAI-compatible HTTP API (chat, completions, streaming).",
        discussion: """
        Each MODEL is a GGUF file or a catalog name; clients choose one with the `model` field, by its
        catalog name or its file name without `.gguf` (GET /v1/models lists them). Every model gets
        --parallel slots, each with its own KV cache, and runs them together: one forward pass
        carries a token of every generating sequence (continuous batching). Requests beyond the
        slots wait in a queue of
        --queue-size, and beyond that get 429 with Retry-After. With --api-key (or $HEARTH_API_KEY)
        every route but /health requires `Authorization: Bearer KEY`. SIGTERM or Ctrl-C shuts down
        gracefully.

        Example:
          hearth serve smollm2-135m-instruct --port 8080
          curl http://127.0.0.1:8080/v1/completions -H 'Content-Type: application/json' \\
            -d '{"model": "smollm2-135m-instruct", "prompt": "The capital of France is", "max_tokens": 8}'
        """
    )

    @Argument(help: "GGUF files or catalog names to serve.")
    var models: [String]

    @Option(name: .long, help: "Address to listen on (127.0.0.1: this machine only; 0.0.0.0: every interface).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (0: any free port, printed at start).")
    var port = 8080

    @Option(name: .long, help: "Require this key as 'Authorization: Bearer KEY' (default: $HEARTH_API_KEY; none: open).")
    var apiKey: String?

    @Option(name: .long, help: "Generations each model runs at once (its slots, each with its own KV cache).")
    var parallel = 4

    @Option(name: .long, help: "Context size of each slot in tokens (default: the model's, at most 4096).")
    var ctxSize: Int?

    @Option(name: .long, help: KVCacheType.help)
    var cacheType: KVCacheType = .f32

    @Option(name: .long, help: "Threads of each model's forward passes (default: the machine's cores).")
    var threads: Int?

    private var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    @Option(name: .long, help: "Requests that may wait for a slot, per model, before the server answers 429.")
    var queueSize = 64

    @Option(name: .long, help: "Largest request body accepted, in bytes.")
    var maxBodyBytes = 8 << 20

    @Option(name: .long, help: "Use the chat template in this file for every model served, instead of each model's own.")
    var chatTemplateFile: String?

    @Option(name: .long, help: "A reasoning model's thoughts: deepseek (apart, as reasoning_content) or none (left in content). Requests may override it with reasoning_format.")
    var reasoningFormat = "deepseek"

    @Option(name: .long, help: "Close a reasoning model's thoughts after this many tokens (default: no limit). Requests may override it with reasoning_budget.")
    var reasoningBudget: Int?

    func validate() throws {
        guard !models.isEmpty else { throw ValidationError("name at least one model to serve") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard queueSize >= 0 else { throw ValidationError("--queue-size must be zero or more") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
        if let ctxSize, ctxSize < 2 { throw ValidationError("--ctx-size must be at least 2") }
        if let apiKey, apiKey.isEmpty { throw ValidationError("--api-key must not be empty") }
        guard ReasoningFormat(name: reasoningFormat) != nil else {
            throw ValidationError("--reasoning-format must be one of \(ReasoningFormat.names)")
        }
        if let reasoningBudget, reasoningBudget < 0 { throw ValidationError("--reasoning-budget must be zero or more") }
    }

    func run() throws {
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
        var logger = Logger(label: "hearth.serve")
        logger.logLevel = .info

        var templateSource: String?
        if let path = chatTemplateFile {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw CLIError("cannot read the chat template file \(path)")
            }
            templateSource = text
        }
        var served: [ServedModel] = []
        for argument in models {
            let model = try ModelArgument.load(argument)
            let id = Self.modelID(argument)
            guard !served.contains(where: { $0.id == id }) else {
                throw CLIError("the model id '\(id)' is given twice")
            }
            if let ctxSize, ctxSize > model.config.contextLength {
                throw CLIError("--ctx-size \(ctxSize) exceeds the context of '\(id)' (\(model.config.contextLength) tokens)")
            }
            let length = min(ctxSize ?? model.defaultContextLength, model.config.contextLength)
            let executor = BatchExecutor(model: model, slots: parallel, contextLength: length,
                                         threads: threadCount, cacheType: cacheType, queueCapacity: queueSize)
            let chat = try ServerChat.builder(for: model, templateSource: templateSource)
            if chat == nil { status("\(id) has no chat template: only /v1/completions serves it") }
            served.append(ServedModel(id: id, model: model, executor: executor, chat: chat))
            status("loaded \(id): context \(length) tokens, \(parallel) slots batched on \(threadCount) thread(s)")
        }

        var configuration = ServerConfiguration(host: host, port: port,
                                                apiKey: apiKey ?? ProcessInfo.processInfo.environment["HEARTH_API_KEY"].flatMap { $0.isEmpty ? nil : $0 })
        configuration.limits.maximumBodyBytes = maxBodyBytes
        configuration.reasoningFormat = ReasoningFormat(name: reasoningFormat) ?? .deepseek
        configuration.reasoningBudget = reasoningBudget
        let registry = ModelRegistry(served)
        let host = self.host
        let keyed = configuration.apiKey != nil

        // The command runs synchronously; the server runs on Swift's concurrency pool meanwhile.
        let outcome = ServeOutcome()
        let finished = DispatchSemaphore(value: 0)
        Task {
            do {
                try await runServer(models: registry, configuration: configuration,
                                    constraints: JSONSchemaConstraints(), logger: logger) { port in
                    status("serving \(registry.ids.joined(separator: ", ")) on http://\(host):\(port)/v1\(keyed ? " (API key required)" : "")")
                }
            } catch {
                outcome.error = error
            }
            finished.signal()
        }
        finished.wait()
        if let error = outcome.error { throw error }
    }

    /// The id clients use: the name the model was given (catalog, store, `hf.co/…`), or a file's name
    /// without `.gguf`.
    static func modelID(_ argument: String) -> String {
        if !FileManager.default.fileExists(atPath: argument) { return argument }
        let name = URL(fileURLWithPath: argument).lastPathComponent
        return name.hasSuffix(".gguf") ? String(name.dropLast(5)) : name
    }
}

private final class ServeOutcome: @unchecked Sendable {
    var error: Error?
}
