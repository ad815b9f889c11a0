import Foundation
import Tokenizers

/// A tokenizer on arbitrary input. The first byte chooses the mode: bit 2 set decodes the rest as
/// little-endian 32-bit token ids (any value, in or outside the vocabulary), else the rest is
/// encoded as bytes with `addSpecial` (bit 0) and `parseSpecial` (bit 1).
///
/// Encoding must give ids inside the vocabulary, and for valid UTF-8 without special tokens
/// decoding must give the text back (byte-level BPE and SentencePiece with byte fallback both
/// represent every byte). Decoding, whole or streamed token by token, must not fail on any id.
public enum TokenizerFuzzing {
    public static func run(_ input: UnsafeRawBufferPointer, tokenizer: Tokenizer?) {
        guard let tokenizer, let mode = input.first else { return }
        let rest = Array(input.dropFirst())
        if mode & 4 != 0 {
            decode(rest, tokenizer)
        } else {
            encode(rest, addSpecial: mode & 1 != 0, parseSpecial: mode & 2 != 0, tokenizer)
        }
    }

    static func encode(_ bytes: [UInt8], addSpecial: Bool, parseSpecial: Bool, _ tokenizer: Tokenizer) {
        let ids = tokenizer.encode(bytes: bytes, addSpecial: addSpecial, parseSpecial: parseSpecial)
        let size = tokenizer.vocabularySize
        invariant(ids.allSatisfy { $0 >= 0 && Int($0) < size }, "an id outside the vocabulary of \(size)")
        guard !addSpecial, !parseSpecial, String(validating: bytes, as: UTF8.self) != nil,
              !bytes.contains(where: unrepresentableBytes(tokenizer).contains) else { return }
        let decoded = tokenizer.decodeBytes(ids, removeSpecial: false, renderSpecial: false)
        invariant(decoded == bytes, "decode(encode(text)) differs from the text: \(bytes.prefix(64)) gave \(decoded.prefix(64))")
    }

    /// Bytes the vocabulary has no token for: SmolLM2's byte-level vocabulary lacks some control
    /// characters and rare UTF-8 lead bytes (0xF1), and llama.cpp (so Hearth) drops a character
    /// without a token. Text holding one cannot come back whole, so the round trip is checked only
    /// on text without. A byte counts as missing when the smallest valid character holding it does
    /// not come back (which may also blame a byte for its neighbour: the check is only skipped more).
    static func unrepresentableBytes(_ tokenizer: Tokenizer) -> Set<UInt8> {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let known = unrepresentable[ObjectIdentifier(tokenizer)] { return known }
        func smallestCharacter(holding byte: UInt8) -> [UInt8]? {
            switch byte {
            case 0x00...0x7F: return [byte]
            case 0x80...0xBF: return [0xC2, byte]
            case 0xC2...0xDF: return [byte, 0x80]
            case 0xE0: return [0xE0, 0xA0, 0x80]
            case 0xE1...0xEF: return [byte, 0x80, 0x80]
            case 0xF0: return [0xF0, 0x90, 0x80, 0x80]
            case 0xF1...0xF4: return [byte, 0x80, 0x80, 0x80]
            default: return nil  // never in valid UTF-8
            }
        }
        let missing = Set((0...255).map(UInt8.init).filter { byte in
            guard let character = smallestCharacter(holding: byte) else { return false }
            return tokenizer.decodeBytes(tokenizer.encode(bytes: character, addSpecial: false, parseSpecial: false),
                                         removeSpecial: false, renderSpecial: false) != character
        })
        unrepresentable[ObjectIdentifier(tokenizer)] = missing
        return missing
    }
    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var unrepresentable: [ObjectIdentifier: Set<UInt8>] = [:]

    static func decode(_ bytes: [UInt8], _ tokenizer: Tokenizer) {
        var ids: [Int32] = []
        ids.reserveCapacity(bytes.count / 4)
        var index = 0
        while index + 4 <= bytes.count {
            ids.append(Int32(bitPattern: UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8
                                          | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24))
            index += 4
        }
        _ = tokenizer.decodeBytes(ids)
        _ = tokenizer.decodeBytes(ids, removeSpecial: true, renderSpecial: false)
        var stream = StreamingDecoder(tokenizer: tokenizer)
        for id in ids { _ = stream.append(id) }
        _ = stream.finish()
    }

    /// The tokenizer of the GGUF file `HEARTH_FUZZ_MODEL` names, loaded once.
    static let environmentTokenizer: Tokenizer? = {
        guard let path = ProcessInfo.processInfo.environment["HEARTH_FUZZ_MODEL"] else {
            fatalError("the tokenizer target needs HEARTH_FUZZ_MODEL, the path of a GGUF model file")
        }
        do {
            return try Tokenizer(url: URL(fileURLWithPath: path))
        } catch {
            fatalError("HEARTH_FUZZ_MODEL=\(path): \(error)")
        }
    }()
}
