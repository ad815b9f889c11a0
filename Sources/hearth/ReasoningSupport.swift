import ArgumentParser
import Engine
import Foundation
import JSON
import Models

/// The chat-template and reasoning options `run` and `chat` share.
struct ChatTemplateFlags: ParsableArguments {
    @Option(name: .long, help: "Use the chat template in this file instead of the model's (Jinja, as in tokenizer_config.json).")
    var chatTemplateFile: String?

    @Option(name: .long, help: "A variable for the chat template, NAME=JSON (repeatable), e.g. enable_thinking=false for Qwen3.")
    var templateArgument: [String] = []

    @Flag(name: .long, help: "Do not print a reasoning model's thoughts, only its answer.")
    var hideReasoning = false

    @Option(name: .long, help: "Close a reasoning model's thoughts after this many tokens, so it answers.")
    var reasoningBudget: Int?

    func validate() throws {
        if let reasoningBudget, reasoningBudget < 0 { throw ValidationError("--reasoning-budget must be zero or more") }
        _ = try templateArguments()
    }

    /// `--template-argument NAME=JSON` values; a value that is not JSON is taken as a string.
    func templateArguments() throws -> JSONObject {
        var arguments = JSONObject()
        for item in templateArgument {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("--template-argument takes NAME=VALUE, got '\(item)'")
            }
            let value = String(item[item.index(after: equals)...])
            arguments[String(item[..<equals])] = (try? JSONParser.parse(value)) ?? .string(value)
        }
        return arguments
    }

    /// The model's chat format, or the one in --chat-template-file; nil when there is neither.
    func chatFormat(for model: LanguageModel) throws -> ChatFormat? {
        guard let path = chatTemplateFile else { return try ChatFormat(model: model) }
        guard let data = FileManager.default.contents(atPath: path), let source = String(data: data, encoding: .utf8) else {
            throw CLIError("cannot read the chat template file \(path)")
        }
        do {
            return try ChatFormat(source: source, tokenizer: model.tokenizer)
        } catch {
            throw CLIError("\(path): the chat template does not parse: \(error)")
        }
    }

    /// How a generation from `prompt` handles the model's thoughts; nil for a model that does not reason.
    func reasoningControl(_ format: ChatFormat?, prompt: ChatPrompt) -> ReasoningControl? {
        guard let syntax = format?.reasoningSyntax else { return nil }
        return ReasoningControl(syntax: syntax, startsInside: prompt.opensReasoning, budget: reasoningBudget)
    }
}

/// Writes a reasoning model's output as it streams: thoughts dimmed on a terminal (or hidden), the
/// answer plain. Where the output is not a terminal the thoughts keep their tags, so that nothing
/// is lost and a reader can still tell them from the answer.
struct ReasoningPrinter {
    private var splitter: ReasoningSplitter?
    private let syntax: ReasoningSyntax?
    private let hide: Bool
    private let dim: Bool
    private let answer: FileHandle
    private let thoughts: FileHandle
    private var inThoughts = false

    /// `thoughtsTo`: where thoughts go (standard error when standard output must hold only the
    /// answer, as with --json).
    init(control: ReasoningControl?, hide: Bool, answerTo answer: FileHandle = .standardOutput, thoughtsTo thoughts: FileHandle = .standardOutput) {
        splitter = control.map { ReasoningSplitter(syntax: $0.syntax, startsInside: $0.startsInside) }
        syntax = control?.syntax
        self.hide = hide
        self.answer = answer
        self.thoughts = thoughts
        dim = isatty(thoughts === FileHandle.standardError ? STDERR_FILENO : STDOUT_FILENO) == 1
    }

    /// Writes the next piece of output; returns the answer text it released.
    @discardableResult
    mutating func write(_ text: String) -> String {
        guard var splitter else {
            emit(answer: text)
            return text
        }
        let parts = splitter.append(text)
        self.splitter = splitter
        emit(parts)
        return parts.answer
    }

    /// Writes what was held back at the end of the output; returns the answer text it released.
    @discardableResult
    mutating func finish() -> String {
        guard var splitter else { return "" }
        let parts = splitter.finish()
        self.splitter = splitter
        emit(parts)
        closeThoughts()
        return parts.answer
    }

    private mutating func emit(_ parts: ReasoningSplitter.Parts) {
        if !parts.reasoning.isEmpty && !hide {
            if !inThoughts {
                inThoughts = true
                write(dim ? "\u{1B}[2m" : (syntax?.opening ?? "") + "\n", to: thoughts)
            }
            write(parts.reasoning, to: thoughts)
        }
        if !parts.answer.isEmpty {
            closeThoughts()
            emit(answer: parts.answer)
        }
    }

    private mutating func closeThoughts() {
        guard inThoughts else { return }
        inThoughts = false
        write(dim ? "\u{1B}[0m\n\n" : "\n" + (syntax?.closing ?? "") + "\n\n", to: thoughts)
    }

    private func emit(answer text: String) {
        write(text, to: answer)
    }

    private func write(_ text: String, to handle: FileHandle) {
        handle.write(Data(text.utf8))
    }
}
