import Foundation
import XCTest
@testable import Tokenizers

/// Round trips and the streaming decoder, on the catalog models.
final class DecodingTests: XCTestCase {
    /// Valid UTF-8 comes back unchanged from decode(encode(text)) without special parsing: none of the
    /// three models cleans up spaces or adds a space prefix.
    func testRoundTripOfValidText() throws {
        for name in ModelTokenizers.catalogNames {
            let tokenizer = try ModelTokenizers.tokenizer(name)
            for entry in Fixtures.corpus.strings {
                let bytes = entry.bytes
                guard let text = String(validating: bytes, as: UTF8.self) else { continue }
                let ids = tokenizer.encode(text, addSpecial: false, parseSpecial: false)
                XCTAssertEqual(tokenizer.decode(ids), text, "\(name) \(entry.name)")
            }
        }
    }

    /// SentencePiece keeps malformed bytes as byte tokens, so even invalid UTF-8 round-trips byte for
    /// byte; byte-level BPE replaces each malformed byte with U+FFFD, as llama.cpp does.
    func testRoundTripOfInvalidBytes() throws {
        let gemma = try ModelTokenizers.tokenizer("gemma3-270m")
        let qwen = try ModelTokenizers.tokenizer("qwen2.5-coder-0.5b-instruct")
        for bytes: [UInt8] in [[0xFF], [0x61, 0x80, 0x62], [0xE4, 0xB8], [0xF0, 0x9F, 0x98], [0xC0, 0x80]] {
            XCTAssertEqual(gemma.decodeBytes(gemma.encode(bytes: bytes, addSpecial: false, parseSpecial: false)), bytes)
        }
        XCTAssertEqual(qwen.decode(qwen.encode(bytes: [0x61, 0xFF, 0x62], addSpecial: false, parseSpecial: false)), "a\u{FFFD}b")
        // Above U+10FFFF llama.cpp aborts; here each byte is malformed.
        XCTAssertEqual(qwen.decode(qwen.encode(bytes: [0xF4, 0x90, 0x80, 0x80], addSpecial: false, parseSpecial: false)),
                       String(repeating: "\u{FFFD}", count: 4))
    }

    func testSpecialTokensAreParsedOnlyWhenAsked() throws {
        let qwen = try ModelTokenizers.tokenizer("qwen2.5-coder-0.5b-instruct")
        let imStart = try XCTUnwrap(qwen.vocabulary.id(of: "<|im_start|>"))
        XCTAssertEqual(qwen.encode("<|im_start|>", addSpecial: false, parseSpecial: true), [imStart])
        XCTAssertFalse(qwen.encode("<|im_start|>", addSpecial: false, parseSpecial: false).contains(imStart))
        // User-defined tokens are recognised either way.
        let toolCall = try XCTUnwrap(qwen.vocabulary.id(of: "<tool_call>"))
        XCTAssertEqual(qwen.encode("<tool_call>", addSpecial: false, parseSpecial: false), [toolCall])

        let gemma = try ModelTokenizers.tokenizer("gemma3-270m")
        XCTAssertEqual(gemma.encode("", addSpecial: true, parseSpecial: true), [2])
        XCTAssertEqual(gemma.encode("", addSpecial: false, parseSpecial: true), [])
        XCTAssertEqual(gemma.encode("<start_of_turn>", addSpecial: true, parseSpecial: true), [2, 105])
    }

