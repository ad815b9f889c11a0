import Foundation
import GGUF

/// Text ↔ token ids for a GGUF model, giving the same ids as llama.cpp.
///
/// Two tokenizer families are implemented: byte-level BPE (`tokenizer.ggml.model = "gpt2"`, with the
/// pre-tokenizers listed in `PreTokenizerCatalog`: smollm, qwen2, llama3, default, …) and
/// SentencePiece-style merging by score with byte fallback (`"llama"`: Llama 2, Gemma).
/// Immutable after `init`; safe to use from several threads at once.
public final class Tokenizer: @unchecked Sendable {
    let vocabulary: Vocabulary
    private let partitioner: SpecialTokenPartitioner
    private let bytePair: BytePairEncoder?
    private let sentencePiece: SentencePieceEncoder?

    /// Reads the vocabulary from GGUF metadata; throws a `TokenizerError` naming what is missing,
    /// malformed or unsupported.
    public init(metadata: GGUFMetadata) throws {
        let vocabulary = try Vocabulary(metadata: metadata)
        self.vocabulary = vocabulary
        partitioner = SpecialTokenPartitioner(vocabulary: vocabulary)
        switch vocabulary.kind {
        case .bytePairEncoding:
            guard let array = metadata.array(Vocabulary.Keys.merges) else {
                throw TokenizerError.missingKey(Vocabulary.Keys.merges)
            }
            guard let merges = array.strings else {
                throw TokenizerError.wrongType(key: Vocabulary.Keys.merges, expected: "array of strings")
            }
            guard merges.count <= Int(Int32.max) else {
                throw TokenizerError.inconsistent("\(merges.count) merges do not fit 32-bit ranks")
            }
            bytePair = BytePairEncoder(merges: BytePairMerges(merges: merges, table: vocabulary.table),
                                       table: vocabulary.table, ignoreMerges: vocabulary.ignoreMerges)
            sentencePiece = nil
        case .sentencePiece:
            bytePair = nil
            sentencePiece = SentencePieceEncoder(table: vocabulary.table, scores: vocabulary.scores, unknown: vocabulary.unknown)
        }
    }

    /// Reads the tokenizer of a GGUF file.
    public convenience init(url: URL) throws {
        try self.init(metadata: GGUFFile(url: url).metadata)
    }

    public var vocabularySize: Int { vocabulary.count }
    public var bosToken: Int32? { vocabulary.bos }
    public var eosToken: Int32? { vocabulary.eos }
    /// `tokenizer.ggml.add_bos_token`, or llama.cpp's default for the model type and pre-tokenizer.
    public var addsBOS: Bool { vocabulary.addBOS }
    public var addsEOS: Bool { vocabulary.addEOS }
    /// `gpt2` or `llama`, as `tokenizer.ggml.model` says.
    public var modelType: String { vocabulary.modelName }
    /// The pre-tokenizer in use (`default` for SentencePiece vocabularies).
    public var preTokenizerName: String { vocabulary.preName }

    /// Tokens that end generation: eos, eot, eom, and those llama.cpp recognises by text
    /// (`<|im_end|>`, `<end_of_turn>`, `<|endoftext|>`, fill-in-the-middle pad/repo/separator, …).
    public var endOfGenerationTokens: Set<Int32> { vocabulary.endOfGeneration }

    public func isEndOfGeneration(_ token: Int32) -> Bool { vocabulary.endOfGeneration.contains(token) }

    /// What llama.cpp knows about a token; empty for ids outside the vocabulary.
    public func attributes(_ token: Int32) -> TokenAttributes {
        isValid(token) ? vocabulary.attributes[Int(token)] : []
    }

    /// The ids of `text`. `addSpecial` prepends BOS (and appends EOS) as the metadata says;
    /// `parseSpecial` recognises control-token texts such as `<|im_start|>` in the text
    /// (user-defined tokens are always recognised, as in llama.cpp).
    public func encode(_ text: String, addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        encode(bytes: Array(text.utf8), addSpecial: addSpecial, parseSpecial: parseSpecial)
    }

    /// The ids of raw bytes, which need not be valid UTF-8. SentencePiece vocabularies give
    /// llama.cpp's ids for any bytes (malformed ones become byte tokens). Byte-level BPE gives
    /// llama.cpp's ids too, malformed bytes becoming U+FFFD, with one exception: a four-byte
    /// sequence above U+10FFFF, on which llama.cpp aborts, is taken as malformed bytes here.
    /// Positions are 32-bit: inputs must be under 2 GiB.
    public func encode(bytes: [UInt8], addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(bytes.count / 3 + 2)
        if addSpecial && vocabulary.addBOS, let bos = vocabulary.bos { output.append(bos) }
        bytes.withUnsafeBufferPointer { input in
            let fragments = partitioner.partition(input, parseSpecial: parseSpecial)
            if let bytePair {
                encodeBytePair(fragments, input: input, encoder: bytePair, output: &output)
            } else if let sentencePiece {
                encodeSentencePiece(fragments, input: input, encoder: sentencePiece, output: &output)
            }
        }
        if addSpecial && vocabulary.addEOS, let eos = vocabulary.eos { output.append(eos) }
        return output
    }

