import Foundation
import GGUF
import JSON
import StructuredOutput
import TestSupport
import Tokenizers
import XCTest

/// The trie walk's masks against checking every token's bytes one by one.
final class MaskTests: XCTestCase {
    /// A SentencePiece-style vocabulary of JSON-ish pieces, byte tokens for everything else, and
    /// control tokens that must never be allowed.
    static func syntheticTokenizer() throws -> Tokenizer {
        var tokens = ["<unk>", "<s>", "</s>"]
        var types: [Int32] = [2, 3, 3]
        for byte in 0..<256 {
            tokens.append(String(format: "<0x%02X>", byte))
            types.append(6)
        }
        let pieces = ["{", "}", "[", "]", "\"", ":", ",", "▁", "\n", "{\"", "\":", "\",", "\"}", "\"]", "\":▁\"", "▁\"",
                      "name", "kind", "fruit", "fru", "it", "veg", "etable", "grain", "count", "price", "tags", "size",
                      "true", "tr", "ue", "false", "null", "nu", "0", "1", "12", "5", "9", ".", "-", "e", "E", "+", ".5",
                      "a", "ab", "abc", "▁a", "é", "😀", "\\", "\\n", "\\\"", "\\u", "00e9", "d800", "\"▁:", "},{", "\"],\"",
                      "organic", "\":true", "\":false,", "w", "h", "\":{\"", "▁▁", "\n▁▁", "\"\"", "x\"", "<tool>", "notes"]
        for piece in pieces {
            tokens.append(piece)
            types.append(piece == "<tool>" ? 4 : 1)
        }
        let metadata = GGUFMetadata([
            ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.tokens", .array(.string(tokens))),
            ("tokenizer.ggml.token_type", .array(.int32(types))),
            ("tokenizer.ggml.scores", .array(.float32([Float](repeating: 0, count: tokens.count)))),
        ])
        return try Tokenizer(metadata: metadata)
    }

    private func assertMaskMatchesBruteForce(_ constraint: JSONConstraint, _ mask: TokenMask, _ context: String,
                                             file: StaticString = #filePath, line: UInt = #line) {
        var mismatches: [Int32] = []
        for token in 0..<Int32(mask.vocabularySize) where mask.contains(token) != constraint.canAccept(token) {
            mismatches.append(token)
        }
        XCTAssertEqual(mismatches.prefix(10), [], "after \(context)", file: file, line: line)
    }

    /// Random token-level walks; at every step the mask equals the brute-force check.
    func testSyntheticVocabularyMasksEqualBruteForce() throws {
        let tokenizer = try Self.syntheticTokenizer()
        var random = SplitMix(seed: 11)
        for source in AutomatonTests.schemas {
            let schema = try JSONSchema(json: source)
            let constraint = try JSONConstraint(schema: schema, tokenizer: tokenizer,
                                                options: JSONGenerationOptions(maximumWhitespaceRun: 3, maximumDepth: 6))
            var completed = 0
            for _ in 0..<40 {
                constraint.reset()
                for _ in 0..<120 {
                    let mask = constraint.allowedTokens()
                    assertMaskMatchesBruteForce(constraint, mask, String(decoding: constraint.text, as: UTF8.self))
                    let allowed = mask.tokens
                    XCTAssertFalse(allowed.isEmpty, "no token allowed after \(String(decoding: constraint.text, as: UTF8.self))")
                    guard !allowed.isEmpty else { break }
                    // Prefer the end when allowed, so that many walks finish.
                    let end = allowed.first { tokenizer.isEndOfGeneration($0) }
                    let token = end != nil && random.next() % 3 == 0 ? end! : allowed[Int(random.next() % UInt64(allowed.count))]
                    try constraint.accept(token)
                    if constraint.isComplete { break }
                }
                XCTAssertFalse(constraint.allowedTokens().contains(1), "control tokens are never allowed")
                XCTAssertFalse(constraint.allowedTokens().contains(Int32(tokenizer.vocabularySize - 2)), "user-defined tokens neither")
                guard constraint.canEnd else { continue }
                completed += 1
                let value = try JSONParser.parse(bytes: constraint.text)
                XCTAssertEqual(JSONSchemaValidator.validate(value, against: schema), [], String(decoding: constraint.text, as: UTF8.self))
            }
            XCTAssertGreaterThan(completed, 0, source)
        }
    }

