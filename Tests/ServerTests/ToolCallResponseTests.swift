import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import JSON
import Models
import Server
import TestSupport
import XCTest

/// `tool_calls` in chat responses, streamed and not, from a scripted model output.
final class ToolCallResponseTests: XCTestCase {
    /// Answers every job with the same text, cut into the given pieces (one token event each).
    final class ScriptedExecutor: GenerationExecutor, @unchecked Sendable {
        let pieces: [String]
        let slotCount = 1
        let contextLength = 256
        var queueDepth: Int { 0 }
        var activeCount: Int { 0 }

        init(_ pieces: [String]) { self.pieces = pieces }

        func submit(_ jobs: [GenerationJob]) throws -> JobTicket {
            let pieces = self.pieces
            Thread.detachNewThread {
                for job in jobs {
                    _ = job.sink(.started)
                    for (i, piece) in pieces.enumerated() {
                        _ = job.sink(.token(GeneratedToken(token: Int32(i + 1), text: piece, logprobs: nil)))
                    }
                    _ = job.sink(.finished(GenerationOutcome(finishReason: .endOfGeneration, promptTokens: job.prompt.count,
                                                             completionTokens: pieces.count, reusedPromptTokens: 0)))
                }
            }
            return JobTicket {}
        }

        func shutdown(deadline: Date) async {}
    }

    /// ChatML prompts, and the Hermes tool-call syntax.
    struct HermesBuilder: ChatPromptBuilder {
        let base: ChatMLBuilder
        func chatPromptTokens(messages: [JSONValue], tools: [JSONValue]?) throws -> [Int32] {
            try base.chatPromptTokens(messages: messages, tools: tools)
        }
        var toolCallSyntax: ToolCallSyntax? { .hermes }
    }

    static let pieces = ["Checking", ".<tool", "_call>\n{\"name\": \"get_weather\", ", "\"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"]
    static let tools: JSONValue = [["type": "function", "function": ["name": "get_weather", "parameters": ["type": "object"]]]]

    func served() throws -> ServedModel {
        let model = try SharedModel.smolLM2()
        return ServedModel(id: "m", model: model, executor: ScriptedExecutor(Self.pieces),
                           chat: HermesBuilder(base: ChatMLBuilder(model: model)))
    }

    func testCallsBecomeToolCallsWithTheirFinishReason() async throws {
        try await withServer([try served()]) { client in
            let body: JSONValue = ["model": "m", "messages": [["role": "user", "content": "Weather in Paris?"]], "tools": Self.tools]
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .ok)
                let choice = try XCTUnwrap(try parse(response.body)["choices"]?.arrayValue?.first)
                XCTAssertEqual(choice["finish_reason"], "tool_calls")
                XCTAssertEqual(choice["message"]?["content"], "Checking.")
                let call = try XCTUnwrap(choice["message"]?["tool_calls"]?.arrayValue?.first)
                XCTAssertEqual(call["type"], "function")
                XCTAssertTrue(call["id"]?.stringValue?.hasPrefix("call_") ?? false)
                XCTAssertEqual(call["function"]?["name"], "get_weather")
                XCTAssertEqual(call["function"]?["arguments"], #"{"city":"Paris"}"#)
            }
            // Without tools in the request the text is returned as it is.
            let plain: JSONValue = ["model": "m", "messages": [["role": "user", "content": "Weather in Paris?"]]]
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(plain)) { response in
                let choice = try XCTUnwrap(try parse(response.body)["choices"]?.arrayValue?.first)
                XCTAssertEqual(choice["message"]?["content"]?.stringValue, Self.pieces.joined())
                XCTAssertNil(choice["message"]?["tool_calls"])
                XCTAssertEqual(choice["finish_reason"], "stop")
            }
        }
    }

    func testStreamedCallsArriveAsOneToolCallsDelta() async throws {
        try await withServer([try served()]) { client in
            let body: JSONValue = ["model": "m", "messages": [["role": "user", "content": "Weather?"]], "tools": Self.tools,
                                   "stream": true]
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(body)) { response in
                let events = String(buffer: response.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
                XCTAssertEqual(events.last, "data: [DONE]")
                var content = ""
                var calls: [JSONValue] = []
                var reasons: [String] = []
                for event in events.dropLast() {
                    let choice = try XCTUnwrap(try JSONParser.parse(String(event.dropFirst(6)))["choices"]?.arrayValue?.first)
                    content += choice["delta"]?["content"]?.stringValue ?? ""
                    calls += choice["delta"]?["tool_calls"]?.arrayValue ?? []
                    if let reason = choice["finish_reason"]?.stringValue { reasons.append(reason) }
                }
                XCTAssertEqual(content, "Checking.")
                XCTAssertEqual(calls.count, 1)
                XCTAssertEqual(calls.first?["index"], 0)
                XCTAssertEqual(calls.first?["function"]?["name"], "get_weather")
                XCTAssertEqual(reasons, ["tool_calls"])
            }
        }
    }

    func testUnsupportedToolChoiceIs400() async throws {
        try await withServer([try served()]) { client in
            for choice: JSONValue in ["required", ["type": "function", "function": ["name": "get_weather"]], 3] {
                let body: JSONValue = ["model": "m", "messages": [["role": "user", "content": "hi"]], "tools": Self.tools,
                                       "tool_choice": choice]
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(body)) { response in
                    XCTAssertEqual(response.status, .badRequest)
                    XCTAssertEqual(try errorObject(response)["param"], "tool_choice")
                }
            }
            // "none": no tools offered, so the text stays text.
            let none: JSONValue = ["model": "m", "messages": [["role": "user", "content": "hi"]], "tools": Self.tools, "tool_choice": "none"]
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(none)) { response in
                let choice = try XCTUnwrap(try parse(response.body)["choices"]?.arrayValue?.first)
                XCTAssertEqual(choice["finish_reason"], "stop")
            }
        }
    }
}