    /// One tokenizer, many threads: encode keeps its working memory per call.
    func testConcurrentEncodingGivesTheSameIDs() throws {
        let tokenizer = try ModelTokenizers.tokenizer("gemma3-270m")
        let inputs = Fixtures.corpus.strings.map(\.bytes)
        let sequential = inputs.map { tokenizer.encode(bytes: $0, addSpecial: true, parseSpecial: true) }
        let lock = NSLock()
        var differing = 0
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for (index, input) in inputs.enumerated() where index % 4 == worker || index % 3 == 0 {
                let ids = tokenizer.encode(bytes: input, addSpecial: true, parseSpecial: true)
                if ids != sequential[index] { lock.lock(); differing += 1; lock.unlock() }
            }
        }
        XCTAssertEqual(differing, 0)
    }

    func testEndOfGeneration() throws {
        let smol = try ModelTokenizers.tokenizer("smollm2-135m-instruct")
        XCTAssertTrue(smol.isEndOfGeneration(try XCTUnwrap(smol.vocabulary.id(of: "<|im_end|>"))))
        XCTAssertTrue(smol.isEndOfGeneration(try XCTUnwrap(smol.vocabulary.id(of: "<|endoftext|>"))))
        XCTAssertFalse(smol.isEndOfGeneration(try XCTUnwrap(smol.vocabulary.id(of: "<|im_start|>"))))
        let gemma = try ModelTokenizers.tokenizer("gemma3-270m")
        XCTAssertTrue(gemma.isEndOfGeneration(106))  // <end_of_turn>
        XCTAssertTrue(gemma.isEndOfGeneration(1))    // <eos>
        XCTAssertFalse(gemma.isEndOfGeneration(-1))
        XCTAssertFalse(gemma.isEndOfGeneration(Int32(gemma.vocabularySize)))
    }

    func testOutOfRangeIDsDecodeToNothing() throws {
        let qwen = try ModelTokenizers.tokenizer("qwen2.5-coder-0.5b-instruct")
        XCTAssertEqual(qwen.piece(-1), [])
        XCTAssertEqual(qwen.piece(Int32.max), [])
        XCTAssertEqual(qwen.tokenText(Int32(qwen.vocabularySize)), "")
        XCTAssertEqual(qwen.decode([-5, 9707, 1 << 30]), "Hello")
    }

    /// Token by token, the streaming decoder emits exactly the full decode, and every chunk it
    /// emits is whole characters (no U+FFFD appears that the full decode does not have).
    func testStreamingDecoderMatchesFullDecode() throws {
        for name in ModelTokenizers.catalogNames {
            let tokenizer = try ModelTokenizers.tokenizer(name)
            for entry in Fixtures.corpus.strings {
                let ids = tokenizer.encode(bytes: entry.bytes, addSpecial: false, parseSpecial: true)
                var decoder = StreamingDecoder(tokenizer: tokenizer)
                var streamed = ""
                for id in ids { streamed += decoder.append(id) }
                streamed += decoder.finish()
                let full = String(decoding: ids.flatMap { tokenizer.piece($0) }, as: UTF8.self)
                XCTAssertEqual(streamed, full, "\(name) \(entry.name)")
            }
        }
    }

    /// Characters split across tokens are held back until complete.
    func testStreamingDecoderHoldsSplitCharacters() throws {
        let gemma = try ModelTokenizers.tokenizer("gemma3-270m")
        // Gemma's byte tokens are <0x00>…<0xFF> from id 238: "中" is E4 B8 AD.
        let byteToken = { (byte: UInt8) -> Int32 in 238 + Int32(byte) }
        var decoder = StreamingDecoder(tokenizer: gemma)
        XCTAssertEqual(decoder.append(byteToken(0xE4)), "")
        XCTAssertEqual(decoder.append(byteToken(0xB8)), "")
        XCTAssertEqual(decoder.append(byteToken(0xAD)), "中")
        XCTAssertEqual(decoder.finish(), "")

        // An unfinished character at the end becomes U+FFFD on finish.
        XCTAssertEqual(decoder.append(byteToken(0xF0)), "")
        XCTAssertEqual(decoder.append(byteToken(0x9F)), "")
        XCTAssertEqual(decoder.finish(), "\u{FFFD}")

        // A byte that can never start a character is not held.
        XCTAssertEqual(decoder.append(byteToken(0xFF)), "\u{FFFD}")

        // Byte-level BPE: an emoji family is several tokens, some of them partial characters.
        let qwen = try ModelTokenizers.tokenizer("qwen2.5-coder-0.5b-instruct")
        let family = "👨‍👩‍👧‍👦 中文"
        var streaming = StreamingDecoder(tokenizer: qwen)
        var chunks: [String] = []
        for id in qwen.encode(family, addSpecial: false, parseSpecial: false) { chunks.append(streaming.append(id)) }
        XCTAssertTrue(chunks.contains(""), "some tokens end inside a character")
        XCTAssertFalse(chunks.joined().contains("\u{FFFD}"))
        XCTAssertEqual(chunks.joined() + streaming.finish(), family)
    }

    func testIncompleteSuffixLength() {
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([]), 0)
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0x61]), 0)
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0x61, 0xE4]), 1)
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0xE4, 0xB8]), 2)
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0xE4, 0xB8, 0xAD]), 0)
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0xF0, 0x9F, 0x98]), 3)
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0xE0, 0x80]), 0, "overlong: never valid")
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0xED, 0xA0]), 0, "surrogate: never valid")
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0xC0]), 0)
        XCTAssertEqual(StreamingDecoder.incompleteSuffixLength([0x80, 0x80, 0x80]), 0)
    }

    /// Inputs llama.cpp copes with must not hang here either: no quadratic merge loop, no search per
    /// special token over the whole input. This is a correctness test, sized 1 MiB in release builds
    /// (`swift test -c release`) and 64 KiB in debug builds; timings are in the benchmark notes.
    func testHostileInputsFinish() throws {
        #if DEBUG
        let size = 1 << 16
        #else
        let size = 1 << 20
        #endif
        let cases: [(String, [UInt8])] = [
            ("one letter repeated", [UInt8](repeating: 0x61, count: size)),
            ("100k spaces", [UInt8](repeating: 0x20, count: 100_000)),
            ("newlines", [UInt8](repeating: 0x0A, count: size)),
            ("'<' repeated", [UInt8](repeating: 0x3C, count: size)),
            ("0xFF repeated", [UInt8](repeating: 0xFF, count: size)),
            ("special texts repeated", Array(String(repeating: "<|im_start|><start_of_turn><unused7>\n\n", count: size / 38).utf8)),
            ("digits", Array(String(repeating: "1234567890", count: size / 10).utf8)),
        ]
        for name in ModelTokenizers.catalogNames {
            let tokenizer = try ModelTokenizers.tokenizer(name)
            for (label, bytes) in cases {
                let ids = tokenizer.encode(bytes: bytes, addSpecial: true, parseSpecial: true)
                XCTAssertFalse(ids.isEmpty, "\(name) \(label)")
                XCTAssertLessThanOrEqual(ids.count, bytes.count + 2, "\(name) \(label)")
                if String(validating: bytes, as: UTF8.self) != nil {
                    let decoded = tokenizer.decodeBytes(ids, removeSpecial: true, renderSpecial: true)
                    XCTAssertEqual(decoded, bytes, "\(name) \(label)")
                }
            }
        }
    }
}
