import ArgumentParser
import Engine
import Foundation
import JSON
import Models

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer a prompt, streaming only the generated text to standard output.",
        discussion: """
        Models with a chat template (see `hearth show`) get the prompt as a user message in their
        template; --raw, or a model without a template, completes the text as it is.
        With --json or --json-schema the output is constrained token by token to valid JSON
        (matching the schema), and only that JSON is printed.
        """
    )

    @Argument(help: "A GGUF file or a catalog name.")
    var model: String

    @Argument(help: "The prompt: a user message, or with --raw the text to complete.")
    var prompt: String

    @Option(name: .long, help: "A system message to put before the prompt (chat template models).")
    var system: String?

    @Flag(name: .long, help: "Complete the prompt as plain text, without the chat template.")
    var raw = false

    @Flag(name: .long, help: "Constrain the output to be a JSON value.")
    var json = false

    @Option(name: .long, help: "Constrain the output to JSON valid against the JSON Schema in this file.")
    var jsonSchema: String?

    @OptionGroup var generation: GenerationFlags
    @OptionGroup var contextFlags: ContextFlags

    @Flag(name: .long, help: "Print timings (tokens per second) to standard error at the end.")
    var stats = false

    func validate() throws {
        if raw && system != nil { throw ValidationError("--system needs the chat template; it cannot be used with --raw") }
        if json && jsonSchema != nil { throw ValidationError("give --json or --json-schema, not both") }
    }

    func run() throws {
        let loadStart = Date()
        let schema = try jsonSchema.map(StructuredOutputSupport.readSchema)
        let model = try ModelArgument.load(model)
        let promptTokens = try PromptBuilder.tokens(model: model, modelName: self.model, prompt: prompt,
                                                    system: system, raw: raw)
        let options = generation.options()
        let context = try ContextSizing.makeContext(model: model, promptTokens: promptTokens.count,
                                                    maxTokens: options.maxTokens, flags: contextFlags)
        let constraint = try StructuredOutputSupport.constraint(model: model, anyJSON: json, schema: schema,
                                                                maxTokens: min(options.maxTokens, context.contextLength - promptTokens.count))
        let generator = Generator(context: context)
        let loaded = Date()
        var firstToken: Date?
        var count = 0
        let output = FileHandle.standardOutput
        let summary = try generator.generate(prompt: promptTokens, options: options, constraint: constraint) { step in
            if firstToken == nil { firstToken = Date() }
            if step.token != nil { count += 1 }
            if !step.text.isEmpty { output.write(Data(step.text.utf8)) }
            return true
        }
        output.write(Data("\n".utf8))
        if constraint != nil && summary.finishReason != .constraintSatisfied && summary.finishReason != .endOfGeneration {
            throw CLIError("the JSON is incomplete: generation stopped (\(summary.finishReason.rawValue)) before the value was finished; raise --max-tokens")
        }
        if stats {
            let end = Date()
            let promptSeconds = (firstToken ?? end).timeIntervalSince(loaded)
            let genSeconds = end.timeIntervalSince(firstToken ?? end)
            status(String(format: "load %.2f s | prompt %d tokens (%d cached), %.1f tokens/s | generated %d tokens, %.1f tokens/s | %d threads | %@",
                          loaded.timeIntervalSince(loadStart), promptTokens.count, summary.reusedPromptTokens,
                          Double(promptTokens.count) / max(promptSeconds, 1e-9),
                          count, Double(max(count - 1, 0)) / max(genSeconds, 1e-9), context.threadCount,
                          summary.finishReason.rawValue))
        }
    }
}

/// Turns a command-line prompt into tokens: through the chat template when the model has one.
enum PromptBuilder {
    static func tokens(model: LanguageModel, modelName: String, prompt: String, system: String?, raw: Bool) throws -> [Int32] {
        if raw {
            return model.tokenizer.encode(prompt, addSpecial: true, parseSpecial: false)
        }
        guard let format = try ChatFormat(model: model) else {
            if system != nil { throw CLIError("\(modelName) has no chat template, so --system cannot be applied; use --raw for plain completion") }
            status("\(modelName) has no chat template: running raw completion")
            return model.tokenizer.encode(prompt, addSpecial: true, parseSpecial: false)
        }
        var messages: [JSONValue] = []
        if let system { messages.append(ChatFormat.message("system", system)) }
        messages.append(ChatFormat.message("user", prompt))
        return try format.promptTokens(messages: messages)
    }
}

enum ContextSizing {
    /// A context for the prompt and the tokens to generate, within the model's trained length.
    static func makeContext(model: LanguageModel, promptTokens: Int, maxTokens: Int, flags: ContextFlags) throws -> InferenceContext {
        let trained = model.config.contextLength
        let wanted = flags.ctxSize ?? min(trained, promptTokens + maxTokens + 1)
        guard wanted <= trained else {
            throw CLIError("--ctx-size \(wanted) exceeds the model's context of \(trained) tokens")
        }
        guard promptTokens < wanted else {
            throw CLIError("the prompt is \(promptTokens) tokens, which does not fit a context of \(wanted) tokens (the model's is \(trained))")
        }
        return model.makeContext(contextLength: wanted, threads: flags.threads ?? defaultThreadCount)
    }
}