    private func encodeBytePair(_ fragments: [Fragment], input: UnsafeBufferPointer<UInt8>, encoder: BytePairEncoder, output: inout [Int32]) {
        var codepoints: [UInt32] = []
        var flags: [CodepointFlags] = []
        var wordLengths: [Int] = []
        var splitScratch: [Int] = []
        var word: [UInt8] = []
        var scratch = BytePairScratch()
        for fragment in fragments {
            switch fragment {
            case .token(let id):
                output.append(id)
            case .text(let start, let count):
                LenientUTF8.decode(UnsafeBufferPointer(rebasing: input[start..<start + count]), into: &codepoints)
                flags.removeAll(keepingCapacity: true)
                for cpt in codepoints { flags.append(UnicodeCategoryTable.flags(cpt)) }
                vocabulary.preTokenizer.split(codepoints: codepoints, flags: flags, into: &wordLengths, scratch: &splitScratch)
                var offset = 0
                for length in wordLengths {
                    word.removeAll(keepingCapacity: true)
                    for index in offset..<offset + length { LenientUTF8.append(codepoints[index], to: &word) }
                    offset += length
                    word.withUnsafeBufferPointer { encoder.encode(word: $0, scratch: &scratch, output: &output) }
                }
            }
        }
    }

    private func encodeSentencePiece(_ fragments: [Fragment], input: UnsafeBufferPointer<UInt8>, encoder: SentencePieceEncoder, output: inout [Int32]) {
        var text: [UInt8] = []
        var scratch = SentencePieceScratch()
        var previousWasSpecial = true  // the start of the input counts as following a special token
        for fragment in fragments {
            switch fragment {
            case .token(let id):
                output.append(id)
                previousWasSpecial = true
            case .text(let start, let count):
                text.removeAll(keepingCapacity: true)
                if vocabulary.addSpacePrefix && previousWasSpecial { text.append(contentsOf: Self.escapedSpace) }
                for byte in input[start..<start + count] {
                    if byte == 0x20 { text.append(contentsOf: Self.escapedSpace) } else { text.append(byte) }
                }
                text.withUnsafeBufferPointer { encoder.encode($0, scratch: &scratch, output: &output) }
                previousWasSpecial = false
            }
        }
    }

    /// "▁" (U+2581), SentencePiece's spelling of a space.
    static let escapedSpace: [UInt8] = [0xE2, 0x96, 0x81]

    // MARK: ids → text

    private func isValid(_ token: Int32) -> Bool { token >= 0 && Int(token) < vocabulary.count }

    /// The raw vocabulary entry of a token (GPT-2 alphabet or "▁" spaces as stored); empty for ids
    /// outside the vocabulary.
    public func tokenText(_ token: Int32) -> String {
        guard isValid(token) else { return "" }
        return String(decoding: vocabulary.text(token), as: UTF8.self)
    }

    /// The bytes a token stands for, as llama.cpp's `token_to_piece` with special tokens rendered.
    public func piece(_ token: Int32) -> [UInt8] { piece(token, renderSpecial: true) }

    /// The bytes a token stands for (llama.cpp's `token_to_piece`). Control and unknown tokens give
    /// their text when `renderSpecial`, nothing otherwise; user-defined tokens always give their
    /// text. Empty for ids outside the vocabulary (where llama.cpp would abort).
    public func piece(_ token: Int32, renderSpecial: Bool) -> [UInt8] {
        guard isValid(token) else { return [] }
        let attributes = vocabulary.attributes[Int(token)]
        let special: TokenAttributes = [.unknown, .control]
        if !renderSpecial && !attributes.isDisjoint(with: special) { return [] }
        let text = vocabulary.text(token)
        if !attributes.isDisjoint(with: [.unknown, .control, .userDefined]) { return text }
        if attributes.contains(.normal) {
            switch vocabulary.kind {
            case .sentencePiece: return Self.unescapingSpaces(text)
            case .bytePairEncoding: return ByteLevel.decode(tokenText: text)
            }
        }
        if attributes.contains(.byte) { return [Self.byteValue(ofByteToken: text)] }
        return []  // unused or undefined tokens: llama.cpp renders nothing
    }

