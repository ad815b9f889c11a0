/// Turns generated tokens into text as they arrive, never emitting half a UTF-8 character.
///
/// A character can be split across tokens (byte tokens `<0xE4><0xB8><0xAD>`, or byte-level BPE
/// pieces of an emoji); the bytes of an unfinished character are held back until the token that
/// completes it. Bytes that can never become a valid character are emitted at once as U+FFFD.
/// Pieces are llama.cpp's `token_to_piece` without stripping any leading space, as for text that
/// continues a prompt.
public struct StreamingDecoder: Sendable {
    private let tokenizer: Tokenizer
    private let renderSpecial: Bool
    private var pending: [UInt8] = []

    /// Control tokens are rendered as their text, as `Tokenizer.piece(_:)` does.
    public init(tokenizer: Tokenizer) {
        self.init(tokenizer: tokenizer, renderSpecial: true)
    }

    /// `renderSpecial: false` drops control and unknown tokens from the text.
    public init(tokenizer: Tokenizer, renderSpecial: Bool) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    /// The text that `token` completes: only whole characters.
    public mutating func append(_ token: Int32) -> String {
        pending.append(contentsOf: tokenizer.piece(token, renderSpecial: renderSpecial))
        let held = Self.incompleteSuffixLength(pending)
        guard pending.count > held else { return "" }
        let text = String(decoding: pending[..<(pending.count - held)], as: UTF8.self)
        pending.removeFirst(pending.count - held)
        return text
    }

    /// Whatever is held back, unfinished characters becoming U+FFFD; the decoder is empty afterwards.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// How many trailing bytes are the start of a character that more bytes could still complete.
    /// Only well-formed prefixes count (the second-byte limits after E0, ED, F0 and F4 included), so a
    /// malformed tail is not held forever.
    static func incompleteSuffixLength(_ bytes: [UInt8]) -> Int {
        let count = bytes.count
        guard count > 0 else { return 0 }
        // A lead byte can be at most 3 bytes from the end of an unfinished character.
        for back in 1...min(3, count) {
            let lead = bytes[count - back]
            if lead & 0xC0 == 0x80 { continue }  // continuation byte: look further back
            let needed: Int
            switch lead {
            case 0xC2...0xDF: needed = 2
            case 0xE0...0xEF: needed = 3
            case 0xF0...0xF4: needed = 4
            default: return 0  // ASCII or a byte that starts nothing
            }
            guard back < needed else { return 0 }  // the character is complete (or overlong junk)
            if back >= 2 {
                let second = bytes[count - back + 1]
                let valid: ClosedRange<UInt8>
                switch lead {
                case 0xE0: valid = 0xA0...0xBF
                case 0xED: valid = 0x80...0x9F
                case 0xF0: valid = 0x90...0xBF
                case 0xF4: valid = 0x80...0x8F
                default: valid = 0x80...0xBF
                }
                guard valid.contains(second) else { return 0 }
            }
            return back
        }
        return 0
    }
}
