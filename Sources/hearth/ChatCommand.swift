import ArgumentParser
import Engine
import Foundation
import JSON
import Models

/// Set by SIGINT: stops the answer being generated instead of ending the session.
nonisolated(unsafe) private var interruptRequested: sig_atomic_t = 0

struct Chat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Talk with a model interactively, through its chat template.",
        discussion: """
        Type a message and press Enter; end a line with \\ to continue it on the next. Answers stream
        as they are generated; Ctrl-C stops an answer, Ctrl-D (or /bye) leaves.
        Commands: /reset forgets the conversation, /system TEXT sets the system message (and resets),
        /system alone shows it, /help lists the commands.
        The conversation is kept within the context: the oldest turns are dropped when it is full.
        """
    )

    @Argument(help: "A GGUF file or a catalog name.")
    var model: String

    @Option(name: .long, help: "The system message.")
    var system: String?

    @OptionGroup var generation: GenerationFlags
    @OptionGroup var templateFlags: ChatTemplateFlags
    @OptionGroup var contextFlags: ContextFlags

    func run() throws {
        let model = try ModelArgument.load(model)
        guard let format = try templateFlags.chatFormat(for: model) else {
            throw CLIError("\(self.model) has no chat template; use `hearth run --raw` for plain completion")
        }
        let length = contextFlags.ctxSize ?? model.defaultContextLength
        guard length <= model.config.contextLength else {
            throw CLIError("--ctx-size \(length) exceeds the model's context of \(model.config.contextLength) tokens")
        }
        let generator = Generator(context: model.makeContext(contextLength: length, threads: contextFlags.threads ?? defaultThreadCount,
                                                             cacheType: contextFlags.cacheType))
        var session = ChatSession(format: format, system: system, contextLength: length,
                                  templateArguments: try templateFlags.templateArguments())
        let interactive = isatty(STDIN_FILENO) != 0
        signal(SIGINT) { _ in interruptRequested = 1 }
        if interactive {
            status("Chatting with \(self.model) (context \(length) tokens). /help for commands, Ctrl-D to leave.")
        }
        let output = FileHandle.standardOutput
        while let line = Self.readMessage(prompt: interactive ? ">>> " : nil) {
            let input = line.trimmingCharacters(in: .whitespaces)
            if input.isEmpty { continue }
            if input.hasPrefix("/") {
                if !handleCommand(input, session: &session) { break }
                continue
            }
            session.addUser(input)
            let prompt: ChatPrompt
            do {
                prompt = try session.prompt(maxNewTokens: min(generation.maxTokens, 64))
            } catch let error as CLIError {
                status(error.description)
                session.dropLastUserMessage()
                continue
            }
            if session.droppedTurns > 0 {
                status("(the oldest \(session.droppedTurns) turn(s) no longer fit the context and were dropped)")
                session.droppedTurns = 0
            }
            interruptRequested = 0
            var options = generation.options()
            options.reasoning = templateFlags.reasoningControl(format, prompt: prompt)
            // The conversation keeps the answer: templates drop earlier turns' thoughts anyway.
            var answer = ""
            var printer = ReasoningPrinter(control: options.reasoning, hide: templateFlags.hideReasoning)
            let summary = try generator.generate(prompt: prompt.tokens, options: options) { step in
                if !step.text.isEmpty { answer += printer.write(step.text) }
                return interruptRequested == 0
            }
            answer += printer.finish()
            output.write(Data("\n".utf8))
            switch summary.finishReason {
            case .cancelled: status("(stopped)")
            case .contextFull: status("(the context is full; /reset to start again)")
            case .maxTokens: status("(reached --max-tokens \(generation.maxTokens))")
            default: break
            }
            session.addAssistant(answer)
        }
        if interactive { output.write(Data("\n".utf8)) }
    }

    /// Returns false to end the session.
    private func handleCommand(_ input: String, session: inout ChatSession) -> Bool {
        let parts = input.split(separator: " ", maxSplits: 1)
        let argument = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case "/bye", "/exit", "/quit":
            return false
        case "/reset":
            session.reset()
            status("(conversation reset)")
        case "/system":
            if argument.isEmpty {
                status(session.system.map { "system: \($0)" } ?? "(no system message)")
            } else {
                session.system = argument
                session.reset()
                status("(system message set; conversation reset)")
            }
        case "/help":
            status("/reset  forget the conversation\n/system TEXT  set the system message\n/system  show it\n/bye  leave (or Ctrl-D)")
        default:
            status("unknown command \(parts[0]); /help lists the commands")
        }
        return true
    }

    /// One message from standard input; a line ending in a backslash continues on the next.
    /// nil at the end of input.
    static func readMessage(prompt: String?) -> String? {
        var lines: [String] = []
        while true {
            if let prompt {
                FileHandle.standardOutput.write(Data((lines.isEmpty ? prompt : "... ").utf8))
            }
            guard let line = readLine(strippingNewline: true) else {
                return lines.isEmpty ? nil : lines.joined(separator: "\n")
            }
            if line.hasSuffix("\\") {
                lines.append(String(line.dropLast()))
                continue
            }
            lines.append(line)
            return lines.joined(separator: "\n")
        }
    }
}

/// The conversation so far, rendered through the template and kept within the context.
struct ChatSession {
    let format: ChatFormat
    var system: String?
    let contextLength: Int
    let templateArguments: JSONObject
    private(set) var turns: [JSONValue] = []
    var droppedTurns = 0

    init(format: ChatFormat, system: String?, contextLength: Int, templateArguments: JSONObject = JSONObject()) {
        self.format = format
        self.system = system
        self.contextLength = contextLength
        self.templateArguments = templateArguments
    }

    mutating func reset() { turns.removeAll() }
    mutating func addUser(_ text: String) { turns.append(ChatFormat.message("user", text)) }
    mutating func addAssistant(_ text: String) { turns.append(ChatFormat.message("assistant", text)) }
    mutating func dropLastUserMessage() { if !turns.isEmpty { turns.removeLast() } }

    var messages: [JSONValue] {
        (system.map { [ChatFormat.message("system", $0)] } ?? []) + turns
    }

    /// The prompt for the next answer, leaving room for at least `maxNewTokens`; drops the oldest
    /// user/assistant pairs while it does not fit.
    mutating func prompt(maxNewTokens: Int) throws -> ChatPrompt {
        while true {
            let prompt: ChatPrompt
            do {
                prompt = try format.prompt(messages: messages, templateArguments: templateArguments)
            } catch let error as ChatFormatError {
                throw CLIError(error.description)
            }
            let tokens = prompt.tokens
            if tokens.count + maxNewTokens < contextLength { return prompt }
            guard turns.count > 1 else {
                throw CLIError("that message is \(tokens.count) tokens, too long for the context of \(contextLength) tokens")
            }
            turns.removeFirst(min(2, turns.count - 1))
            droppedTurns += 1
        }
    }
}
