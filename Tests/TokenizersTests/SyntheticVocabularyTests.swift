import GGUF
import XCTest
@testable import Tokenizers

/// Behaviour on small hand-made vocabularies: no model file needed.
final class SyntheticVocabularyTests: XCTestCase {
    // MARK: errors

    func testMissingAndMalformedKeysAreNamed() {
        func error(_ metadata: GGUFMetadata) -> TokenizerError? {
            do { _ = try Tokenizer(metadata: metadata); return nil } catch { return error as? TokenizerError }
        }
        XCTAssertEqual(error(GGUFMetadata([])), .missingKey("tokenizer.ggml.model"))
        XCTAssertEqual(error(SyntheticVocabulary.metadata(model: "bert", tokens: ["a"])), .unsupportedModel("bert"))
        XCTAssertEqual(error(SyntheticVocabulary.metadata(model: "gpt2", pre: "deepseek-llm", tokens: ["a"], merges: [])),
                       .unsupportedPreTokenizer("deepseek-llm"))
        XCTAssertEqual(error(SyntheticVocabulary.metadata(model: "gpt2", pre: "qwen2", tokens: ["a"])),
                       .missingKey("tokenizer.ggml.merges"))
        XCTAssertEqual(error(GGUFMetadata([("tokenizer.ggml.model", .string("llama"))])), .missingKey("tokenizer.ggml.tokens"))
        XCTAssertEqual(error(SyntheticVocabulary.metadata(model: "llama", tokens: [])), .invalidVocabularySize(0))
        XCTAssertEqual(error(GGUFMetadata([("tokenizer.ggml.model", .string("llama")),
                                           ("tokenizer.ggml.tokens", .array(.int32([1, 2])))])),
                       .wrongType(key: "tokenizer.ggml.tokens", expected: "array of strings"))
        XCTAssertEqual(error(SyntheticVocabulary.metadata(model: "llama", tokens: ["a", "b", "c"], scores: [0, 0])),
                       .inconsistentCount(key: "tokenizer.ggml.scores", count: 2, vocabularySize: 3))
        XCTAssertEqual(error(SyntheticVocabulary.metadata(model: "llama", tokens: ["a", "b"], types: [1])),
                       .inconsistentCount(key: "tokenizer.ggml.token_type", count: 1, vocabularySize: 2))
        XCTAssertEqual(error(SyntheticVocabulary.metadata(model: "llama", tokens: ["a", "b", "a"])),
                       .duplicateToken(text: "a", firstID: 0, secondID: 2))
        XCTAssertEqual(error(GGUFMetadata([("tokenizer.ggml.model", .string("llama")),
                                           ("tokenizer.ggml.tokens", .array(.string(["a"])))],
                                          keysWithInvalidUTF8: ["tokenizer.ggml.tokens"])),
                       .invalidUTF8(key: "tokenizer.ggml.tokens"))
        // A SentencePiece vocabulary adds BOS by default; with no token 1 there is no BOS to add.
        XCTAssertEqual(error(SyntheticVocabulary.metadata(model: "llama", tokens: ["a"])),
                       .inconsistent("tokenizer.ggml.add_bos_token is true but the vocabulary has no BOS token"))
        XCTAssertTrue(TokenizerError.missingKey("x").description.contains("x"))
    }

    // MARK: byte-level BPE

    /// GPT-2's alphabet plus a few merges, with the given pre-tokenizer.
    private func bytePairTokenizer(pre: String, merges: [String], extra: [(String, GGUFValue)] = []) throws -> Tokenizer {
        var tokens = SyntheticVocabulary.byteLevelAlphabet
        for merge in merges {
            let parts = merge.split(separator: " ")
            tokens.append(String(parts[0]) + String(parts[1]))
        }
        tokens += ["<|im_start|>", "<|im_end|>", "<tool>"]
        var types = [Int32](repeating: 1, count: tokens.count)
        types[tokens.count - 3] = 3
        types[tokens.count - 2] = 3
        types[tokens.count - 1] = 4
        return try Tokenizer(metadata: SyntheticVocabulary.metadata(
            model: "gpt2", pre: pre, tokens: tokens, types: types, merges: merges, extra: extra))
    }