    /// Text of several tokens, as llama.cpp's `llama_detokenize` with `remove_special = false` and
    /// `unparse_special = true`; malformed UTF-8 (a token sequence cut inside a character) becomes
    /// U+FFFD.
    public func decode(_ tokens: [Int32]) -> String {
        String(decoding: decodeBytes(tokens), as: UTF8.self)
    }

    /// llama.cpp's `llama_detokenize`: pieces joined, the space SentencePiece prefixed removed from the
    /// first one, BOS/EOS dropped when `removeSpecial` and the model adds them, and (for
    /// vocabularies that ask for it) `clean_up_tokenization_spaces`.
    public func decodeBytes(_ tokens: [Int32], removeSpecial: Bool = false, renderSpecial: Bool = true) -> [UInt8] {
        var tokens = tokens[...]
        var removeSpace = vocabulary.addSpacePrefix
        if removeSpecial && vocabulary.addBOS, let first = tokens.first, first == vocabulary.bos {
            removeSpace = false
            tokens = tokens.dropFirst()
        }
        if removeSpecial && vocabulary.addEOS, let last = tokens.last, last == vocabulary.eos {
            tokens = tokens.dropLast()
        }
        var text: [UInt8] = []
        for token in tokens {
            var piece = piece(token, renderSpecial: renderSpecial)
            if removeSpace, piece.first == 0x20 { piece.removeFirst() }
            removeSpace = false
            text.append(contentsOf: piece)
        }
        if vocabulary.cleanSpaces { Self.cleanUpTokenizationSpaces(&text) }
        return text
    }

    private static func unescapingSpaces(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if index + 2 < text.count, text[index] == 0xE2, text[index + 1] == 0x96, text[index + 2] == 0x81 {
                output.append(0x20)
                index += 3
            } else {
                output.append(text[index])
                index += 1
            }
        }
        return output
    }

    /// A byte token `<0xNN>`: llama.cpp reads the two characters after "<0x" as hex (`strtol`).
    private static func byteValue(ofByteToken text: [UInt8]) -> UInt8 {
        var value: UInt32 = 0
        for character in text.dropFirst(3).prefix(2) {
            guard let digit = hexDigit(character) else { break }
            value = value * 16 + digit
        }
        return UInt8(truncatingIfNeeded: value)
    }

    private static func hexDigit(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: return UInt32(c - 0x30)
        case 0x41...0x46: return UInt32(c - 0x41 + 10)
        case 0x61...0x66: return UInt32(c - 0x61 + 10)
        default: return nil
        }
    }

    /// llama.cpp's three in-place passes (kept literal, since each reads what the previous wrote):
    /// drop the space before ? ! . , — drop the spaces around a lone ' — drop the space before 's 'm
    /// 're 've.
    static func cleanUpTokenizationSpaces(_ bytes: inout [UInt8]) {
        let space = UInt8(ascii: " "), quote = UInt8(ascii: "'")
        let kept = bytes.withUnsafeMutableBufferPointer { text -> Int in
            var total = text.count

            let total1 = total
            total = total > 0 ? 1 : 0
            var i = 1
            while i < total1 {
                let x = text[i]
                if text[i - 1] == space && (x == UInt8(ascii: "?") || x == UInt8(ascii: "!") || x == UInt8(ascii: ".") || x == UInt8(ascii: ",")) {
                    total -= 1
                }
                text[total] = x
                total += 1
                i += 1
            }

            let total2 = total
            total = total > 0 ? 1 : 0
            i = 1
            while i < total2 {
                let x = text[i]
                if x == quote && i + 1 < total2 && text[i - 1] == space && text[i + 1] == space {
                    total -= 1
                    i += 1
                    text[i] = 0
                }
                text[total] = x
                total += 1
                i += 1
            }

            let total3 = total
            total = total > 0 ? 1 : 0
            i = 1
            while i < total3 {
                let x = text[i]
                if text[i - 1] == space && x == quote && i + 1 < total3 {
                    let x1 = text[i + 1]
                    if x1 == UInt8(ascii: "t") || x1 == UInt8(ascii: "d") {
                        // " 't" and " 'd" keep their space
                    } else if x1 == UInt8(ascii: "s") || x1 == UInt8(ascii: "m") {
                        total -= 1
                    } else if i + 2 < total3 {
                        let x2 = text[i + 2]
                        if (x1 == UInt8(ascii: "r") && x2 == UInt8(ascii: "e")) || (x1 == UInt8(ascii: "v") && x2 == UInt8(ascii: "e")) {
                            total -= 1
                        }
                    }
                }
                text[total] = x
                total += 1
                i += 1
            }
            return total
        }
        bytes.removeSubrange(kept...)
    }
}
