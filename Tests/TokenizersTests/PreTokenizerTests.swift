import XCTest
@testable import Tokenizers

/// The pre-tokenizer rules and the Unicode facts under them, case by case.
final class PreTokenizerTests: XCTestCase {
    private func split(_ text: String, _ rules: [PreTokenizerRule]) -> [String] {
        var codepoints: [UInt32] = []
        Array(text.utf8).withUnsafeBufferPointer { LenientUTF8.decode($0, into: &codepoints) }
        let flags = codepoints.map(UnicodeCategoryTable.flags)
        var lengths: [Int] = []
        var scratch: [Int] = []
        PreTokenizer(rules: rules).split(codepoints: codepoints, flags: flags, into: &lengths, scratch: &scratch)
        XCTAssertEqual(lengths.reduce(0, +), codepoints.count)
        var words: [String] = []
        var start = 0
        for length in lengths {
            words.append(String(String.UnicodeScalarView(codepoints[start..<start + length].map { Unicode.Scalar($0)! })))
            start += length
        }
        return words
    }

    func testGPT2() {
        XCTAssertEqual(split("Hello world", [.gpt2]), ["Hello", " world"])
        XCTAssertEqual(split("it's", [.gpt2]), ["it", "'s"])
        XCTAssertEqual(split("IT'S", [.gpt2]), ["IT", "'", "S"], "contractions are case-sensitive here")
        XCTAssertEqual(split("  a", [.gpt2]), [" ", " a"])
        XCTAssertEqual(split("a  ", [.gpt2]), ["a", "  "])
        XCTAssertEqual(split("123abc 45", [.gpt2]), ["123", "abc", " 45"])
        XCTAssertEqual(split("a, b!?", [.gpt2]), ["a", ",", " b", "!?"])
        XCTAssertEqual(split("x\n\ny", [.gpt2]), ["x", "\n", "\n", "y"])
        XCTAssertEqual(split("", [.gpt2]), [])
    }

    func testLlama3AndQwen2() {
        XCTAssertEqual(split("IT'S", [.llama3]), ["IT", "'S"])
        XCTAssertEqual(split("12345", [.llama3]), ["123", "45"])
        XCTAssertEqual(split("12345", [.qwen2]), ["1", "2", "3", "4", "5"])
        XCTAssertEqual(split("a\n\nb", [.llama3]), ["a", "\n\n", "b"])
        XCTAssertEqual(split(" \n x", [.llama3]), [" \n", " x"])
        XCTAssertEqual(split("hello!!\n\nworld", [.llama3]), ["hello", "!!\n\n", "world"])
        XCTAssertEqual(split("$hello", [.qwen2]), ["$hello"], "one non-letter joins the letters after it")
        XCTAssertEqual(split("end ", [.qwen2]), ["end", " "])
        XCTAssertEqual(split("你好，世界", [.qwen2]), ["你好", "，世界"])
    }

    func testSmolLMAndDefaultRuleLists() {
        XCTAssertEqual(split("a1b22", [.isolatedNumbers, .gpt2]), ["a", "1", "b", "2", "2"])
        XCTAssertEqual(split("x ٣٤", [.isolatedNumbers, .gpt2]), ["x", " ", "٣", "٤"])
        let defaultRules: [PreTokenizerRule] = [.punctuationRuns, .gpt2, .numberRuns, .asciiDigitTriples]
        XCTAssertEqual(split("a+=b", defaultRules), ["a", "+=", "b"])
        XCTAssertEqual(split("x 12345", defaultRules), ["x", " ", "123", "45"])
        XCTAssertEqual(split("a`b", defaultRules), ["a", "`", "b"])
    }

    func testLenientUTF8MatchesLlamaCpp() {
        func decode(_ bytes: [UInt8]) -> [UInt32] {
            var codepoints: [UInt32] = []
            bytes.withUnsafeBufferPointer { LenientUTF8.decode($0, into: &codepoints) }
            return codepoints
        }
        XCTAssertEqual(decode([0x61, 0xC3, 0xA9]), [0x61, 0xE9])
        XCTAssertEqual(decode([0xC0, 0x80]), [0], "overlong forms are accepted")
        XCTAssertEqual(decode([0xED, 0xA0, 0x80]), [0xD800], "so are surrogates")
        XCTAssertEqual(decode([0xE4, 0xB8]), [0xFFFD, 0xFFFD])
        XCTAssertEqual(decode([0xE4, 0xB8, 0x61]), [0xFFFD, 0xFFFD, 0x61])
        XCTAssertEqual(decode([0xF8, 0x88, 0x80, 0x80, 0x80]), [UInt32](repeating: 0xFFFD, count: 5))
        XCTAssertEqual(decode([0xF4, 0x90, 0x80, 0x80]), [UInt32](repeating: 0xFFFD, count: 4))
        XCTAssertEqual(decode([0xF0, 0x9F, 0x98, 0x80]), [0x1F600])
        var bytes: [UInt8] = []
        for cpt: UInt32 in [0, 0x7F, 0x80, 0x7FF, 0x800, 0xD800, 0xFFFF, 0x10000, 0x10FFFF] {
            bytes.removeAll()
            LenientUTF8.append(cpt, to: &bytes)
            XCTAssertEqual(decode(bytes), [cpt])
        }
    }

