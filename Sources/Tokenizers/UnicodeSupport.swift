/// Unicode facts the pre-tokenizers ask about, exactly as llama.cpp's unicode.cpp answers them.
///
/// llama.cpp does not use a regex engine's idea of `\p{L}` or `\s`: it classifies each code point
/// with its own table (Unicode 15.1) and its own whitespace set, and its UTF-8 decoder is lenient in
/// particular ways. Token ids depend on every one of these details, so they are reproduced here.

/// The class bits of one code point, numbered as llama.cpp's `unicode_cpt_flags`.
struct CodepointFlags: Equatable {
    var bits: UInt16

    static let undefined: UInt16 = 0x0001
    static let number: UInt16 = 0x0002       // \p{N}
    static let letter: UInt16 = 0x0004       // \p{L}
    static let separator: UInt16 = 0x0008    // \p{Z}
    static let accentMark: UInt16 = 0x0010   // \p{M}
    static let punctuation: UInt16 = 0x0020  // \p{P}
    static let symbol: UInt16 = 0x0040       // \p{S}
    static let control: UInt16 = 0x0080      // \p{C}
    static let categoryMask: UInt16 = 0x00FF
    static let whitespace: UInt16 = 0x0100   // \s as llama.cpp defines it

    /// The flags of a position outside the text being split: no bit set at all (llama.cpp's
    /// `unicode_cpt_flags{}`), which is how its splitters notice the end of a fragment.
    static let outOfRange = CodepointFlags(bits: 0)

    var isNumber: Bool { bits & Self.number != 0 }
    var isLetter: Bool { bits & Self.letter != 0 }
    var isWhitespace: Bool { bits & Self.whitespace != 0 }
    var isPunctuation: Bool { bits & Self.punctuation != 0 }
    var category: UInt16 { bits & Self.categoryMask }
    /// False only for `outOfRange`: every real code point has a category bit (possibly "undefined").
    var isInRange: Bool { bits != 0 }
}

/// Class lookup: a flat table for the Basic Multilingual Plane, a binary search above it.
enum UnicodeCategoryTable {
    static let maxCodepoint: UInt32 = 0x10FFFF

