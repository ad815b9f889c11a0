import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import JSON
import Models
import Server
import TestSupport
import XCTest

/// A reasoning template served: thoughts as `reasoning_content` apart from `content`, streamed
/// and not, the budget, `reasoning_format`, `chat_template_kwargs`, a JSON schema after the
/// thoughts, and tool calls read from the answer only.
final class ReasoningResponseTests: XCTestCase {
    func servedThinker(slots: Int = 2) throws -> ServedModel {
        let model = try SharedModel.smolLM2()
        let chat = try ServerChat.builder(for: model, templateSource: try TestTemplates.think())
        return ServedModel(id: "thinker", model: model,
                           executor: BatchExecutor(model: model, slots: slots, contextLength: 512, queueCapacity: 8), chat: chat)
    }

    static func request(_ extra: [(String, JSONValue)] = []) -> JSONValue {
        var object = JSONObject([
            ("model", "thinker"), ("messages", [["role": "user", "content": "What is the capital of France?"]]),
            ("max_tokens", 40), ("temperature", 0), ("reasoning_budget", 4),
        ])
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    /// The `data:` payloads of a stream, without `[DONE]`.
    static func chunks(_ body: ByteBuffer) throws -> [JSONValue] {
        try String(buffer: body).components(separatedBy: "\n\n").compactMap { event in
            guard event.hasPrefix("data: "), event != "data: [DONE]" else { return nil }
            return try JSONParser.parse(String(event.dropFirst(6)))
        }
    }

    func testThoughtsComeApartFromTheAnswerStreamedAndNot() async throws {
        let served = try servedThinker()
        defer { Task { await served.executor.shutdown(deadline: Date()) } }
        try await withServer([served]) { client in
            var whole: JSONValue = .null
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(Self.request())) { response in
                XCTAssertEqual(response.status, .ok)
                whole = try parse(response.body)
            }
            let message = try XCTUnwrap(whole["choices"]?.arrayValue?.first?["message"])
            let reasoning = try XCTUnwrap(message["reasoning_content"]?.stringValue)
            let content = try XCTUnwrap(message["content"]?.stringValue)
            XCTAssertFalse(reasoning.isEmpty)
            XCTAssertFalse(content.isEmpty)
            XCTAssertFalse(reasoning.contains("</think>") || content.contains("</think>"), "the tags are not in either part")
            let thinking = try XCTUnwrap(whole["usage"]?["completion_tokens_details"]?["reasoning_tokens"]?.intValue)
            XCTAssertGreaterThan(thinking, 4, "the budget and the closing tag")
            XCTAssertLessThan(thinking, whole["usage"]?["completion_tokens"]?.intValue ?? 0)

            try await client.execute(uri: "/v1/chat/completions", method: .post,
                                     body: json(Self.request([("stream", true), ("stream_options", ["include_usage": true])]))) { response in
                XCTAssertEqual(response.status, .ok)
                var streamedReasoning = "", streamedContent = "", contentStarted = false
                var usage: JSONValue?
                for chunk in try Self.chunks(response.body) {
                    if let u = chunk["usage"], u != .null { usage = u }
                    guard let delta = chunk["choices"]?.arrayValue?.first?["delta"] else { continue }
                    if let text = delta["reasoning_content"]?.stringValue {
                        XCTAssertFalse(contentStarted, "thoughts come before the answer")
                        streamedReasoning += text
                    }
                    if let text = delta["content"]?.stringValue, !text.isEmpty {
                        contentStarted = true
                        streamedContent += text
                    }
                }
                XCTAssertEqual(streamedReasoning, reasoning)
                XCTAssertEqual(streamedContent, content)
                XCTAssertEqual(usage?["completion_tokens_details"]?["reasoning_tokens"]?.intValue, thinking)
            }

            // The raw text on request: the closing tag stays in the content.
            try await client.execute(uri: "/v1/chat/completions", method: .post,
                                     body: json(Self.request([("reasoning_format", "none")]))) { response in
                let raw = try XCTUnwrap(try parse(response.body)["choices"]?.arrayValue?.first?["message"])
                XCTAssertNil(raw["reasoning_content"])
                XCTAssertEqual(raw["content"]?.stringValue?.contains("</think>"), true)
            }
        }
    }