    func testByteLevelAlphabet() {
        XCTAssertEqual(ByteLevel.codepointForByte[0x20], 0x120)  // space is "Ġ"
        XCTAssertEqual(ByteLevel.codepointForByte[0x0A], 0x10A)  // newline is "Ċ"
        XCTAssertEqual(ByteLevel.codepointForByte[0x41], 0x41)
        XCTAssertEqual(ByteLevel.codepointForByte[0xAD], 0x143)
        XCTAssertEqual(Set(ByteLevel.codepointForByte).count, 256)
        for byte in 0..<256 { XCTAssertEqual(ByteLevel.byte(for: ByteLevel.codepointForByte[byte]), UInt8(byte)) }
        XCTAssertEqual(ByteLevel.decode(tokenText: Array("ĠHello".utf8)), Array(" Hello".utf8))
        XCTAssertEqual(String(decoding: ByteLevel.decode(tokenText: Array("a€".utf8)), as: UTF8.self), "a[UNK_BYTE_0xe282aca€]")
    }

    func testUnicodeClasses() {
        func flags(_ cpt: UInt32) -> CodepointFlags { UnicodeCategoryTable.flags(cpt) }
        XCTAssertTrue(flags(0x41).isLetter)
        XCTAssertTrue(flags(0x4E2D).isLetter)            // 中
        XCTAssertTrue(flags(0x0663).isNumber)            // ٣
        XCTAssertTrue(flags(0x2167).isNumber)            // Ⅷ, a letter number
        XCTAssertTrue(flags(0x3000).isWhitespace)
        XCTAssertTrue(flags(0x85).isWhitespace)
        XCTAssertFalse(flags(0x200B).isWhitespace)       // zero-width space is a format character
        XCTAssertEqual(flags(0x1F600).category, CodepointFlags.symbol)
        XCTAssertEqual(flags(0x0301).category, CodepointFlags.accentMark)
        XCTAssertEqual(flags(0xE000).category, CodepointFlags.control)     // private use
        XCTAssertEqual(flags(0xD800).category, CodepointFlags.control)     // surrogate
        XCTAssertEqual(flags(0x2EBF0).category, CodepointFlags.letter)     // CJK Extension I (Unicode 15.1)
        XCTAssertEqual(flags(0x10D40).category, CodepointFlags.undefined)  // Garay (16.0): not in 15.1
        XCTAssertEqual(flags(0x10FFFF).category, CodepointFlags.undefined)
        XCTAssertEqual(flags(0x110000).category, CodepointFlags.undefined)
        XCTAssertEqual(UnicodeCategoryTable.asciiLowercased(0x53), 0x73)
        XCTAssertEqual(UnicodeCategoryTable.asciiLowercased(0x130), 0x130)
    }

    /// The committed table is what scripts/make_unicode_tables.swift derives from the standard
    /// library (when the standard library knows Unicode 15.1 or later): no entry was lost or edited.
    func testCategoryTableMatchesTheStandardLibrary() throws {
        guard Unicode.Scalar(0x2EBF0)?.properties.age != nil else {
            throw XCTSkip("this standard library predates Unicode 15.1")
        }
        var mismatches: [UInt32] = []
        for cpt in UInt32(0)...0x10FFFF where UnicodeCategoryTable.flags(cpt).category != Self.expectedCategory(cpt) {
            mismatches.append(cpt)
            if mismatches.count > 10 { break }
        }
        XCTAssertEqual(mismatches, [])
    }

    /// The generator's mapping (kept in step with scripts/make_unicode_tables.swift).
    private static func expectedCategory(_ value: UInt32) -> UInt16 {
        if (0xD800...0xDFFF).contains(value) { return CodepointFlags.control }
        guard let scalar = Unicode.Scalar(value) else { return CodepointFlags.undefined }
        let properties = scalar.properties
        guard let age = properties.age, (age.major, age.minor) <= (15, 1) else {
            return properties.generalCategory == .privateUse ? CodepointFlags.control : CodepointFlags.undefined
        }
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return CodepointFlags.number
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return CodepointFlags.letter
        case .spaceSeparator, .lineSeparator, .paragraphSeparator: return CodepointFlags.separator
        case .nonspacingMark, .spacingMark, .enclosingMark: return CodepointFlags.accentMark
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return CodepointFlags.punctuation
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: return CodepointFlags.symbol
        case .control, .format, .surrogate, .privateUse: return CodepointFlags.control
        default: return CodepointFlags.undefined
        }
    }
}
