import Foundation
import XCTest
import JSON
@testable import ChatTemplates

/// Renderings byte-identical to jinja2's, from scripts/make_template_fixtures.py.
final class FixtureTests: XCTestCase {
    static func fixture(_ name: String) throws -> JSONValue {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"),
                                "missing fixture \(name).json")
        return try JSONParser.parse(String(decoding: try Data(contentsOf: url), as: UTF8.self))
    }

    func testEmbeddedTemplatesRenderAsJinja2Does() throws {
        let models = try XCTUnwrap(try FixtureTests.fixture("models").arrayValue)
        XCTAssertEqual(Set(models.compactMap { $0["model"]?.stringValue }), ["smollm2-135m-instruct", "qwen2.5-coder-0.5b-instruct"])
        var checked = 0
        for model in models {
            let name = model["model"]!.stringValue!
            let template = try ChatTemplate(source: model["template"]!.stringValue!)
            for testCase in model["cases"]!.arrayValue! {
                let label = "\(name): \(testCase["name"]!.stringValue!)"
                let render = {
                    try template.render(messages: testCase["messages"]!.arrayValue!, tools: testCase["tools"]?.arrayValue,
                                        addGenerationPrompt: testCase["add_generation_prompt"]!.boolValue!,
                                        bosToken: model["bos_token"]!.stringValue!, eosToken: model["eos_token"]!.stringValue!)
                }
                if let expected = testCase["expected"]?.stringValue {
                    XCTAssertEqual(try render(), expected, label)
                } else {
                    XCTAssertThrowsError(try render(), label) { XCTAssertTrue($0 is TemplateError, label) }
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 50)
    }

    func testSnippetsRenderAsJinja2Does() throws {
        let snippets = try XCTUnwrap(try FixtureTests.fixture("snippets").arrayValue)
        XCTAssertGreaterThan(snippets.count, 100)
        for snippet in snippets {
            let source = snippet["template"]!.stringValue!
            let label = source.debugDescription
            let render = {
                try ChatTemplate(source: source).render(messages: [], addGenerationPrompt: false,
                                                        extra: snippet["context"]!.objectValue!)
            }
            if let expected = snippet["expected"]?.stringValue {
                XCTAssertEqual(try render(), expected, label)
            } else {
                XCTAssertThrowsError(try render(), label) { XCTAssertTrue($0 is TemplateError, label) }
            }
        }
    }
}