    func testTemplateArgumentsReachTheTemplate() async throws {
        let served = try servedThinker()
        defer { Task { await served.executor.shutdown(deadline: Date()) } }
        try await withServer([served]) { client in
            // Qwen3's switch: the template writes an empty closed block, so the model answers at once.
            let body = Self.request([("chat_template_kwargs", ["enable_thinking": false]), ("max_tokens", 12)])
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .ok)
                let object = try parse(response.body)
                XCTAssertEqual(object["choices"]?.arrayValue?.first?["message"]?["reasoning_content"], .null)
                XCTAssertEqual(object["usage"]?["completion_tokens_details"]?["reasoning_tokens"], 0)
            }
            let reserved = Self.request([("chat_template_kwargs", ["add_generation_prompt": false])])
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(reserved)) { response in
                XCTAssertEqual(response.status, .badRequest)
                XCTAssertEqual(try errorObject(response)["param"], "chat_template_kwargs")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post,
                                     body: json(Self.request([("reasoning_format", "hidden")]))) { response in
                XCTAssertEqual(response.status, .badRequest)
                XCTAssertEqual(try errorObject(response)["param"], "reasoning_format")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post,
                                     body: json(Self.request([("reasoning_budget", -1)]))) { response in
                XCTAssertEqual(response.status, .badRequest)
                XCTAssertEqual(try errorObject(response)["param"], "reasoning_budget")
            }
        }
    }

    func testAJSONSchemaAppliesToTheAnswerAfterTheThoughts() async throws {
        let served = try servedThinker()
        defer { Task { await served.executor.shutdown(deadline: Date()) } }
        let schema: JSONValue = ["type": "object", "properties": ["capital": ["type": "string"]], "required": ["capital"]]
        let format: JSONValue = ["type": "json_schema", "json_schema": ["name": "answer", "schema": schema]]
        try await withServer([served], constraints: JSONSchemaConstraints()) { client in
            for budget in [JSONValue.int(6), .null] {
                let body = Self.request([("response_format", format), ("max_tokens", 80), ("reasoning_budget", budget)])
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(body)) { response in
                    XCTAssertEqual(response.status, .ok, String(buffer: response.body))
                    let message = try XCTUnwrap(try parse(response.body)["choices"]?.arrayValue?.first?["message"])
                    XCTAssertFalse(message["reasoning_content"]?.stringValue?.isEmpty ?? true, "budget \(budget)")
                    let answer = try JSONParser.parse(try XCTUnwrap(message["content"]?.stringValue))
                    XCTAssertNotNil(answer["capital"]?.stringValue, "budget \(budget)")
                }
            }
        }
    }

    func testABudgetOnAModelThatDoesNotReasonIsRefused() async throws {
        let served = try servedSmolLM2(chat: ChatMLBuilder(model: try SharedModel.smolLM2()))
        defer { Task { await served.executor.shutdown(deadline: Date()) } }
        try await withServer([served]) { client in
            let body: JSONValue = ["model": "smollm2", "messages": [["role": "user", "content": "Hi"]], "reasoning_budget": 4]
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .badRequest)
                XCTAssertEqual(try errorObject(response)["param"], "reasoning_budget")
            }
            // A builder that is not a template takes no template arguments.
            let kwargs: JSONValue = ["model": "smollm2", "messages": [["role": "user", "content": "Hi"]],
                                     "chat_template_kwargs": ["enable_thinking": true]]
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(kwargs)) { response in
                XCTAssertEqual(response.status, .badRequest)
            }
        }
    }

    /// A scripted reasoning model that calls a tool after thinking about one.
    func testToolCallsAreReadFromTheAnswerNotTheThoughts() async throws {
        struct ThinkingHermes: ChatPromptBuilder {
            let base: ChatMLBuilder
            func chatPromptTokens(messages: [JSONValue], tools: [JSONValue]?) throws -> [Int32] {
                try base.chatPromptTokens(messages: messages, tools: tools)
            }
            var toolCallSyntax: ToolCallSyntax? { .hermes }
            var reasoningSyntax: ReasoningSyntax? { .think }
        }
        let pieces = ["<think>\nI could write <tool_call>{\"name\": \"get_weather\", \"arguments\": {}}</tool_call> here", ".\n</th",
                      "ink>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"]
        let model = try SharedModel.smolLM2()
        let served = ServedModel(id: "m", model: model, executor: ToolCallResponseTests.ScriptedExecutor(pieces),
                                 chat: ThinkingHermes(base: ChatMLBuilder(model: model)))
        try await withServer([served]) { client in
            let body: JSONValue = ["model": "m", "messages": [["role": "user", "content": "Weather in Paris?"]],
                                   "tools": ToolCallResponseTests.tools]
            var whole: JSONValue = .null
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(body)) { response in
                whole = try parse(response.body)
            }
            let choice = try XCTUnwrap(whole["choices"]?.arrayValue?.first)
            XCTAssertEqual(choice["finish_reason"], "tool_calls")
            XCTAssertEqual(choice["message"]?["content"], .null)
            XCTAssertEqual(choice["message"]?["reasoning_content"]?.stringValue?.hasPrefix("I could write <tool_call>"), true)
            let calls = try XCTUnwrap(choice["message"]?["tool_calls"]?.arrayValue)
            XCTAssertEqual(calls.count, 1)
            XCTAssertEqual(calls.first?["function"]?["arguments"], #"{"city":"Paris"}"#)

            // Streamed, the same message in deltas.
            var streamBody = body.objectValue!
            streamBody["stream"] = true
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(.object(streamBody))) { response in
                var reasoning = "", streamedCalls: [JSONValue] = [], finish: JSONValue?
                for chunk in try Self.chunks(response.body) {
                    guard let choice = chunk["choices"]?.arrayValue?.first else { continue }
                    reasoning += choice["delta"]?["reasoning_content"]?.stringValue ?? ""
                    streamedCalls += choice["delta"]?["tool_calls"]?.arrayValue ?? []
                    XCTAssertEqual(choice["delta"]?["content"]?.stringValue ?? "", "", "no answer text but the call")
                    if let reason = choice["finish_reason"], reason != .null { finish = reason }
                }
                XCTAssertEqual(reasoning, choice["message"]?["reasoning_content"]?.stringValue)
                XCTAssertEqual(streamedCalls.count, 1)
                XCTAssertEqual(finish, "tool_calls")
            }
        }
    }
}
