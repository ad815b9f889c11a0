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
        A reasoning model's thoughts (<think>…</think>) are shown dimmed on a terminal, with their
        tags elsewhere, or not at all with --hide-reasoning; with --json they go to standard error,
        and the constraint applies to the answer after them.
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
    @OptionGroup var templateFlags: ChatTemplateFlags
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
        let built = try PromptBuilder.prompt(model: model, modelName: self.model, prompt: prompt,
                                             system: system, raw: raw, templateFlags: templateFlags)
        let promptTokens = built.prompt.tokens
        var options = generation.options()
        options.reasoning = built.reasoning
        let context = try ContextSizing.makeContext(model: model, promptTokens: promptTokens.count,
                                                    maxTokens: options.maxTokens, flags: contextFlags)
        let room = min(options.maxTokens, context.contextLength - promptTokens.count)
        // The JSON comes after the thoughts, and gets the room they leave.
        let answerRoom = json || schema != nil ? options.reasoning?.reserveRoomForConstrainedAnswer(room, tokenizer: model.tokenizer) ?? room : room
        let constraint = try StructuredOutputSupport.constraint(model: model, anyJSON: json, schema: schema,
                                                                maxTokens: answerRoom)
        let generator = Generator(context: context)
        let loaded = Date()
        var firstToken: Date?
        var count = 0
        let output = FileHandle.standardOutput
        var printer = ReasoningPrinter(control: options.reasoning, hide: templateFlags.hideReasoning,
                                       thoughtsTo: constraint == nil ? .standardOutput : .standardError)
        let summary = try generator.generate(prompt: promptTokens, options: options, constraint: constraint) { step in
            if firstToken == nil { firstToken = Date() }
            if step.token != nil { count += 1 }
            if !step.text.isEmpty { printer.write(step.text) }
            return true
        }
        printer.finish()
        output.write(Data("\n".utf8))
        if constraint != nil && summary.finishReason != .constraintSatisfied && summary.finishReason != .endOfGeneration {
            throw CLIError("the JSON is incomplete: generation stopped (\(summary.finishReason.rawValue)) before the value was finished; raise --max-tokens")
        }
        if stats {
            let end = Date()
            let promptSeconds = (firstToken ?? end).timeIntervalSince(loaded)
            let genSeconds = end.timeIntervalSince(firstToken ?? end)
            let thinking = options.reasoning == nil ? "" : " (\(summary.reasoningTokens) thinking)"
            status(String(format: "load %.2f s | prompt %d tokens (%d cached), %.1f tokens/s | generated %d tokens%@, %.1f tokens/s | %d threads | %@",
                          loaded.timeIntervalSince(loadStart), promptTokens.count, summary.reusedPromptTokens,
                          Double(promptTokens.count) / max(promptSeconds, 1e-9),
                          count, thinking, Double(max(count - 1, 0)) / max(genSeconds, 1e-9), context.threadCount,
                          summary.finishReason.rawValue))
        }
    }
}

/// Turns a command-line prompt into tokens: through the chat template when the model has one.
enum PromptBuilder {
    struct Built {
        let prompt: ChatPrompt
        /// How the generation handles the model's thoughts; nil for a raw prompt or a model that does not reason.
        let reasoning: ReasoningControl?
    }

    static func prompt(model: LanguageModel, modelName: String, prompt: String, system: String?, raw: Bool,
                       templateFlags: ChatTemplateFlags) throws -> Built {
        func plain() -> Built {
            Built(prompt: ChatPrompt(tokens: model.tokenizer.encode(prompt, addSpecial: true, parseSpecial: false), opensReasoning: false),
                  reasoning: nil)
        }
        if raw { return plain() }
        guard let format = try templateFlags.chatFormat(for: model) else {
            if system != nil { throw CLIError("\(modelName) has no chat template, so --system cannot be applied; use --raw for plain completion") }
            status("\(modelName) has no chat template: running raw completion")
            return plain()
        }
        var messages: [JSONValue] = []
        if let system { messages.append(ChatFormat.message("system", system)) }
        messages.append(ChatFormat.message("user", prompt))
        let chatPrompt: ChatPrompt
        do {
            chatPrompt = try format.prompt(messages: messages, templateArguments: try templateFlags.templateArguments())
        } catch let error as ChatFormatError {
            throw CLIError(error.description)
        }
        return Built(prompt: chatPrompt, reasoning: templateFlags.reasoningControl(format, prompt: chatPrompt))
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
        return model.makeContext(contextLength: wanted, threads: flags.threads ?? defaultThreadCount, cacheType: flags.cacheType)
    }
}
