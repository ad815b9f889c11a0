import ChatTemplates
import Foundation
import JSON
import Server
import StructuredOutput

/// The JSON parser on arbitrary bytes. Whatever it accepts must print (compact and Python's
/// format) to text that parses back to the same value.
enum JSONFuzzing {
    static func run(_ input: UnsafeRawBufferPointer) {
        guard let value = try? JSONParser.parse(bytes: Array(input)) else { return }
        for format in [JSONFormat.compact, .python] {
            let printed = value.serialized(format)
            let reparsed: JSONValue
            do {
                reparsed = try JSONParser.parse(printed)
            } catch {
                invariant(false, "printed JSON does not parse: \(error); text \(printed.prefix(200))")
                return
            }
            invariant(reparsed == value, "printing and parsing changed the value: \(printed.prefix(200))")
        }
    }
}

/// The JSON-schema compiler and its byte automaton. The input is a schema, a zero byte, then a
/// candidate document. The automaton is fed the document byte by byte; when it accepts all of it
/// and says the value is complete, the document must parse and satisfy the schema's validator:
/// the constraint that guides generation may never let through what validation refuses.
enum SchemaFuzzing {
    static func run(_ input: UnsafeRawBufferPointer) {
        let bytes = Array(input)
        let split = bytes.firstIndex(of: 0) ?? bytes.count
        guard let schemaValue = try? JSONParser.parse(bytes: Array(bytes[..<split]), maximumDepth: 64),
              let schema = try? JSONSchema(schemaValue),
              var matcher = try? JSONByteMatcher(schema: schema) else { return }
        let document = split < bytes.count ? Array(bytes[(split + 1)...]) : []
        for byte in document where !matcher.advance(byte) { return }
        guard let remaining = try? matcher.shortestCompletion, remaining == 0 else { return }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes: document)
        } catch {
            invariant(false, "the automaton accepted a document that is not JSON: \(error)")
            return
        }
        let problems = JSONSchemaValidator.validate(value, against: schema)
        invariant(problems.isEmpty, "the automaton accepted a document the validator refuses: \(problems.prefix(3))")
    }
}

/// The chat-template lexer, parser and interpreter: the input is a template's source, rendered on
/// a conversation with every kind of message (system, user, assistant with a tool call, tool) and a
/// tool list. Errors are expected; work and output are bounded by the standard `RenderLimits`.
enum TemplateFuzzing {
    static let messages: [JSONValue] = {
        let text = """
        [{"role": "system", "content": "You answer briefly."},
         {"role": "user", "content": "What is the capital of France?"},
         {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "id": "call_1",
          "function": {"name": "lookup", "arguments": {"city": "Paris"}}}]},
         {"role": "tool", "tool_call_id": "call_1", "content": "Paris, population 2.1 million"},
         {"role": "assistant", "content": "Paris."},
         {"role": "user", "content": [{"type": "text", "text": "和德国呢？"}]}]
        """
        return (try? JSONParser.parse(text).arrayValue) ?? []
    }()
    static let tools: [JSONValue] = {
        let text = """
        [{"type": "function", "function": {"name": "lookup", "description": "Looks a city up.",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
        """
        return (try? JSONParser.parse(text).arrayValue) ?? []
    }()

    /// The standard limits with a tenth of the work: the standard budget is a second or so of a
    /// release build, ten under the sanitizer, which libFuzzer would report as a hang. That the
    /// budget bounds the time is the robustness tests' to show; here it lets the search go on.
    static let limits = RenderLimits(maximumWork: RenderLimits.standard.maximumWork / 10)

    static func run(_ input: UnsafeRawBufferPointer) {
        let source = String(decoding: input, as: UTF8.self)
        guard let template = try? ChatTemplate(source: source, limits: limits) else { return }
        _ = try? template.render(messages: messages, tools: tools, addGenerationPrompt: true,
                                 bosToken: "<s>", eosToken: "</s>")
        _ = try? template.render(messages: Array(messages.prefix(2)), addGenerationPrompt: false)
    }
}

/// The server's request decoding. Every refusal must be an `APIError` with a 4xx status: anything
/// else would reach the client as a 500.
enum RequestFuzzing {
    static func run(_ input: UnsafeRawBufferPointer) {
        let body = Array(input)
        for endpoint in RequestDecoding.Endpoint.allCases {
            do {
                try RequestDecoding.check(body, for: endpoint)
            } catch let error as APIError {
                invariant((400..<500).contains(Int(error.status.code)), "\(endpoint.rawValue) answered \(error)")
            } catch {
                invariant(false, "\(endpoint.rawValue) threw \(type(of: error)), not an APIError: \(error)")
            }
        }
    }
}
