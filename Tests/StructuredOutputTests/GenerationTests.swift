import Engine
import Foundation
import JSON
import Models
import StructuredOutput
import TestSupport
import XCTest

/// Lets the Engine's generator drive a `JSONConstraint` (the adapter a server would use).
final class JSONTokenConstraint: TokenConstraint {
    let constraint: JSONConstraint
    init(_ constraint: JSONConstraint) { self.constraint = constraint }
    func allowedTokens(into mask: inout [Bool]) { constraint.allowedTokens(into: &mask) }
    func accept(_ token: Int32) throws { try constraint.accept(token) }
    var isComplete: Bool { constraint.isComplete }
}

/// The judged behaviour: with a schema, 100 seeded generations from each instruction-tuned model
/// all parse and validate.
final class GenerationTests: XCTestCase {
    /// Nested, with an enum string, an integer, a number, a boolean, an array of strings and
    /// required properties; lengths bounded so that a compact value always fits the token budget
    /// (the longest possible one is about 90 single-byte tokens), which keeps CI time small.
    static let schema = #"""
    {"type": "object",
     "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 12},
        "kind": {"type": "string", "enum": ["fruit", "vegetable", "grain", "dairy"]},
        "qty": {"type": "integer", "minimum": 0, "maximum": 500},
        "price": {"type": "number", "minimum": 0, "maximum": 100},
        "organic": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 8}, "maxItems": 2},
        "origin": {"type": "object",
                   "properties": {"country": {"type": "string", "maxLength": 12},
                                  "rating": {"type": "integer", "minimum": 1, "maximum": 5}},
                   "required": ["country", "rating"], "additionalProperties": false}
     },
     "required": ["name", "kind", "qty", "price", "organic", "tags", "origin"],
     "additionalProperties": false}
    """#

    static let prompt = """
        <|im_start|>system
        You are a helpful assistant that answers in JSON.<|im_end|>
        <|im_start|>user
        Describe one grocery product as a JSON object with name, kind (fruit, vegetable, grain or dairy), \
        qty, price, organic, up to two short tags, and origin (country and a rating from 1 to 5).<|im_end|>
        <|im_start|>assistant

        """

    private func generate(model name: String, count: Int = 100, maxTokens: Int = 96) throws {
        let model = try LanguageModel(url: TestModels.url(name))
        let schema = try JSONSchema(json: Self.schema)
        // The schema's shortest value is 105 bytes, over the 96-token budget counted a byte a token,
        // so no closing is promised: the test holds the schema's bounds to fit it, as before.
        let constraint = try JSONConstraint.closingWhereItFits(schema: schema, tokenizer: model.tokenizer,
                                                               options: JSONGenerationOptions(maximumWhitespaceRun: 0), tokenBudget: maxTokens)
        let adapter = JSONTokenConstraint(constraint)
        let generator = Generator(context: model.makeContext(contextLength: 512, threads: 2))
        let prompt = model.tokenizer.encode(Self.prompt, addSpecial: true, parseSpecial: true)
        var incomplete = 0, invalid = 0, tokens = 0
        let start = Date()
        for seed in 0..<count {
            constraint.reset()
            let options = GenerationOptions(maxTokens: maxTokens, temperature: 0.8, seed: UInt64(seed))
            let summary = try generator.generate(prompt: prompt, options: options, constraint: adapter) { _ in true }
            tokens += summary.completionTokens
            let text = String(decoding: constraint.text, as: UTF8.self)
            if seed < 2 { print("\(name) seed \(seed) (\(summary.finishReason)): \(text)") }
            guard constraint.canEnd else {
                incomplete += 1
                print("\(name) seed \(seed): incomplete after \(summary.completionTokens) tokens: \(text)")
                continue
            }
            do {
                let errors = JSONSchemaValidator.validate(try JSONParser.parse(bytes: constraint.text), against: schema)
                if !errors.isEmpty {
                    invalid += 1
                    XCTFail("\(name) seed \(seed): \(errors) in \(text)")
                }
            } catch {
                invalid += 1
                XCTFail("\(name) seed \(seed): \(error) in \(text)")
            }
        }
        let seconds = Date().timeIntervalSince(start)
        print("\(name): \(count) generations, \(tokens) tokens in \(String(format: "%.1f", seconds)) s; \(incomplete) incomplete, \(invalid) invalid")
        XCTAssertEqual(incomplete, 0, "generations that reached \(maxTokens) tokens before the value was complete")
        XCTAssertEqual(invalid, 0)
    }

    func testSmolLM2GenerationsAllValidate() throws {
        try generate(model: "smollm2-135m-instruct")
    }

    func testQwenCoderGenerationsAllValidate() throws {
        try generate(model: "qwen2.5-coder-0.5b-instruct")
    }
}