    func testEndOfGenerationOnlyWhenComplete() throws {
        let tokenizer = try Self.syntheticTokenizer()
        let constraint = try JSONConstraint(schema: JSONSchema(json: #"{"type": "integer"}"#), tokenizer: tokenizer)
        let eos = tokenizer.endOfGenerationTokens.first!
        XCTAssertFalse(constraint.allowedTokens().contains(eos))
        XCTAssertThrowsError(try constraint.accept(eos))
        let twelve = Int32(tokenizer.encode("12", addSpecial: false, parseSpecial: false).last!)
        try constraint.accept(twelve)
        XCTAssertTrue(constraint.canEnd)
        XCTAssertFalse(constraint.isComplete, "an integer can still grow")
        XCTAssertTrue(constraint.allowedTokens().contains(eos))
        try constraint.accept(eos)
        XCTAssertTrue(constraint.isComplete)
        XCTAssertEqual(constraint.value, 12)
        XCTAssertThrowsError(try constraint.accept(twelve)) { XCTAssertEqual($0 as? JSONConstraintError, .alreadyFinished) }

        let object = try JSONConstraint(schema: .anyObject, tokenizer: tokenizer)
        for token in tokenizer.encode("{}", addSpecial: false, parseSpecial: false) { try object.accept(token) }
        XCTAssertTrue(object.isComplete, "after a closed object only the end may come")
        XCTAssertEqual(object.allowedTokens().tokens, tokenizer.endOfGenerationTokens.sorted())
    }

    /// The real vocabularies: masks in several states equal the brute-force check, and the time a
    /// mask takes is printed (never asserted).
    func testRealVocabularyMasks() throws {
        let schema = try JSONSchema(json: AutomatonTests.productSchema)
        let prefixes = ["", #"{"name": ""#, #"{"name": "Ap"#, #"{"name": "Apple", "kind": "#, #"{"name": "A", "kind": "fruit", "count": 1"#,
                        #"{"name": "A", "kind": "fruit", "count": 1, "organic": true, "tags": ["#,
                        #"{"name": "A", "kind": "fruit", "count": 1, "organic": true, "tags": ["x"]"#]
        for name in ["qwen2.5-coder-0.5b-instruct", "smollm2-135m-instruct", "gemma3-270m"] {
            let tokenizer = try Tokenizer(url: TestModels.url(name))
            let buildStart = Date()
            let index = TokenIndex(tokenizer: tokenizer)
            print("\(name): token index for \(tokenizer.vocabularySize) tokens built in \(Self.milliseconds(since: buildStart)) ms (\(index.candidates.count) usable)")
            for (schemaName, schema) in [("product", schema), ("any JSON", JSONSchema.anyJSON)] {
                for prefix in prefixes {
                    let constraint = try JSONConstraint(schema: schema, tokenizer: tokenizer)
                    for token in tokenizer.encode(prefix, addSpecial: false, parseSpecial: false) { try constraint.accept(token) }
                    var mask = TokenMask(vocabularySize: tokenizer.vocabularySize)
                    var times: [Double] = []
                    for _ in 0..<5 {
                        let start = Date()
                        constraint.allowedTokens(into: &mask)
                        times.append(Self.milliseconds(since: start))
                    }
                    if prefix.count < 20 || name.hasPrefix("qwen") { assertMaskMatchesBruteForce(constraint, mask, prefix) }
                    print("  \(schemaName) after \(prefix.debugDescription): \(mask.count) allowed, mask \(String(format: "%.3f", times.sorted()[2])) ms")
                }
            }
        }
    }

    static func milliseconds(since start: Date) -> Double {
        Date().timeIntervalSince(start) * 1000
    }
}
