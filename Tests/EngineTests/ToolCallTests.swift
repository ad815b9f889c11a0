import Engine
import XCTest

/// Tool calls split out of generated text (Hermes syntax), whatever the pieces the text arrives in.
final class ToolCallTests: XCTestCase {
    /// Feeds `text` in pieces cut at `cuts` and returns all shown content and the calls.
    private func extract(_ text: String, cuts: [Int] = []) -> (content: String, calls: [ToolCall]) {
        var extractor = ToolCallExtractor(syntax: .hermes)
        var content = ""
        var start = text.startIndex
        for cut in cuts.sorted() where cut > 0 && cut < text.count {
            let end = text.index(text.startIndex, offsetBy: cut)
            guard end > start else { continue }
            content += extractor.append(String(text[start..<end]))
            start = end
        }
        content += extractor.append(String(text[start...]))
        let (rest, calls) = extractor.finish()
        return (content + rest, calls)
    }

    func testCallsAreParsedAndTheTextBeforeThemIsContent() {
        let text = """
        Let me check.<tool_call>
        {"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}
        </tool_call>
        <tool_call>
        {"name": "get_time", "arguments": {}}
        </tool_call>
        """
        let expected = [ToolCall(name: "get_weather", arguments: #"{"city":"Paris","days":2}"#),
                        ToolCall(name: "get_time", arguments: "{}")]
        // Every single cut, and every cut into single characters, gives the same result.
        for cut in 0...text.count {
            let result = extract(text, cuts: [cut])
            XCTAssertEqual(result.content, "Let me check.", "cut at \(cut)")
            XCTAssertEqual(result.calls, expected, "cut at \(cut)")
        }
        XCTAssertEqual(extract(text, cuts: Array(1..<text.count)).calls, expected)
    }

    func testTextThatOnlyLooksLikeATagStartIsShownWhenItIsNot() {
        var extractor = ToolCallExtractor(syntax: .hermes)
        XCTAssertEqual(extractor.append("a < b and <tool"), "a < b and ")
        XCTAssertEqual(extractor.append("box> done"), "<toolbox> done")
        XCTAssertEqual(extractor.append(" <"), " ")
        let (rest, calls) = extractor.finish()
        XCTAssertEqual(rest, "<")
        XCTAssertEqual(calls, [])
    }

    func testUnparsableCallsStayContentAndUnclosedOnesStillCount() {
        let broken = #"<tool_call>{"name": "f", "arguments": {"x": </tool_call>"#
        XCTAssertEqual(extract(broken).content, broken)
        XCTAssertEqual(extract(broken).calls, [])
        let nameless = #"<tool_call>{"arguments": {}}</tool_call>"#
        XCTAssertEqual(extract(nameless).calls, [])
        XCTAssertEqual(extract(nameless).content, nameless)
        // The model stopped right after the JSON, before the closing tag.
        XCTAssertEqual(extract(#"<tool_call>{"name": "f", "parameters": {"y": [1, 2]}}"#).calls,
                       [ToolCall(name: "f", arguments: #"{"y":[1,2]}"#)])
        // Arguments already encoded as a string are passed on as they are.
        XCTAssertEqual(extract(#"<tool_call>{"name": "f", "arguments": "{\"z\": 1}"}</tool_call>"#).calls,
                       [ToolCall(name: "f", arguments: #"{"z": 1}"#)])
        // Text after the last call is content.
        let after = extract(#"<tool_call>{"name": "f"}</tool_call> Done."#)
        XCTAssertEqual(after.calls, [ToolCall(name: "f", arguments: "{}")])
        XCTAssertEqual(after.content, "Done.")
    }

    /// A bare call (no tags) counts only for an offered tool's name and only as the whole output.
    func testBareJSONCallsNeedAnOfferedNameAndTheWholeOutput() {
        func run(_ pieces: [String], names: Set<String>) -> (shown: [String], content: String, calls: [ToolCall]) {
            var extractor = ToolCallExtractor(syntax: .hermes, toolNames: names)
            let shown = pieces.map { extractor.append($0) }
            let (rest, calls) = extractor.finish()
            return (shown, shown.joined() + rest, calls)
        }
        let bare = ["\n", "{\"name\": \"get_weather\",", " \"arguments\": {\"city\": \"Paris\"}}"]
        let offered = run(bare, names: ["get_weather"])
        XCTAssertEqual(offered.shown, ["", "", ""])
        XCTAssertEqual(offered.calls, [ToolCall(name: "get_weather", arguments: #"{"city":"Paris"}"#)])
        XCTAssertEqual(offered.content, "")
        // Another name, no names, or JSON that is an answer: content, nothing lost.
        XCTAssertEqual(run(bare, names: ["get_time"]).calls, [])
        XCTAssertEqual(run(bare, names: ["get_time"]).content, bare.joined())
        XCTAssertEqual(run(bare, names: []).shown, bare)
        XCTAssertEqual(run(["{\"answer\": 4}"], names: ["get_weather"]).content, "{\"answer\": 4}")
        // Text first: streamed as usual, and a later brace is just text.
        let prose = run(["Sure ", "{\"name\": \"get_weather\"}"], names: ["get_weather"])
        XCTAssertEqual(prose.shown, ["Sure ", "{\"name\": \"get_weather\"}"])
        XCTAssertEqual(prose.calls, [])
    }

    func testSyntaxIsTakenFromTheTemplate() {
        XCTAssertEqual(ToolCallSyntax.taught(by: "{% if tools %}<tool_call>{{ ... }}</tool_call>{% endif %}"), .hermes)
        XCTAssertNil(ToolCallSyntax.taught(by: "{{ messages }}"))
    }
}
