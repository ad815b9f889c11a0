import Engine
import Foundation
import JSON
import Models
import StructuredOutput

/// A model's embedded chat template (Engine's `ChatFormat`) builds chat prompts.
extension ChatFormat: ChatPromptBuilder {
    public func chatPromptTokens(messages: [JSONValue], tools: [JSONValue]?) throws -> [Int32] {
        try promptTokens(messages: messages, tools: tools, addGenerationPrompt: true)
    }

    public func chatPrompt(messages: [JSONValue], tools: [JSONValue]?, templateArguments: JSONObject) throws -> ChatPrompt {
        do {
            return try prompt(messages: messages, tools: tools, templateArguments: templateArguments)
        } catch let error as ChatFormatError {
            throw APIError.invalidRequest(error.description, param: "chat_template_kwargs")
        }
    }
}

/// `response_format` through StructuredOutput's JSON-schema constrained decoding: `json_object`
/// is any JSON object, `json_schema` the given schema; a schema the compiler cannot honour is a 400
/// (better than output that silently ignores part of it). The value is always closed within the
/// request's token limit; a limit too small for the schema's shortest value is a 400 too.
public struct JSONSchemaConstraints: OutputConstraintFactory {
    public init() {}

    public func prepare(_ format: ResponseFormat, for model: LanguageModel, maxTokens: Int) throws -> @Sendable () throws -> TokenConstraint {
        let schema: JSONSchema
        switch format {
        case .text:
            throw APIError.invalidRequest("a text response has no constraint", param: "response_format")
        case .jsonObject:
            schema = .anyObject
        case .jsonSchema(_, let value):
            do {
                schema = try JSONSchema(value)
            } catch let error as JSONSchemaError {
                throw APIError.invalidRequest(error.description, param: "response_format.json_schema.schema")
            }
        }
        let tokenizer = model.tokenizer
        do {
            // Compiled once here so that a schema the automaton refuses fails the request, not a choice.
            _ = try JSONConstraint.closingWhereItFits(schema: schema, tokenizer: tokenizer, tokenBudget: maxTokens)
        } catch let error as JSONConstraintError {
            throw APIError.invalidRequest("\(error)", param: "max_tokens")
        } catch {
            throw APIError.invalidRequest("\(error)", param: "response_format.json_schema.schema")
        }
        return { try JSONConstraint.closingWhereItFits(schema: schema, tokenizer: tokenizer, tokenBudget: maxTokens) }
    }
}

/// Where the server gets a model's chat format from.
public enum ServerChat {
    /// The model's chat prompt builder from its embedded template, or from `templateSource` when
    /// given (a template that replaces it); nil when there is neither.
    public static func builder(for model: LanguageModel, templateSource: String? = nil) throws -> (any ChatPromptBuilder)? {
        guard let templateSource else { return try ChatFormat(model: model) }
        return try ChatFormat(source: templateSource, tokenizer: model.tokenizer)
    }
}
