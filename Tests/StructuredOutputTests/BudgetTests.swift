import Foundation
import GGUF
import JSON
import StructuredOutput
import Tokenizers
import XCTest

/// The token budget: with a budget of N tokens the constraint always ends with a complete valid
/// value, however adversarial the choices among the allowed tokens; the shortest-completion costs
/// it rests on are exact; whitespace runs have llama.cpp's shape.
final class BudgetTests: XCTestCase {
    /// Nested objects with required fields, arrays with minItems, strings, enums, numbers,
    /// recursion through $ref, free keys, and any JSON.
    static let schemas: [String] = [
        #"""
        {"type": "object",
         "properties": {
            "verdict": {"enum": ["pass", "fail", "unsure"]},
            "score": {"type": "integer", "minimum": 0, "maximum": 10},
            "reason": {"type": "string", "minLength": 3, "maxLength": 200},
            "note": {"type": ["string", "null"]},
            "details": {"type": "object",
                        "properties": {"flags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                                       "severity": {"type": "number", "minimum": 0.5, "maximum": 2.25}},
                        "required": ["flags"]}
         },
         "required": ["verdict", "score", "reason", "details"],
         "additionalProperties": false}
        """#,
        #"{"type": "array", "items": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 3}, "minItems": 2}"#,
        #"{"type": "string", "minLength": 5}"#,
        #"{"enum": ["alpha", "beta", 12, null, {"k": [true]}]}"#,
        #"{"type": "number", "minimum": 12.5, "maximum": 13}"#,
        #"{"type": "integer", "minimum": -40, "maximum": -7}"#,
        ##"{"$defs": {"list": {"anyOf": [{"type": "null"}, {"type": "object", "properties": {"head": {"type": "string"}, "tail": {"$ref": "#/$defs/list"}}, "required": ["head", "tail"]}]}}, "$ref": "#/$defs/list"}"##,
        ##"{"$defs": {"node": {"type": "object", "properties": {"v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}, "minItems": 1, "maxItems": 2}}, "required": ["v"]}}, "$ref": "#/$defs/node"}"##,
        #"{"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string", "minLength": 2}, "minItems": 1}}"#,
        "true",
        // The shortest value ([[[0]]]) needs four frames below the root; with less room only the long string fits.
        #"{"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 1, "items": {"anyOf": [{"type": "string", "minLength": 20}, {"type": "array", "items": {"type": "integer"}, "minItems": 1}]}}}"#,
    ]

    // MARK: Vocabularies

    /// GPT-2's byte-to-character alphabet, in which byte-level BPE vocabularies store their tokens.
    static let byteLevelAlphabet: [Character] = {
        var bytes = Array(33...126) + Array(161...172) + Array(174...255)
        var characters = bytes
        var extra = 0
        for byte in 0..<256 where !bytes.contains(byte) {
            bytes.append(byte)
            characters.append(256 + extra)
            extra += 1
        }
        var table = [Character](repeating: " ", count: 256)
        for (byte, character) in zip(bytes, characters) { table[byte] = Character(Unicode.Scalar(UInt32(character))!) }
        return table
    }()

    /// A byte-level BPE vocabulary (model "gpt2", as Qwen and SmolLM2): every byte, the given
    /// pieces, and `<|im_end|>` as the end of generation.
    static func byteLevelTokenizer(pieces: [[UInt8]]) throws -> Tokenizer {
        var seen = Set<[UInt8]>()
        var texts: [String] = []
        for piece in (0..<256).map({ [UInt8($0)] }) + pieces where !piece.isEmpty && seen.insert(piece).inserted {
            texts.append(String(piece.map { byteLevelAlphabet[Int($0)] }))
        }
        var types = [Int32](repeating: 1, count: texts.count)
        texts += ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
        types += [3, 3, 3]
        let metadata = GGUFMetadata([
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string("qwen2")),
            ("tokenizer.ggml.tokens", .array(.string(texts))),
            ("tokenizer.ggml.token_type", .array(.int32(types))),
            ("tokenizer.ggml.merges", .array(.string([]))),
            ("tokenizer.ggml.eos_token_id", .uint32(UInt32(texts.count - 1))),
        ])
        return try Tokenizer(metadata: metadata)
    }

    /// A small byte-level vocabulary of JSON-ish pieces: openers fused with quotes, keys, partial
    /// UTF-8 characters, escapes, whitespace runs and long string content.
    static func syntheticByteLevelTokenizer() throws -> Tokenizer {
        let texts = ["{\"", "\":", "\",", "\"}", "\"]", "\":\"", "[{\"", "}]", " \"", "\n", "\n  ", "\n\t", "   ", "[[", "]]",
                     "[]", "{}", "[\"", "\",\"", "},{", "],[", "null", "true", "false", "nu", "tr", "alpha", "beta", "pass",
                     "fail", "unsure", "verdict", "reason", "score", "details", "flags", "severity", "head", "tail",
                     "kids", "\"v\":", "note", " the", "12", "13", "0.", "12.5", ".5", "-4", "-0", "1e", "e+", "é", "中",
                     "\\u00", "\\\"", "\\n", "\\", "ab", "abc", String(repeating: "a", count: 20), "\":[", "\":{\"", "\":null",
                     "\":[\"", "\"\"", "\":\"\"", "\"},\"", ",\"", ":[", ",[", ",{", "\u{1F600}"]
        var pieces = texts.map { Array($0.utf8) }
        let chinese = Array("中".utf8), smile = Array("\u{1F600}".utf8)
        pieces += [Array(chinese.prefix(2)), [chinese[2]], Array(smile.prefix(3)), Array(smile.suffix(2)), [0x22, chinese[0]]]
        return try byteLevelTokenizer(pieces: pieces)
    }

    /// A SentencePiece vocabulary without byte tokens: a budget cannot be kept with it.
    static func vocabularyWithoutByteTokens() throws -> Tokenizer {
        let tokens = ["<unk>", "<s>", "</s>", "{", "}", "[", "]", "\"", ":", ",", "a", "b", "0", "1", "true", "false", "null"]
        let types: [Int32] = [2, 3, 3] + [Int32](repeating: 1, count: tokens.count - 3)
        let metadata = GGUFMetadata([
            ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.tokens", .array(.string(tokens))),
            ("tokenizer.ggml.token_type", .array(.int32(types))),
            ("tokenizer.ggml.scores", .array(.float32([Float](repeating: 0, count: tokens.count)))),
        ])
        return try Tokenizer(metadata: metadata)
    }

    // MARK: Walks

    /// How much an adversary wants a token: ones that open containers and strings, add items,
    /// take more bytes, or spend the budget on whitespace come first.
    static func appetite(_ bytes: [UInt8]) -> Int {
        var score = bytes.count
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"): score += 6
            case UInt8(ascii: ","): score += 5
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): score += 3
            case 0x20, 0x0A, 0x09: score += 2
            case 0x80...0xFF: score += 2
            default: break
            }
        }
        return score
    }

    enum Path { case anyToken, singleBytes }

    /// What the adversary knows of each token, computed once per vocabulary.
    struct TokenProfile {
        let appetite: [Int]
        let isSingleByte: [Bool]
        let isEnd: [Bool]

        init(_ tokenizer: Tokenizer) {
            let ids = 0..<Int32(tokenizer.vocabularySize)
            appetite = ids.map { BudgetTests.appetite(tokenizer.piece($0, renderSpecial: false)) }
            isSingleByte = ids.map { tokenizer.piece($0, renderSpecial: false).count == 1 }
            isEnd = ids.map { tokenizer.isEndOfGeneration($0) }
        }
    }

    /// Mostly the most appetising token (see `appetite`), sometimes any.
    static func adversarialChoice(_ choices: [Int32], _ profile: TokenProfile, random: inout SplitMix) -> Int32 {
        if random.next() % 100 < 65 {
            let best = choices.map { profile.appetite[Int($0)] }.max()!
            let top = choices.filter { profile.appetite[Int($0)] == best }
            return top[Int(random.next() % UInt64(top.count))]
        }
        return choices[Int(random.next() % UInt64(choices.count))]
    }

    /// The same adversary without a budget, cut off after `limit` tokens: whether its value is complete.
    static func unbudgetedWalkCompletes(_ schema: JSONSchema, tokenizer: Tokenizer, _ profile: TokenProfile, options: JSONGenerationOptions,
                                        path: Path, limit: Int, random: inout SplitMix) throws -> Bool {
        let constraint = try JSONConstraint(schema: schema, tokenizer: tokenizer, options: options)
        var count = 0
        while !constraint.isComplete && count < limit {
            var choices = constraint.allowedTokens().tokens.filter { !profile.isEnd[Int($0)] }
            if path == .singleBytes { choices = choices.filter { profile.isSingleByte[Int($0)] } }
            guard !choices.isEmpty else { break }
            try constraint.accept(adversarialChoice(choices, profile, random: &random))
            count += 1
        }
        return constraint.canEnd
    }

    /// One walk: the adversary never ends by choice; it stops only when the constraint is complete
    /// (or allows nothing but the end). Returns the text.
    @discardableResult
    func adversarialWalk(_ constraint: JSONConstraint, _ profile: TokenProfile, path: Path, random: inout SplitMix,
                         bruteForce: Bool, context: String, file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        let budget = constraint.tokenBudget!
        var steps = 0
        while !constraint.isComplete {
            steps += 1
            guard steps <= budget + 1 else {
                XCTFail("more steps than the budget: \(context)", file: file, line: line)
                break
            }
            let remaining = constraint.remainingTokens!
            let cost = try constraint.shortestCompletion
            XCTAssertLessThanOrEqual(cost, remaining, "\(context): \(String(decoding: constraint.text, as: UTF8.self))", file: file, line: line)
            let mask = constraint.allowedTokens()
            if bruteForce {
                var mismatches: [Int32] = []
                for token in 0..<Int32(mask.vocabularySize) where mask.contains(token) != constraint.canAccept(token) {
                    mismatches.append(token)
                }
                XCTAssertEqual(mismatches.prefix(5), [], "\(context) after \(String(decoding: constraint.text, as: UTF8.self))", file: file, line: line)
            }
            let allowed = mask.tokens.filter { !profile.isEnd[Int($0)] }
            let single = allowed.filter { profile.isSingleByte[Int($0)] }
            if !constraint.canEnd {
                // The promise rests on single-byte tokens: one always leads towards the end.
                XCTAssertFalse(single.isEmpty, "\(context): no single-byte token after \(String(decoding: constraint.text, as: UTF8.self))",
                               file: file, line: line)
            }
            let choices = path == .singleBytes ? single : allowed
            guard !choices.isEmpty else {
                XCTAssertTrue(constraint.canEnd, "\(context): stuck after \(String(decoding: constraint.text, as: UTF8.self))", file: file, line: line)
                break
            }
            try constraint.accept(Self.adversarialChoice(choices, profile, random: &random))
        }
        let text = String(decoding: constraint.text, as: UTF8.self)
        XCTAssertTrue(constraint.canEnd, "\(context): incomplete: \(text)", file: file, line: line)
        XCTAssertLessThanOrEqual(constraint.acceptedTokens, budget, context, file: file, line: line)
        if constraint.canEnd {
            do {
                let value = try JSONParser.parse(bytes: constraint.text)
                XCTAssertEqual(JSONSchemaValidator.validate(value, against: constraint.schema), [], "\(context): \(text)", file: file, line: line)
            } catch {
                XCTFail("\(context): \(error) in \(text)", file: file, line: line)
            }
        }
        return constraint.text
    }

    /// Every schema, every budget from 1 to 40 tokens, adversarial walks on a SentencePiece
    /// vocabulary with byte fallback, a byte-level BPE vocabulary, and through single-byte tokens
    /// only: all end complete and valid within the budget, or the budget is refused up front.
    func testAdversarialWalksAlwaysFinishWithinBudget() throws {
        let sentencePiece = try MaskTests.syntheticTokenizer(), byteLevel = try Self.syntheticByteLevelTokenizer()
        let vocabularies: [(String, Tokenizer, TokenProfile, Path)] = [
            ("sentencepiece", sentencePiece, TokenProfile(sentencePiece), .anyToken),
            ("byte-level", byteLevel, TokenProfile(byteLevel), .anyToken),
            ("single bytes", byteLevel, TokenProfile(byteLevel), .singleBytes),
        ]
        var random = SplitMix(seed: 2024)
        var walks = 0, refused = 0, fullBudget = 0, unbudgetedIncomplete = 0, unbudgeted = 0
        for source in Self.schemas {
            let schema = try JSONSchema(json: source)
            for (name, tokenizer, profile, path) in vocabularies {
                for budget in Array(1...40) + [55, 68, 69, 90] {
                    // Whitespace allowed in some walks, a depth limit tight enough to matter in others.
                    let options = JSONGenerationOptions(maximumWhitespaceRun: budget % 3 == 0 ? 0 : 4,
                                                        maximumDepth: budget % 2 == 0 ? 5 : 32)
                    let constraint: JSONConstraint
                    do {
                        constraint = try JSONConstraint(schema: schema, tokenizer: tokenizer, options: options, tokenBudget: budget)
                    } catch let error as JSONConstraintError {
                        guard case .budgetTooSmall(let given, let needed) = error else { throw error }
                        XCTAssertEqual(given, budget)
                        XCTAssertGreaterThan(needed, budget)
                        let matcher = try JSONByteMatcher(schema: schema, options: options)
                        XCTAssertEqual(try matcher.shortestCompletion, needed, source)
                        refused += 1
                        continue
                    }
                    for seed in 0..<2 {
                        constraint.reset()
                        try adversarialWalk(constraint, profile, path: path, random: &random,
                                            bruteForce: seed == 0 && budget % 8 == 1,
                                            context: "\(name), budget \(budget), schema \(source.prefix(60))")
                        walks += 1
                        if constraint.acceptedTokens == budget { fullBudget += 1 }
                    }
                    // Without the budget the adversary would often be cut off mid-value.
                    unbudgeted += 1
                    if try !Self.unbudgetedWalkCompletes(schema, tokenizer: tokenizer, profile, options: options, path: path, limit: budget, random: &random) {
                        unbudgetedIncomplete += 1
                    }
                }
            }
        }
        print("budget walks: \(walks) complete and valid (\(fullBudget) used the whole budget), \(refused) budgets refused as too small; "
              + "without a budget the same adversary left \(unbudgetedIncomplete) of \(unbudgeted) values incomplete")
        XCTAssertGreaterThan(walks, 700)
        XCTAssertGreaterThan(unbudgetedIncomplete, unbudgeted / 4, "the walks are not adversarial enough to test the budget")
    }

    /// The costs are exact shortest distances: 0 exactly where the value can end, and from any
    /// other state some byte lowers the cost by one and none by more.
    func testShortestCompletionIsExact() throws {
        var random = SplitMix(seed: 99)
        for source in Self.schemas + AutomatonTests.schemas {
            let schema = try JSONSchema(json: source)
            for walk in 0..<12 {
                let options = JSONGenerationOptions(maximumWhitespaceRun: 2, maximumDepth: walk % 2 == 0 ? 4 : 7)
                // A depth limit some schemas cannot meet at all.
                guard var matcher = try? JSONByteMatcher(schema: schema, options: options) else { continue }
                var bytes: [UInt8] = []
                for _ in 0..<60 {
                    let cost = try matcher.shortestCompletion
                    let text = String(decoding: bytes, as: UTF8.self)
                    XCTAssertEqual(cost == 0, matcher.canEnd, "\(source) \(text)")
                    let allowed = matcher.allowedBytes
                    var lowest = Int.max
                    for byte in allowed {
                        var next = matcher
                        XCTAssertTrue(next.advance(byte))
                        let after = try next.shortestCompletion
                        XCTAssertGreaterThanOrEqual(after, cost - 1, "byte \(byte) after \(text) in \(source)")
                        lowest = min(lowest, after)
                    }
                    if cost > 0 { XCTAssertEqual(lowest, cost - 1, "after \(text) in \(source)") }
                    if allowed.isEmpty || (matcher.canEnd && random.next() % 5 == 0) { break }
                    let byte = AutomatonTests.pick(allowed, &random)
                    XCTAssertTrue(matcher.advance(byte))
                    bytes.append(byte)
                }
            }
        }
    }

    func testBudgetTooSmallForTheShortestValueIsRefused() throws {
        let tokenizer = try MaskTests.syntheticTokenizer()
        // The depth limit counts: [[[0]]] (7 bytes) needs 5 frames, else [["aaaa…"]] (26 bytes).
        let nested = try JSONSchema(json: Self.schemas.last!)
        for (depth, needed) in [(4, 26), (5, 7), (32, 7)] {
            let options = JSONGenerationOptions(maximumDepth: depth)
            XCTAssertThrowsError(try JSONConstraint(schema: nested, tokenizer: tokenizer, options: options, tokenBudget: needed - 1)) {
                XCTAssertEqual($0 as? JSONConstraintError, .budgetTooSmall(budget: needed - 1, needed: needed))
            }
            XCTAssertNoThrow(try JSONConstraint(schema: nested, tokenizer: tokenizer, options: options, tokenBudget: needed))
        }
        let verdict = try JSONSchema(json: #"{"type": "object", "properties": {"verdict": {"enum": ["pass", "fail"]}}, "required": ["verdict"]}"#)
        // The shortest value is {"verdict":"fail"}: 18 bytes, so 18 single-byte tokens at most.
        XCTAssertThrowsError(try JSONConstraint(schema: verdict, tokenizer: tokenizer, tokenBudget: 17)) { error in
            XCTAssertEqual(error as? JSONConstraintError, .budgetTooSmall(budget: 17, needed: 18))
            XCTAssertTrue("\(error)".contains("18 tokens"), "\(error)")
            XCTAssertTrue("\(error)".contains("budget of 17"), "\(error)")
        }
        let fits = try JSONConstraint(schema: verdict, tokenizer: tokenizer, tokenBudget: 18)
        var random = SplitMix(seed: 5)
        let text = try adversarialWalk(fits, TokenProfile(tokenizer), path: .singleBytes, random: &random, bruteForce: true, context: "exact fit")
        XCTAssertEqual(text.count, 18)

        let long = try JSONSchema(json: #"{"type": "string", "minLength": 50}"#)
        XCTAssertThrowsError(try JSONConstraint(schema: long, tokenizer: tokenizer, tokenBudget: 51)) {
            XCTAssertEqual($0 as? JSONConstraintError, .budgetTooSmall(budget: 51, needed: 52))
        }
        XCTAssertNoThrow(try JSONConstraint(schema: long, tokenizer: tokenizer, tokenBudget: 52))
        XCTAssertThrowsError(try JSONConstraint(schema: .anyJSON, tokenizer: tokenizer, tokenBudget: 0)) {
            XCTAssertEqual($0 as? JSONConstraintError, .budgetTooSmall(budget: 0, needed: 1))
        }
        // No budget, no limit.
        XCTAssertNoThrow(try JSONConstraint(schema: long, tokenizer: tokenizer))
    }

    func testVocabularyWithoutByteTokensCannotKeepABudget() throws {
        let tokenizer = try Self.vocabularyWithoutByteTokens()
        XCTAssertNoThrow(try JSONConstraint(schema: .anyJSON, tokenizer: tokenizer))
        XCTAssertThrowsError(try JSONConstraint(schema: .anyJSON, tokenizer: tokenizer, tokenBudget: 100)) { error in
            guard case .missingByteTokens(let bytes)? = error as? JSONConstraintError else { return XCTFail("\(error)") }
            XCTAssertTrue(bytes.contains(UInt8(ascii: "2")))
            XCTAssertFalse(bytes.contains(UInt8(ascii: "{")))
            XCTAssertTrue("\(error)".contains("single-byte token"), "\(error)")
        }
    }

    /// Far from the end of the budget the masks are the ones without a budget; the last token
    /// finishes the value and then only the end may come.
    func testBudgetOnlyBitesNearTheEnd() throws {
        let tokenizer = try Self.syntheticByteLevelTokenizer()
        let schema = try JSONSchema(json: Self.schemas[0])
        let free = try JSONConstraint(schema: schema, tokenizer: tokenizer)
        let budgeted = try JSONConstraint(schema: schema, tokenizer: tokenizer, tokenBudget: 120)
        var random = SplitMix(seed: 3)
        var differed = false
        while !budgeted.isComplete {
            let mask = budgeted.allowedTokens()
            let unlimited = free.allowedTokens()
            let slack = budgeted.remainingTokens! - 1
            if slack >= (try budgeted.shortestCompletion) + 40 {
                XCTAssertEqual(mask, unlimited, "far from the end: \(String(decoding: budgeted.text, as: UTF8.self))")
            }
            XCTAssertTrue(mask.tokens.allSatisfy(unlimited.contains), "the budget only removes tokens")
            if mask != unlimited { differed = true }
            let allowed = mask.tokens.filter { !tokenizer.isEndOfGeneration($0) }
            guard !allowed.isEmpty else { break }
            let token = allowed.max { Self.appetite(tokenizer.piece($0)) < Self.appetite(tokenizer.piece($1)) }!
            _ = random.next()
            try budgeted.accept(token)
            try free.accept(token)
        }
        XCTAssertTrue(differed, "the budget never changed a mask")
        XCTAssertTrue(budgeted.canEnd)
        XCTAssertEqual(budgeted.remainingTokens, 0, "the adversary spends the whole budget")
        XCTAssertTrue(budgeted.isComplete)
        XCTAssertEqual(budgeted.allowedTokens().tokens.filter { !tokenizer.isEndOfGeneration($0) }, [])
        XCTAssertThrowsError(try budgeted.accept(tokenizer.encode("1", addSpecial: false, parseSpecial: false)[0]))

        // An integer with one token: only tokens that are whole integers, then nothing but the end.
        let integer = try JSONConstraint(schema: JSONSchema(json: #"{"type": "integer"}"#), tokenizer: tokenizer, tokenBudget: 1)
        let allowed = integer.allowedTokens().tokens.map { String(decoding: tokenizer.piece($0), as: UTF8.self) }
        XCTAssertTrue(allowed.contains("12"))
        XCTAssertTrue(allowed.contains("-4"))
        XCTAssertFalse(allowed.contains("1e"))
        XCTAssertFalse(allowed.contains("-"))
        let twelve = (0..<Int32(tokenizer.vocabularySize)).first { tokenizer.piece($0) == Array("12".utf8) }!
        try integer.accept(twelve)
        XCTAssertTrue(integer.isComplete)
        XCTAssertEqual(integer.value, 12)
    }

    /// Whitespace runs: nothing, one space, or a newline and at most `maximumWhitespaceRun − 1`
    /// spaces and tabs (llama.cpp's `space` rule, 21 bytes by default), wherever JSON allows it.
    func testWhitespaceRunsFollowLlamaCppShape() throws {
        XCTAssertEqual(JSONGenerationOptions().maximumWhitespaceRun, 21)
        func accepts(_ text: String, _ options: JSONGenerationOptions = JSONGenerationOptions(),
                     schema: String = #"{"type": "object", "properties": {"a": {"type": "array"}}}"#) throws -> Bool {
            var matcher = try JSONByteMatcher(schema: JSONSchema(json: schema), options: options)
            return matcher.advance(Array(text.utf8))
        }
        let indent20 = "\n" + String(repeating: " ", count: 10) + String(repeating: "\t", count: 10)
        for gap in ["", " ", "\n", "\n  ", "\n\t", indent20] {
            XCTAssertTrue(try accepts(gap + "{" + gap + "\"a\"" + gap + ":" + gap + "[" + gap + "1" + gap + "," + gap + "2" + gap + "]" + gap + "}"),
                          gap.debugDescription)
        }
        for gap in ["  ", " \n", "\n\n", "\r", "\r\n", "\t", indent20 + " ", "\n \n"] {
            XCTAssertFalse(try accepts("{" + gap), gap.debugDescription)
            XCTAssertFalse(try accepts(#"{"a": [1"# + gap), gap.debugDescription)
            XCTAssertFalse(try accepts(#"{"a""# + gap + ":"), gap.debugDescription)
        }
        // After a value nothing may follow, as before.
        XCTAssertFalse(try accepts("{} "))
        XCTAssertFalse(try accepts("{ }", JSONGenerationOptions(maximumWhitespaceRun: 0)))
        XCTAssertTrue(try accepts("{\n}", JSONGenerationOptions(maximumWhitespaceRun: 1)))
        XCTAssertFalse(try accepts("{\n }", JSONGenerationOptions(maximumWhitespaceRun: 1)))
        XCTAssertTrue(try accepts("{\n   }", JSONGenerationOptions(maximumWhitespaceRun: 4)))
        XCTAssertFalse(try accepts("{\n    }", JSONGenerationOptions(maximumWhitespaceRun: 4)))
        XCTAssertEqual(JSONGenerationOptions(maximumWhitespaceRun: 1000).maximumWhitespaceRun, 254)
    }

    // MARK: A vocabulary of Qwen's size

    /// A byte-level vocabulary of 151,936 tokens shaped like Qwen2's: words with and without a
    /// leading space, single digits, code punctuation, whitespace runs, CJK characters and pieces
    /// of them. Only for timing (no real model files are needed).
    static func qwenSizedTokenizer() throws -> Tokenizer {
        var random = SplitMix(seed: 151_936)
        var pieces: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        // Single bytes are all there already.
        func add(_ piece: [UInt8]) { if piece.count > 1 && seen.insert(piece).inserted { pieces.append(piece) } }
        for count in 2...64 { add(Array(String(repeating: " ", count: count).utf8)) }
        for count in 1...16 { add(Array(("\n" + String(repeating: " ", count: count)).utf8)); add([0x0A] + [UInt8](repeating: 0x09, count: count)) }
        add(Array("\n\n".utf8))
        let punctuation = Array("{}[]():;,.\"'`=+-*/<>!?&|#@$%^~\\_".utf8)
        while pieces.count < 6_000 {
            var piece: [UInt8] = random.next() % 3 == 0 ? [0x20] : []
            for _ in 0..<(1 + Int(random.next() % 4)) { piece.append(punctuation[Int(random.next() % UInt64(punctuation.count))]) }
            add(piece)
        }
        for scalar in 0x4E00..<0x4E00 + 24_000 { add(Array(String(Unicode.Scalar(UInt32(scalar))!).utf8)) }
        for lead in 0xE4...0xE9 { for second in 0x80...0xBF { add([UInt8(lead), UInt8(second)]) } }
        let letters = Array("etaoinshrdlcumwfgypbvkjxqz".utf8)
        let total = 151_936 - 256 - 3
        while pieces.count < total {
            var piece: [UInt8] = random.next() % 2 == 0 ? [0x20] : []
            let length = 1 + Int(random.next() % 5) + Int(random.next() % 6)
            for index in 0..<length {
                // Skewed towards frequent letters, some capitalised.
                let letter = letters[Int(random.next() % UInt64(letters.count)) % (1 + Int(random.next() % 26))]
                piece.append(index == 0 && random.next() % 4 == 0 ? letter - 32 : letter)
            }
            add(piece)
        }
        let tokenizer = try byteLevelTokenizer(pieces: pieces)
        precondition(tokenizer.vocabularySize == 151_936)
        return tokenizer
    }

    /// Prints what a mask costs with and without a budget on a vocabulary of Qwen's size (timing
    /// is printed, never asserted; run it in release: `swift test -c release -Xswiftc
    /// -enable-testing --filter BudgetTests/testMaskCostOnQwenSizedVocabulary`).
    func testMaskCostOnQwenSizedVocabulary() throws {
        let tokenizer = try Self.qwenSizedTokenizer()
        let buildStart = Date()
        _ = TokenIndex.shared(for: tokenizer)
        print("Qwen-sized vocabulary: \(tokenizer.vocabularySize) tokens, index built in \(String(format: "%.0f", MaskTests.milliseconds(since: buildStart))) ms")
        let schema = try JSONSchema(json: AutomatonTests.productSchema)
        let prefixes = ["", #"{"name": ""#, #"{"name": "Ap"#, #"{"name": "Apple", "kind": "#, #"{"name": "A", "kind": "fruit", "count": 1"#,
                        #"{"name": "A", "kind": "fruit", "count": 1, "organic": true, "tags": ["#,
                        #"{"name": "A", "kind": "fruit", "count": 1, "organic": true, "tags": ["x"]"#]
        for (schemaName, schema) in [("product", schema), ("any JSON", JSONSchema.anyJSON)] {
            for prefix in prefixes {
                let tokens = tokenizer.encode(prefix, addSpecial: false, parseSpecial: false)
                var line = "  \(schemaName) after \(prefix.debugDescription):"
                var reference: TokenMask?
                // No budget; a budget far away; a budget that leaves 3 tokens beyond the shortest completion.
                for mode in ["none", "far", "tight"] {
                    var budget: Int? = mode == "far" ? 100_000 : nil
                    if mode == "tight" {
                        let probe = try JSONConstraint(schema: schema, tokenizer: tokenizer)
                        for token in tokens { try probe.accept(token) }
                        budget = tokens.count + (try probe.shortestCompletion) + 3
                    }
                    let constraint = try JSONConstraint(schema: schema, tokenizer: tokenizer, tokenBudget: budget)
                    for token in tokens { try constraint.accept(token) }
                    var mask = TokenMask(vocabularySize: tokenizer.vocabularySize)
                    var times: [Double] = []
                    for _ in 0..<7 {
                        let start = Date()
                        constraint.allowedTokens(into: &mask)
                        times.append(MaskTests.milliseconds(since: start))
                    }
                    if mode == "none" { reference = mask }
                    if mode == "far" { XCTAssertEqual(mask, reference) }
                    var costTimes: [Double] = []
                    for _ in 0..<7 {
                        let start = Date()
                        for _ in 0..<100 { _ = try constraint.shortestCompletion }
                        costTimes.append(MaskTests.milliseconds(since: start) * 10)  // µs per call
                    }
                    line += " \(mode) \(mask.count) allowed \(String(format: "%.3f", times.sorted()[3])) ms"
                    if mode == "none" { line += " (cost of a state \(String(format: "%.2f", costTimes.sorted()[3])) µs);" } else { line += ";" }
                }
                print(line)
            }
        }
    }
}