    private func texts(_ tokenizer: Tokenizer, _ ids: [Int32]) -> [String] { ids.map(tokenizer.tokenText) }

    func testMergesFollowRankThenPosition() throws {
        // "ab" outranks "bc": "abc" → "ab" "c"; then "abab" → "ab" "ab" → "abab" (rank 2).
        let tokenizer = try bytePairTokenizer(pre: "gpt-2", merges: ["a b", "b c", "ab ab", "Ġ a"])
        XCTAssertEqual(texts(tokenizer, tokenizer.encode("abc", addSpecial: false, parseSpecial: false)), ["ab", "c"])
        XCTAssertEqual(texts(tokenizer, tokenizer.encode("abab", addSpecial: false, parseSpecial: false)), ["abab"])
        XCTAssertEqual(texts(tokenizer, tokenizer.encode("bcab", addSpecial: false, parseSpecial: false)), ["bc", "ab"])
        // The pre-tokenizer keeps a space with the word after it; "Ġ b" is no merge.
        XCTAssertEqual(texts(tokenizer, tokenizer.encode("a b", addSpecial: false, parseSpecial: false)), ["a", "Ġ", "b"])
        XCTAssertEqual(tokenizer.decode(tokenizer.encode(" a b", addSpecial: false, parseSpecial: false)), " a b")
    }

    func testSpecialAndUserDefinedTokens() throws {
        let tokenizer = try bytePairTokenizer(pre: "qwen2", merges: ["a b"])
        let count = Int32(tokenizer.vocabularySize)
        let (imStart, imEnd, tool) = (count - 3, count - 2, count - 1)
        XCTAssertEqual(tokenizer.encode("<|im_start|>ab<|im_end|>", addSpecial: false, parseSpecial: true), [imStart, 256, imEnd])
        XCTAssertFalse(tokenizer.encode("<|im_start|>", addSpecial: false, parseSpecial: false).contains(imStart))
        XCTAssertEqual(tokenizer.encode("<tool>", addSpecial: false, parseSpecial: false), [tool])
        XCTAssertTrue(tokenizer.isEndOfGeneration(imEnd))
        XCTAssertFalse(tokenizer.isEndOfGeneration(imStart))
        XCTAssertTrue(tokenizer.attributes(imEnd).contains(.control))
        XCTAssertEqual(tokenizer.piece(imStart), Array("<|im_start|>".utf8))
        XCTAssertEqual(tokenizer.piece(imStart, renderSpecial: false), [])
        XCTAssertEqual(tokenizer.piece(tool, renderSpecial: false), Array("<tool>".utf8))
    }

    func testPreTokenizerDefaultsFollowLlamaCpp() throws {
        // llama3 adds BOS unless the file says otherwise, takes whole words that are tokens, and cleans
        // up spaces when decoding.
        let llama3 = try bytePairTokenizer(pre: "llama3", merges: ["a b", "c d", "ab cd"],
                                           extra: [("tokenizer.ggml.bos_token_id", .uint32(3))])
        XCTAssertTrue(llama3.addsBOS)
        XCTAssertEqual(llama3.encode("x", addSpecial: true, parseSpecial: false).first, 3)
        XCTAssertEqual(llama3.decode(llama3.encode("Hi , you !", addSpecial: false, parseSpecial: false)), "Hi, you!")
        let qwen2 = try bytePairTokenizer(pre: "qwen2", merges: ["a b"])
        XCTAssertFalse(qwen2.addsBOS)
        XCTAssertEqual(qwen2.decode(qwen2.encode("Hi , you !", addSpecial: false, parseSpecial: false)), "Hi , you !")
        let explicit = try bytePairTokenizer(pre: "llama3", merges: ["a b"],
                                             extra: [("tokenizer.ggml.add_bos_token", .bool(false))])
        XCTAssertFalse(explicit.addsBOS)
        // An absent pre-tokenizer means "default", as in llama.cpp.
        XCTAssertEqual(try bytePairTokenizer(pre: "", merges: ["a b"]).preTokenizerName, "default")
    }

