import XCTest
@testable import Tokenizers

/// Token ids, pieces and vocabulary facts identical to llama.cpp's (llama-cpp-python 0.3.36) on the
/// committed corpus, for the three catalog models.
final class LlamaCppParityTests: XCTestCase {
    func testCorpusCoversWhatTheBriefAsks() {
        let corpus = Fixtures.corpus.strings
        XCTAssertGreaterThanOrEqual(corpus.count, 200)
        XCTAssertTrue(corpus.contains { $0.bytes.isEmpty }, "the empty string")
        XCTAssertTrue(corpus.contains { String(validatingUTF8: $0.bytes.map { CChar(bitPattern: $0) } + [0]) == nil },
                      "invalid UTF-8")
        for prefix in ["prose_", "code_", "lang_zh", "lang_ja", "lang_ko", "lang_ar", "lang_hi", "lang_ru", "lang_el",
                       "emoji_", "ws_", "digits_", "contraction_", "punct_", "special_", "invalid_", "long_"] {
            XCTAssertTrue(corpus.contains { $0.name.hasPrefix(prefix) }, prefix)
        }
    }

    func testSmolLM2() throws { try checkModel("smollm2-135m-instruct") }
    func testGemma3() throws { try checkModel("gemma3-270m") }
    func testQwen25Coder() throws { try checkModel("qwen2.5-coder-0.5b-instruct") }

    // Catalog vocabularies with other pre-tokenizers and flags (see VARIANTS in the fixture script).
    func testQwenVocabularyWithLlama3PreTokenizer() throws { try checkVariant("qwen-vocab-llama3") }
    func testQwenVocabularyWithDefaultPreTokenizer() throws { try checkVariant("qwen-vocab-default") }
    func testQwenVocabularyWithGPT2PreTokenizer() throws { try checkVariant("qwen-vocab-gpt2") }
    func testSmolLMVocabularyWithQwen2PreTokenizer() throws { try checkVariant("smollm-vocab-qwen2") }
    func testSmolLMVocabularyWithLlama3PreTokenizer() throws { try checkVariant("smollm-vocab-llama3") }
    func testGemmaVocabularyWithSpacePrefix() throws { try checkVariant("gemma-vocab-space-prefix") }

    private func checkVariant(_ name: String) throws {
        let expected = try Fixtures.expected("variant_\(name)")
        let tokenizer = try ModelTokenizers.variant(expected)
        XCTAssertEqual(tokenizer.addsBOS, expected.add_bos)
        XCTAssertEqual(tokenizer.addsEOS, expected.add_eos)
        XCTAssertEqual(tokenizer.endOfGenerationTokens.sorted(), expected.eog)
        try checkCases(name, tokenizer: tokenizer, expected: expected)
    }

    private func checkModel(_ name: String) throws {
        let tokenizer = try ModelTokenizers.tokenizer(name)
        let expected = try Fixtures.expected(name)
        try checkCases(name, tokenizer: tokenizer, expected: expected)
    }

    func testLongRepetitiveInputsSmolLM2() throws { try checkHostile("smollm2-135m-instruct") }
    func testLongRepetitiveInputsGemma3() throws { try checkHostile("gemma3-270m") }
    func testLongRepetitiveInputsQwen25Coder() throws { try checkHostile("qwen2.5-coder-0.5b-instruct") }

    private func checkHostile(_ name: String) throws {
        let tokenizer = try ModelTokenizers.tokenizer(name)
        let expected = try Fixtures.expected(name)
        let cases = try XCTUnwrap(expected.hostile)
        XCTAssertFalse(cases.isEmpty)
        for want in cases {
            let input = Array([[UInt8]](repeating: Hex.decode(want.pattern), count: want.`repeat`).joined())
            let ids = tokenizer.encode(bytes: input, addSpecial: true, parseSpecial: true)
            var digest = FNV1a64()
            for id in ids { withUnsafeBytes(of: id.littleEndian) { digest.update($0) } }
            XCTAssertEqual(ids.count, want.count, "\(name) \(want.name)")
            XCTAssertEqual(Array(ids.prefix(16)), want.head, "\(name) \(want.name)")
            XCTAssertEqual(digest.hex, want.fnv1a64, "\(name) \(want.name)")
        }
    }