    /// llama.cpp's `unicode_set_whitespace`: the White_Space property (25 code points).
    static func isWhitespace(_ cpt: UInt32) -> Bool {
        switch cpt {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Category plus whitespace bits for U+0000...U+FFFF, built once from `ranges` (128 KiB).
    private static let basicPlane: [UInt16] = {
        var table = [UInt16](repeating: CodepointFlags.undefined, count: 0x10000)
        for (index, entry) in ranges.enumerated() {
            let start = Int(entry >> 8)
            if start >= 0x10000 { break }
            let end = index + 1 < ranges.count ? min(Int(ranges[index + 1] >> 8), 0x10000) : 0x10000
            let bits = UInt16(entry & 0xFF)
            for cpt in start..<end { table[cpt] = bits }
        }
        for cpt in 0..<0x10000 where isWhitespace(UInt32(cpt)) {
            table[cpt] |= CodepointFlags.whitespace
        }
        return table
    }()

    static func flags(_ cpt: UInt32) -> CodepointFlags {
        if cpt < 0x10000 {
            return basicPlane.withUnsafeBufferPointer { CodepointFlags(bits: $0[Int(cpt)]) }
        }
        if cpt > maxCodepoint { return CodepointFlags(bits: CodepointFlags.undefined) }
        // Last range whose first code point is <= cpt. (No whitespace above the BMP.)
        let key = cpt << 8 | 0xFF
        var low = 0
        var high = ranges.count
        while high - low > 1 {
            let middle = (low + high) / 2
            if ranges[middle] <= key { low = middle } else { high = middle }
        }
        return CodepointFlags(bits: UInt16(ranges[low] & 0xFF))
    }

    /// llama.cpp's `unicode_tolower`, restricted to what its contraction rules ask: whether a code
    /// point lowercases to one of the ASCII letters s, t, r, e, v, m, l, d. In its lowercase map only
    /// the ASCII capitals map to those letters (U+0130 maps to "i" and U+212A to "k"), so ASCII
    /// case folding is exact here.
    static func asciiLowercased(_ cpt: UInt32) -> UInt32 {
        (0x41...0x5A).contains(cpt) ? cpt + 0x20 : cpt
    }
}

/// UTF-8 as llama.cpp reads and writes it.
enum LenientUTF8 {
    static let replacementCharacter: UInt32 = 0xFFFD

    /// llama.cpp's `unicode_len_utf8`: the sequence length announced by a lead byte (1 for ASCII and
    /// for stray continuation bytes, 4 for every byte from 0xF0 up).
    @inline(__always)
    static func sequenceLength(leadByte: UInt8) -> Int {
        switch leadByte >> 4 {
        case 0xC, 0xD: return 2
        case 0xE: return 3
        case 0xF: return 4
        default: return 1
        }
    }

    /// llama.cpp's `unicode_cpts_from_utf8`: each malformed lead byte becomes U+FFFD and decoding goes
    /// on at the next byte. Like llama.cpp it accepts overlong forms and surrogates (C0 80 decodes to
    /// U+0000, ED A0 80 to U+D800), since the pre-tokenizer re-encodes what it decodes.
    ///
    /// One deliberate difference: a four-byte sequence that decodes above U+10FFFF (F4 90 80 80 and
    /// up, F5–F7 leads) makes llama.cpp throw from its encoder and abort the process; here its lead
    /// byte is malformed like any other, giving U+FFFD per byte.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, into codepoints: inout [UInt32]) {
        codepoints.removeAll(keepingCapacity: true)
        codepoints.reserveCapacity(bytes.count)
        let count = bytes.count
        var offset = 0
        while offset < count {
            let b0 = bytes[offset]
            if b0 < 0x80 {
                codepoints.append(UInt32(b0))
                offset += 1
                continue
            }
            var decoded: UInt32? = nil
            var length = 0
            if b0 & 0x40 == 0 {
                decoded = nil  // stray continuation byte
            } else if b0 & 0x20 == 0 {
                if offset + 1 < count, bytes[offset + 1] & 0xC0 == 0x80 {
                    decoded = UInt32(b0 & 0x1F) << 6 | UInt32(bytes[offset + 1] & 0x3F)
                    length = 2
                }
            } else if b0 & 0x10 == 0 {
                if offset + 2 < count, bytes[offset + 1] & 0xC0 == 0x80, bytes[offset + 2] & 0xC0 == 0x80 {
                    decoded = UInt32(b0 & 0x0F) << 12 | UInt32(bytes[offset + 1] & 0x3F) << 6
                        | UInt32(bytes[offset + 2] & 0x3F)
                    length = 3
                }
            } else if b0 & 0x08 == 0 {
                if offset + 3 < count, bytes[offset + 1] & 0xC0 == 0x80, bytes[offset + 2] & 0xC0 == 0x80,
                   bytes[offset + 3] & 0xC0 == 0x80 {
                    let value = UInt32(b0 & 0x07) << 18 | UInt32(bytes[offset + 1] & 0x3F) << 12
                        | UInt32(bytes[offset + 2] & 0x3F) << 6 | UInt32(bytes[offset + 3] & 0x3F)
                    if value <= UnicodeCategoryTable.maxCodepoint {
                        decoded = value
                        length = 4
                    }
                }
            }
            if let value = decoded {
                codepoints.append(value)
                offset += length
            } else {
                codepoints.append(replacementCharacter)
                offset += 1
            }
        }
    }

    /// llama.cpp's `unicode_cpt_to_utf8` for code points up to U+10FFFF (surrogates included).
    @inline(__always)
    static func append(_ cpt: UInt32, to bytes: inout [UInt8]) {
        if cpt < 0x80 {
            bytes.append(UInt8(cpt))
        } else if cpt < 0x800 {
            bytes.append(0xC0 | UInt8(cpt >> 6))
            bytes.append(0x80 | UInt8(cpt & 0x3F))
        } else if cpt < 0x10000 {
            bytes.append(0xE0 | UInt8(cpt >> 12))
            bytes.append(0x80 | UInt8((cpt >> 6) & 0x3F))
            bytes.append(0x80 | UInt8(cpt & 0x3F))
        } else {
            bytes.append(0xF0 | UInt8((cpt >> 18) & 0x07))
            bytes.append(0x80 | UInt8((cpt >> 12) & 0x3F))
            bytes.append(0x80 | UInt8((cpt >> 6) & 0x3F))
            bytes.append(0x80 | UInt8(cpt & 0x3F))
        }
    }
}
