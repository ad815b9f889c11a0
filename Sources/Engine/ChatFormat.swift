import ChatTemplates
import Foundation
import JSON
import Models
import Tokenizers

/// How a model wants a conversation laid out: the chat template embedded in its GGUF file
/// (`tokenizer.chat_template`), rendered as Hugging Face's `apply_chat_template` renders it, then
/// tokenized with special tokens recognised. A model without a template has no chat format.
public struct ChatFormat: @unchecked Sendable {
    public let template: ChatTemplate
    public let tokenizer: Tokenizer
    /// The text the template sees as `bos_token` and `eos_token`.
    public let bosText: String
    public let eosText: String
    /// How the template teaches the model to write tool calls; nil when it teaches none Hearth reads.
    public let toolCallSyntax: ToolCallSyntax?
    /// How the model thinks aloud before answering; nil when it does not (see `ReasoningSyntax.detect`).
    public let reasoningSyntax: ReasoningSyntax?

    /// Variables the template gets from Hearth; a caller's template arguments may not replace them.
    public static let reservedTemplateVariables: Set<String> = [
        "messages", "tools", "documents", "add_generation_prompt", "bos_token", "eos_token",
    ]

    /// nil when the model carries no chat template; throws when the template does not parse.
    public init?(model: LanguageModel) throws {
        guard let source = model.file.metadata.string("tokenizer.chat_template") else { return nil }
        try self.init(source: source, tokenizer: model.tokenizer)
    }

    public init(source: String, tokenizer: Tokenizer) throws {
        self.template = try ChatTemplate(source: source)
        self.tokenizer = tokenizer
        self.bosText = tokenizer.bosToken.map { tokenizer.tokenText($0) } ?? ""
        self.eosText = tokenizer.eosToken.map { tokenizer.tokenText($0) } ?? ""
        self.toolCallSyntax = ToolCallSyntax.taught(by: source)
        self.reasoningSyntax = ReasoningSyntax.detect(templateSource: source, tokenizer: tokenizer)
    }

    /// The prompt text for `messages` (OpenAI-style message objects) and optional tool definitions.
    public func render(_ conversation: Conversation, addGenerationPrompt: Bool = true) throws -> String {
        try render(messages: conversation.messages, tools: conversation.tools, addGenerationPrompt: addGenerationPrompt)
    }

    /// `templateArguments`: further variables for the template, as Hugging Face's
    /// `apply_chat_template(**kwargs)` takes them (Qwen3's `enable_thinking`).
    public func render(messages: [JSONValue], tools: [JSONValue]? = nil, addGenerationPrompt: Bool = true,
                       templateArguments: JSONObject = JSONObject()) throws -> String {
        if let reserved = templateArguments.keys.first(where: Self.reservedTemplateVariables.contains) {
            throw ChatFormatError.reservedTemplateVariable(reserved)
        }
        return try template.render(messages: messages, tools: tools, addGenerationPrompt: addGenerationPrompt,
                                   bosToken: bosText, eosToken: eosText, extra: templateArguments)
    }

    /// Tokens of rendered chat text: special tokens parsed, and the beginning-of-sequence token
    /// added when the model asks for it unless the template already wrote it (no double BOS).
    public func tokens(ofRendered text: String) -> [Int32] {
        let templateWroteBOS = !bosText.isEmpty && text.hasPrefix(bosText)
        return tokenizer.encode(text, addSpecial: !templateWroteBOS, parseSpecial: true)
    }

    public func promptTokens(messages: [JSONValue], tools: [JSONValue]? = nil, addGenerationPrompt: Bool = true) throws -> [Int32] {
        tokens(ofRendered: try render(messages: messages, tools: tools, addGenerationPrompt: addGenerationPrompt))
    }

    /// The prompt for the next assistant turn, and whether the template opened a reasoning block
    /// in it (the model's output then starts inside its thoughts).
    public func prompt(messages: [JSONValue], tools: [JSONValue]? = nil, templateArguments: JSONObject = JSONObject()) throws -> ChatPrompt {
        let text = try render(messages: messages, tools: tools, addGenerationPrompt: true, templateArguments: templateArguments)
        return ChatPrompt(tokens: tokens(ofRendered: text), opensReasoning: reasoningSyntax?.opensReasoning(text) ?? false)
    }

    /// A message object with a role and text content.
    public static func message(_ role: String, _ content: String) -> JSONValue {
        .object(JSONObject([("role", .string(role)), ("content", .string(content))]))
    }
}

/// A conversation rendered for the model's next turn.
public struct ChatPrompt: Sendable, Equatable {
    public let tokens: [Int32]
    /// The template opened a reasoning block at the end of the prompt.
    public let opensReasoning: Bool

    public init(tokens: [Int32], opensReasoning: Bool) {
        self.tokens = tokens
        self.opensReasoning = opensReasoning
    }
}

public enum ChatFormatError: Error, CustomStringConvertible, Equatable {
    case reservedTemplateVariable(String)

    public var description: String {
        switch self {
        case .reservedTemplateVariable(let name):
            return "the template argument '\(name)' is set by Hearth from the request and cannot be given"
        }
    }
}