    private func checkCases(_ name: String, tokenizer: Tokenizer, expected: ExpectedModel) throws {
        let corpus = Fixtures.corpus.strings
        XCTAssertEqual(corpus.count, expected.cases.count)

        var mismatches = 0
        for (entry, want) in zip(corpus, expected.cases) {
            XCTAssertEqual(entry.name, want.name)
            let bytes = entry.bytes
            let plain = tokenizer.encode(bytes: bytes, addSpecial: false, parseSpecial: false)
            let special = tokenizer.encode(bytes: bytes, addSpecial: false, parseSpecial: true)
            let withSpecial = tokenizer.encode(bytes: bytes, addSpecial: true, parseSpecial: true)
            for (label, got, wanted) in [("special=false", plain, want.plain), ("special=true", special, want.special),
                                         ("add_special", withSpecial, want.add_special)] where got != wanted {
                mismatches += 1
                XCTFail("\(name) \(entry.name) \(label): got \(got.prefix(40)) want \(wanted.prefix(40))")
            }

            // Detokenization of llama.cpp's own ids.
            let decodedPlain = tokenizer.decodeBytes(want.plain, removeSpecial: false, renderSpecial: false)
            XCTAssertEqual(Hex.encode(decodedPlain), want.decode_plain, "\(name) \(entry.name) decode plain")
            let decodedSpecial = tokenizer.decodeBytes(want.special, removeSpecial: false, renderSpecial: true)
            XCTAssertEqual(Hex.encode(decodedSpecial), want.decode_special, "\(name) \(entry.name) decode special")
            let decodedRemoved = tokenizer.decodeBytes(want.add_special, removeSpecial: true, renderSpecial: false)
            XCTAssertEqual(Hex.encode(decodedRemoved), want.decode_add_special_removed, "\(name) \(entry.name) decode removing BOS")
            if mismatches > 20 { return XCTFail("too many mismatches, stopping") }
        }
    }

    func testVocabularyFactsSmolLM2() throws { try checkVocabulary("smollm2-135m-instruct") }
    func testVocabularyFactsGemma3() throws { try checkVocabulary("gemma3-270m") }
    func testVocabularyFactsQwen25Coder() throws { try checkVocabulary("qwen2.5-coder-0.5b-instruct") }

    private func checkVocabulary(_ name: String) throws {
        let tokenizer = try ModelTokenizers.tokenizer(name)
        let expected = try Fixtures.expected(name)
        XCTAssertEqual(tokenizer.vocabularySize, expected.vocab_size)
        XCTAssertEqual(tokenizer.bosToken, expected.bos)
        XCTAssertEqual(tokenizer.eosToken, expected.eos)
        XCTAssertEqual(tokenizer.addsBOS, expected.add_bos)
        XCTAssertEqual(tokenizer.addsEOS, expected.add_eos)
        XCTAssertEqual(tokenizer.endOfGenerationTokens.sorted(), expected.eog)
        for token in expected.eog { XCTAssertTrue(tokenizer.isEndOfGeneration(token)) }

        // Every token's attributes.
        var attributeRuns: [[Int]] = []
        for token in 0..<Int32(tokenizer.vocabularySize) {
            let value = Int(tokenizer.attributes(token).rawValue)
            if let last = attributeRuns.last, last[2] == value, last[0] + last[1] == Int(token) {
                attributeRuns[attributeRuns.count - 1][1] += 1
            } else {
                attributeRuns.append([Int(token), 1, value])
            }
        }
        XCTAssertEqual(attributeRuns, expected.attr_runs)

        // Every token's piece, through a digest, and a sample byte for byte.
        var digestSpecial = FNV1a64()
        var digestPlain = FNV1a64()
        for token in 0..<Int32(tokenizer.vocabularySize) {
            let special = tokenizer.piece(token, renderSpecial: true)
            let plain = tokenizer.piece(token, renderSpecial: false)
            withUnsafeBytes(of: UInt32(special.count).littleEndian) { digestSpecial.update($0) }
            digestSpecial.update(special)
            withUnsafeBytes(of: UInt32(plain.count).littleEndian) { digestPlain.update($0) }
            digestPlain.update(plain)
        }
        for (key, hex) in expected.pieces_sample ?? [:] {
            let token = Int32(key)!
            XCTAssertEqual(Hex.encode(tokenizer.piece(token)), hex, "\(name) piece of \(token)")
        }
        XCTAssertEqual(digestSpecial.hex, expected.pieces_fnv1a64_special, "\(name) pieces (special rendered)")
        XCTAssertEqual(digestPlain.hex, expected.pieces_fnv1a64_plain, "\(name) pieces (special hidden)")
    }

    /// llama.cpp sorts special tokens by length with an unstable sort; the partition only depends on
    /// the order among equal lengths if two such tokens can overlap in a text. None can, here.
    func testNoEqualLengthSpecialTokensCanOverlap() throws {
        for name in ModelTokenizers.catalogNames {
            let tokenizer = try ModelTokenizers.tokenizer(name)
            let vocabulary = tokenizer.vocabulary
            var byLength: [Int: [[UInt8]]] = [:]
            for id in vocabulary.specialTokensLongestFirst {
                let text = vocabulary.text(id)
                byLength[text.count, default: []].append(text)
            }
            for (length, texts) in byLength where length > 1 && texts.count > 1 {
                var prefixes = Set<[UInt8]>()
                for text in texts { for k in 1..<length { prefixes.insert(Array(text[..<k])) } }
                for text in texts {
                    for k in 1..<length where prefixes.contains(Array(text[(length - k)...])) {
                        // The suffix of one is the prefix of some token of the same length: only a
                        // problem if that token is a different one.
                        let suffix = Array(text[(length - k)...])
                        let others = texts.filter { $0 != text && Array($0[..<k]) == suffix }
                        XCTAssertTrue(others.isEmpty, "\(name): \(String(decoding: text, as: UTF8.self)) overlaps another special token")
                    }
                }
            }
        }
    }
}
