import XCTest
import JSON
@testable import ChatTemplates

final class ConversationTests: XCTestCase {
    func testDecodesAnOpenAIRequest() throws {
        let conversation = try Conversation(jsonText: #"""
        {"model": "x", "messages": [
          {"role": "user", "content": [{"type": "text", "text": "first"}, {"type": "text", "text": "second"}]},
          {"role": "assistant", "content": null, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"b\": 1, \"a\": [true]}"}}]},
          {"role": "tool", "tool_call_id": "c1", "content": "done"}],
         "tools": [{"type": "function", "function": {"name": "f"}}]}
        """#)
        XCTAssertEqual(conversation.messages[0]["content"], "first\nsecond")
        let arguments = conversation.messages[1]["tool_calls"]?.arrayValue?[0]["function"]?["arguments"]
        XCTAssertEqual(arguments?.objectValue?.keys, ["b", "a"])
        XCTAssertEqual(conversation.messages[1]["content"], .null)
        XCTAssertEqual(conversation.messages[2]["tool_call_id"], "c1")
        XCTAssertEqual(conversation.tools?.count, 1)
    }

    func testAcceptsABareArrayAndKeepsUnparseableArguments() throws {
        let conversation = try Conversation(jsonText: #"""
        [{"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": "not json"}}]}]
        """#)
        XCTAssertNil(conversation.tools)
        XCTAssertEqual(conversation.messages[0]["tool_calls"]?.arrayValue?[0]["function"]?["arguments"], "not json")
    }

    func testRejectsMalformedRequests() {
        let bad = [#"{"messages": 1}"#, #"[1]"#, #"[{"content": "no role"}]"#, #""text""#,
                   #"{"messages": [], "tools": {}}"#,
                   #"[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]"#]
        for text in bad {
            XCTAssertThrowsError(try Conversation(jsonText: text), text)
        }
    }

    /// A request as an OpenAI client sends it renders like the fixture jinja2 rendered from dicts.
    func testRequestRendersLikeTheFixture() throws {
        let models = try XCTUnwrap(try FixtureTests.fixture("models").arrayValue)
        let qwen = try XCTUnwrap(models.first { $0["model"] == "qwen2.5-coder-0.5b-instruct" })
        let fixture = try XCTUnwrap(qwen["cases"]?.arrayValue?.first {
            $0["name"] == "tool call and result, add_generation_prompt=True"
        })
        let request = try Conversation(jsonText: #"""
        {"messages": [
          {"role": "user", "content": [{"type": "text", "text": "Hello! What can you do?"}]},
          {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"city\": \"Zürich\", \"unit\": \"celsius\"}"}}]},
          {"role": "tool", "content": "{\"temperature\": 21.5}", "tool_call_id": "call_1"}],
         "tools": \#(fixture["tools"]!.serialized())}
        """#)
        let template = try ChatTemplate(source: qwen["template"]!.stringValue!)
        XCTAssertEqual(try template.render(request, addGenerationPrompt: true), fixture["expected"]?.stringValue)
    }

    func testMissingVariablesAndExtraKeywords() throws {
        let template = try ChatTemplate(source: "{{ bos_token }}[{{ tools }}][{{ custom }}][{{ documents is none }}]{{ eos_token }}")
        XCTAssertEqual(try template.render(messages: [], addGenerationPrompt: false, bosToken: "<s>", eosToken: "</s>",
                                           extra: JSONObject([("custom", ["a": 1])])),
                       "<s>[None][{'a': 1}][True]</s>")
    }
}
