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
    }

    /// The prompt text for `messages` (OpenAI-style message objects) and optional tool definitions.
    public func render(_ conversation: Conversation, addGenerationPrompt: Bool = true) throws -> String {
        try render(messages: conversation.messages, tools: conversation.tools, addGenerationPrompt: addGenerationPrompt)
    }

    public func render(messages: [JSONValue], tools: [JSONValue]? = nil, addGenerationPrompt: Bool = true) throws -> String {
        try template.render(messages: messages, tools: tools, addGenerationPrompt: addGenerationPrompt,
                            bosToken: bosText, eosToken: eosText)
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

    /// A message object with a role and text content.
    public static func message(_ role: String, _ content: String) -> JSONValue {
        .object(JSONObject([("role", .string(role)), ("content", .string(content))]))
    }
}
