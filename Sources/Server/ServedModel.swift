import Engine
import Foundation
import JSON
import Models

/// Turns a conversation into prompt tokens: the model's chat template, rendered and tokenized.
public protocol ChatPromptBuilder: Sendable {
    /// Prompt tokens for OpenAI-style `messages` and optional `tools`, with the generation prompt
    /// (the assistant turn's opening) appended. Throws when the template rejects the conversation.
    func chatPromptTokens(messages: [JSONValue], tools: [JSONValue]?) throws -> [Int32]
    /// How the model writes tool calls, for `tool_calls` in responses; nil: calls stay in the text.
    var toolCallSyntax: ToolCallSyntax? { get }
    /// How the model thinks before it answers, for `reasoning_content`; nil: it does not.
    var reasoningSyntax: ReasoningSyntax? { get }
    /// The prompt with the request's template arguments (`chat_template_kwargs`), and whether the
    /// template opened a reasoning block.
    func chatPrompt(messages: [JSONValue], tools: [JSONValue]?, templateArguments: JSONObject) throws -> ChatPrompt
}

extension ChatPromptBuilder {
    public var toolCallSyntax: ToolCallSyntax? { nil }
    public var reasoningSyntax: ReasoningSyntax? { nil }

    /// A builder that is not a template takes no template arguments.
    public func chatPrompt(messages: [JSONValue], tools: [JSONValue]?, templateArguments: JSONObject) throws -> ChatPrompt {
        guard templateArguments.isEmpty else {
            throw APIError.invalidRequest("this model's prompts are not built by a chat template, so 'chat_template_kwargs' cannot apply",
                                          param: "chat_template_kwargs")
        }
        return ChatPrompt(tokens: try chatPromptTokens(messages: messages, tools: tools), opensReasoning: false)
    }
}

/// Makes constraints for `response_format`: a fresh one for every generation.
public protocol OutputConstraintFactory: Sendable {
    /// Checks the format (a malformed schema throws, and becomes a 400) and returns a maker of
    /// fresh constraints, one per choice, that finish their value within `maxTokens` tokens.
    func prepare(_ format: ResponseFormat, for model: LanguageModel, maxTokens: Int) throws -> @Sendable () throws -> TokenConstraint
}

/// One model the server offers, under the id clients put in `model`.
public final class ServedModel: Sendable {
    public let id: String
    public let model: LanguageModel
    public let executor: any GenerationExecutor
    /// nil when the model has no chat template: `/v1/chat/completions` then refuses it.
    public let chat: (any ChatPromptBuilder)?
    /// Seconds since 1970 when the server loaded it (`created` in `/v1/models`).
    public let created: Int

    public init(id: String, model: LanguageModel, executor: any GenerationExecutor, chat: (any ChatPromptBuilder)?) {
        self.id = id
        self.model = model
        self.executor = executor
        self.chat = chat
        self.created = Int(Date().timeIntervalSince1970)
    }

    public var contextLength: Int { executor.contextLength }
}

/// The models a server offers, in the order given on the command line.
public struct ModelRegistry: Sendable {
    public let models: [ServedModel]

    public init(_ models: [ServedModel]) {
        self.models = models
    }

    public var ids: [String] { models.map(\.id) }

    public func model(named name: String) throws -> ServedModel {
        guard let model = models.first(where: { $0.id == name }) else {
            throw APIError.modelNotFound(name, available: ids)
        }
        return model
    }
}