    func testCleanUpTokenizationSpaces() {
        func clean(_ text: String) -> String {
            var bytes = Array(text.utf8)
            Tokenizer.cleanUpTokenizationSpaces(&bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        XCTAssertEqual(clean("a , b . c ? d !"), "a, b. c? d!")
        XCTAssertEqual(clean("rock ' n ' roll"), "rock'n'roll")
        XCTAssertEqual(clean("it 's I 'm we 're you 've"), "it's I'm we're you've")
        XCTAssertEqual(clean("don 't I 'd we 'll"), "don 't I 'd we 'll")
        XCTAssertEqual(clean(""), "")
        XCTAssertEqual(clean(" ,"), ",")
    }

    // MARK: SentencePiece

    private func sentencePieceTokenizer(addSpacePrefix: Bool) throws -> Tokenizer {
        var tokens = ["<unk>", "<s>", "</s>"]
        var types: [Int32] = [2, 3, 3]
        var scores: [Float] = [0, 0, 0]
        for byte in 0..<256 {
            tokens.append(String(format: "<0x%02X>", byte))
            types.append(6)
            scores.append(0)
        }
        for (text, score) in [("▁", -1.0), ("h", -2), ("e", -2), ("l", -2), ("o", -2), ("he", -3), ("ll", -3),
                              ("hell", -4), ("hello", -5), ("▁hello", -6), ("▁h", -7), ("中", -2)] as [(String, Float)] {
            tokens.append(text)
            types.append(1)
            scores.append(score)
        }
        return try Tokenizer(metadata: SyntheticVocabulary.metadata(
            model: "llama", tokens: tokens, types: types, scores: scores,
            extra: [("tokenizer.ggml.add_space_prefix", .bool(addSpacePrefix))]))
    }

    func testSentencePieceMergesByScoreWithByteFallback() throws {
        let tokenizer = try sentencePieceTokenizer(addSpacePrefix: true)
        let hello = try XCTUnwrap(tokenizer.vocabulary.id(of: "▁hello"))
        XCTAssertEqual(tokenizer.encode("hello", addSpecial: true, parseSpecial: false), [1, hello])
        // "x" is not in the vocabulary: its byte token.
        let x = try XCTUnwrap(tokenizer.vocabulary.id(of: "<0x78>"))
        XCTAssertEqual(tokenizer.encode("hellox", addSpecial: false, parseSpecial: false), [hello, x])
        // A malformed byte falls back to its byte token.
        let ff = try XCTUnwrap(tokenizer.vocabulary.id(of: "<0xFF>"))
        XCTAssertEqual(tokenizer.encode(bytes: [0xFF], addSpecial: false, parseSpecial: false).last, ff)
        // Decoding drops the prefixed space from the first piece, not from later ones.
        XCTAssertEqual(tokenizer.decode([hello, hello]), "hello hello")
        XCTAssertEqual(tokenizer.piece(x), [0x78])
        XCTAssertEqual(tokenizer.piece(hello), Array(" hello".utf8))
        XCTAssertEqual(tokenizer.tokenText(hello), "▁hello")
        // A special token in the text: the text after it gets the space prefix again.
        XCTAssertEqual(tokenizer.encode("</s>hello", addSpecial: false, parseSpecial: true), [2, hello])

        let noPrefix = try sentencePieceTokenizer(addSpacePrefix: false)
        let plainHello = try XCTUnwrap(noPrefix.vocabulary.id(of: "hello"))
        XCTAssertEqual(noPrefix.encode("hello", addSpecial: false, parseSpecial: false), [plainHello])
    }

    func testEndOfGenerationHeuristics() throws {
        // o200k_harmony: with <|return|> and <|call|> present, <|end|> ends a message, not generation.
        let tokens = ["a", "b", "<|end|>", "<|return|>", "<|call|>", "<|im_end|>", "<|fim_pad|>", "normal"]
        let tokenizer = try Tokenizer(metadata: SyntheticVocabulary.metadata(
            model: "gpt2", pre: "gpt-2", tokens: tokens, types: [1, 1, 3, 3, 3, 1, 3, 1], merges: []))
        XCTAssertEqual(tokenizer.endOfGenerationTokens, [3, 4, 5, 6])
        XCTAssertEqual(tokenizer.attributes(2), .userDefined)
        // "<|im_end|>" was a normal token: llama.cpp makes it a control token.
        XCTAssertTrue(tokenizer.attributes(5).contains(.control))
        XCTAssertEqual(tokenizer.attributes(7), .normal)
    }
}
