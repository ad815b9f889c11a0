/// GPT-2's byte-level alphabet: each of the 256 byte values stands for one printable code point, so
/// that a byte-level BPE vocabulary is written in visible characters (a space is "Ġ", U+0120).
///
/// Printable Latin-1 bytes (! to ~, ¡ to ¬, ® to ÿ) stand for themselves; the other 68 take
/// U+0100, U+0101, … in byte order. This is llama.cpp's `unicode_byte_to_utf8_map`.
enum ByteLevel {
    /// The code point each byte stands for.
    static let codepointForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The UTF-8 bytes of each byte's code point (one or two bytes).
    static let utf8ForByte: [[UInt8]] = codepointForByte.map { cpt in
        var bytes: [UInt8] = []
        LenientUTF8.append(cpt, to: &bytes)
        return bytes
    }

    /// The byte a code point stands for, or nil when it is not in the alphabet.
    static func byte(for cpt: UInt32) -> UInt8? {
        if cpt < 0x100 {
            let byte = Int(cpt)
            return codepointForByte[byte] == cpt ? UInt8(byte) : nil
        }
        return byteForHighCodepoint[cpt]
    }

    private static let byteForHighCodepoint: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (byte, cpt) in codepointForByte.enumerated() where cpt >= 0x100 { map[cpt] = UInt8(byte) }
        return map
    }()

    /// Appends the alphabet's spelling of `bytes` (what the vocabulary stores) to `output`.
    static func encode<C: Collection>(_ bytes: C, into output: inout [UInt8]) where C.Element == UInt8 {
        for byte in bytes { output.append(contentsOf: utf8ForByte[Int(byte)]) }
    }

    /// llama.cpp's `llama_decode_text`: a byte-level token's text back to the bytes it stands for.
    /// A code point outside the alphabet (a hand-edited vocabulary) becomes llama.cpp's marker
    /// `[UNK_BYTE_0x<hex of its UTF-8>` followed by the whole token text and `]`.
    static func decode(tokenText: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(tokenText.count)
        var codepoints: [UInt32] = []
        tokenText.withUnsafeBufferPointer { LenientUTF8.decode($0, into: &codepoints) }
        for cpt in codepoints {
            if let byte = byte(for: cpt) {
                output.append(byte)
            } else {
                var utf8: [UInt8] = []
                LenientUTF8.append(cpt, to: &utf8)
                output.append(contentsOf: Array("[UNK_BYTE_0x".utf8))
                for b in utf8 {
                    let hex = Array("0123456789abcdef".utf8)
                    output.append(hex[Int(b >> 4)])
                    output.append(hex[Int(b & 15)])
                }
                output.append(contentsOf: tokenText)
                output.append(UInt8(ascii: "]"))
            }
        }
        return output
    }
}
