/// Splits text into the words that byte-level BPE merges within, as llama.cpp's
/// `unicode_regex_split` does for each `tokenizer.ggml.pre`.
///
/// llama.cpp gives each pre-tokenizer a list of regexes applied in turn, each refining the pieces the
/// previous one left. The GPT-2, Llama 3 and Qwen 2 regexes it runs as hand-written code
/// (`unicode_regex_split_custom_*`); the others go through std::regex over a "collapsed" text where
/// each non-ASCII code point stands for its class. Both are reproduced here by hand, rule by rule,
/// because their edge cases (what counts as a letter, where a whitespace run stops, how a
/// fragment's end looks) decide the token ids.

/// One regex of a pre-tokenizer's list.
enum PreTokenizerRule: Equatable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`
    case gpt2
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case llama3
    /// As `llama3` with `\p{N}` (single digits) in place of `\p{N}{1,3}`.
    case qwen2
    /// `\p{N}`: every number code point on its own.
    case isolatedNumbers
    /// `\p{N}+`
    case numberRuns
    /// `[\p{P}\$\+<=>\^~\|]+`
    case punctuationRuns
    /// `[0-9][0-9][0-9]`
    case asciiDigitTriples
}

/// The regex list of one pre-tokenizer type, and the split itself.
struct PreTokenizer {
    let rules: [PreTokenizerRule]

    /// Splits `codepoints` (with their `flags`) into words; returns each word's length in code points.
    /// The lengths add up to the input's length; empty input gives no words.
    func split(codepoints: [UInt32], flags: [CodepointFlags], into lengths: inout [Int], scratch: inout [Int]) {
        lengths.removeAll(keepingCapacity: true)
        guard !codepoints.isEmpty else { return }
        lengths.append(codepoints.count)
        codepoints.withUnsafeBufferPointer { cpts in
            flags.withUnsafeBufferPointer { flags in
                for rule in rules {
                    swap(&lengths, &scratch)
                    lengths.removeAll(keepingCapacity: true)
                    var start = 0
                    for length in scratch {
                        let segment = Segment(cpts: cpts, flags: flags, start: start, end: start + length)
                        switch rule {
                        case .gpt2: segment.splitGPT2(into: &lengths)
                        case .llama3: segment.splitLlama3(into: &lengths, maxDigits: 3)
                        case .qwen2: segment.splitLlama3(into: &lengths, maxDigits: 1)
                        case .isolatedNumbers: segment.splitClassRuns(into: &lengths, joinRuns: false, matches: Segment.isNumberClass)
                        case .numberRuns: segment.splitClassRuns(into: &lengths, joinRuns: true, matches: Segment.isNumberClass)
                        case .punctuationRuns: segment.splitClassRuns(into: &lengths, joinRuns: true, matches: Segment.isPunctuationClass)
                        case .asciiDigitTriples: segment.splitDigitTriples(into: &lengths)
                        }
                        start += length
                    }
                }
            }
        }
    }
}

/// One piece of text under one rule: positions outside `start..<end` read as "out of range", as in
/// llama.cpp's `_get_cpt` / `_get_flags`.
private struct Segment {
    let cpts: UnsafeBufferPointer<UInt32>
    let flags: UnsafeBufferPointer<CodepointFlags>
    let start: Int
    let end: Int

    static let outOfRangeCodepoint: UInt32 = 0xFFFF_FFFF

    @inline(__always) func cpt(_ position: Int) -> UInt32 {
        position >= start && position < end ? cpts[position] : Self.outOfRangeCodepoint
    }

    @inline(__always) func flag(_ position: Int) -> CodepointFlags {
        position >= start && position < end ? flags[position] : .outOfRange
    }

    /// Emits the piece from the previous cut to `cut`, if not empty.
    @inline(__always) func emit(_ previousCut: inout Int, _ cut: Int, _ lengths: inout [Int]) {
        if cut > previousCut { lengths.append(cut - previousCut) }
        previousCut = cut
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d` at `position`, case-folded or not: the match length, or 0.
    @inline(__always) func contractionLength(at position: Int, caseInsensitive: Bool) -> Int {
        guard cpt(position) == 0x27, position + 1 < end else { return 0 }
        let fold: (UInt32) -> UInt32 = caseInsensitive ? UnicodeCategoryTable.asciiLowercased : { $0 }
        let next = fold(cpt(position + 1))
        if next == 0x73 || next == 0x74 || next == 0x6D || next == 0x64 { return 2 }  // s t m d
        if position + 2 < end {
            let after = fold(cpt(position + 2))
            if (next == 0x72 && after == 0x65) || (next == 0x76 && after == 0x65) || (next == 0x6C && after == 0x6C) {
                return 3  // re ve ll
            }
        }
        return 0
    }

    /// llama.cpp's `unicode_regex_split_custom_gpt2`.
    func splitGPT2(into lengths: inout [Int]) {
        var cut = start
        var position = start
        while position < end {
            let cpt = self.cpt(position)
            let flags = self.flag(position)

            let contraction = contractionLength(at: position, caseInsensitive: false)
            if contraction > 0 {
                position += contraction
                emit(&cut, position, &lengths)
                continue
            }

            // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: the optional space joins what follows it.
            var following = cpt == 0x20 ? flag(position + 1) : flags
            if following.isLetter {
                if cpt == 0x20 { position += 1 }
                while following.isLetter { position += 1; following = flag(position) }
                emit(&cut, position, &lengths)
                continue
            }
            if following.isNumber {
                if cpt == 0x20 { position += 1 }
                while following.isNumber { position += 1; following = flag(position) }
                emit(&cut, position, &lengths)
                continue
            }
            if Self.isOther(following) {
                if cpt == 0x20 { position += 1 }
                while Self.isOther(following) { position += 1; following = flag(position) }
                emit(&cut, position, &lengths)
                continue
            }

            if splitWhitespace(at: &position, cut: &cut, into: &lengths) { continue }
            position += 1
            emit(&cut, position, &lengths)
        }
    }

    /// llama.cpp's `unicode_regex_split_custom_llama3` (maxDigits 3) and `_qwen2` (maxDigits 1).
    func splitLlama3(into lengths: inout [Int], maxDigits: Int) {
        var cut = start
        var position = start
        while position < end {
            let cpt = self.cpt(position)
            let flags = self.flag(position)

            let contraction = contractionLength(at: position, caseInsensitive: true)
            if contraction > 0 {
                position += contraction
                emit(&cut, position, &lengths)
                continue
            }

            // `[^\r\n\p{L}\p{N}]?\p{L}+`
            if !(cpt == 0x0D || cpt == 0x0A || flags.isNumber) {
                if flags.isLetter || flag(position + 1).isLetter {
                    position += 1
                    while flag(position).isLetter { position += 1 }
                    emit(&cut, position, &lengths)
                    continue
                }
            }

            // `\p{N}{1,3}` (or `\p{N}`): a run of numbers cut every `maxDigits`.
            if flags.isNumber {
                var groupStart = position
                while flag(position).isNumber {
                    position += 1
                    if position - groupStart >= maxDigits {
                        emit(&cut, position, &lengths)
                        groupStart = position
                    }
                }
                emit(&cut, position, &lengths)
                continue
            }

            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`. llama.cpp tests the current position's flags for being in
            // range here (not the following one's), so a lone space at the end of a piece lands here.
            var following = cpt == 0x20 ? flag(position + 1) : flags
            if !(following.isWhitespace || following.isLetter || following.isNumber) && flags.isInRange {
                if cpt == 0x20 { position += 1 }
                while Self.isOther(following) { position += 1; following = flag(position) }
                var next = self.cpt(position)
                while next == 0x0D || next == 0x0A { position += 1; next = self.cpt(position) }
                emit(&cut, position, &lengths)
                continue
            }

            // `\s*[\r\n]+`: whitespace up to and including its last line break.
            var whitespaceCount = 0
            var lastLineBreakEnd = 0
            while flag(position + whitespaceCount).isWhitespace {
                let next = self.cpt(position + whitespaceCount)
                if next == 0x0D || next == 0x0A { lastLineBreakEnd = position + whitespaceCount + 1 }
                whitespaceCount += 1
            }
            if lastLineBreakEnd > 0 {
                position = lastLineBreakEnd
                emit(&cut, position, &lengths)
                continue
            }

            if splitWhitespace(at: &position, cut: &cut, into: &lengths) { continue }
            position += 1
            emit(&cut, position, &lengths)
        }
    }

    /// `\s+(?!\S)|\s+` at `position`: a whitespace run followed by more text keeps its last code point
    /// for the next piece (so " word" stays together). Returns false when there is no whitespace.
    @inline(__always)
    private func splitWhitespace(at position: inout Int, cut: inout Int, into lengths: inout [Int]) -> Bool {
        var count = 0
        while flag(position + count).isWhitespace { count += 1 }
        if count > 1 && cpt(position + count) != Self.outOfRangeCodepoint {
            position += count - 1
            emit(&cut, position, &lengths)
            return true
        }
        if count > 0 {
            position += count
            emit(&cut, position, &lengths)
            return true
        }
        return false
    }

    /// `[^\s\p{L}\p{N}]` for a position inside the piece.
    @inline(__always) static func isOther(_ flags: CodepointFlags) -> Bool {
        !(flags.isWhitespace || flags.isLetter || flags.isNumber) && flags.isInRange
    }

    // MARK: rules llama.cpp runs through std::regex

    /// The byte that stands for a code point in llama.cpp's collapsed text: ASCII as itself,
    /// whitespace as 0x0B, other code points as 0xD1–0xD5 by class (N, L, P, M, S) or 0xD0.
    @inline(__always) static func collapsed(_ cpt: UInt32, _ flags: CodepointFlags) -> UInt8 {
        if cpt < 0x80 { return UInt8(cpt) }
        if flags.isWhitespace { return 0x0B }
        switch flags.category {
        case CodepointFlags.number: return 0xD1
        case CodepointFlags.letter: return 0xD2
        case CodepointFlags.punctuation: return 0xD3
        case CodepointFlags.accentMark: return 0xD4
        case CodepointFlags.symbol: return 0xD5
        default: return 0xD0
        }
    }

    /// `\p{N}` as the collapsed regex `[\xD1\x30-\x39]` reads it.
    static func isNumberClass(_ cpt: UInt32, _ flags: CodepointFlags) -> Bool {
        let byte = collapsed(cpt, flags)
        return byte == 0xD1 || (0x30...0x39).contains(byte)
    }

    /// `[\p{P}\$\+<=>\^~\|]` as the collapsed regex reads it: llama.cpp spells \p{P} for ASCII as
    /// ``!-#%-*,-/:-;?-@[-]_{}`` (so the backtick is not punctuation there).
    static func isPunctuationClass(_ cpt: UInt32, _ flags: CodepointFlags) -> Bool {
        switch collapsed(cpt, flags) {
        case 0xD3, 0x21...0x23, 0x25...0x2A, 0x2C...0x2F, 0x3A...0x3B, 0x3F...0x40, 0x5B...0x5D, 0x5F, 0x7B, 0x7D,
             0x24, 0x2B, 0x3C...0x3E, 0x5E, 0x7E, 0x7C:
            return true
        default:
            return false
        }
    }

    /// A std::regex split with a single character class: each match (a maximal run, or one code
    /// point when `joinRuns` is false) is a piece, and so is each stretch between matches.
    func splitClassRuns(into lengths: inout [Int], joinRuns: Bool, matches: (UInt32, CodepointFlags) -> Bool) {
        var cut = start
        var position = start
        while position < end {
            guard matches(cpts[position], flags[position]) else { position += 1; continue }
            emit(&cut, position, &lengths)
            position += 1
            if joinRuns {
                while position < end && matches(cpts[position], flags[position]) { position += 1 }
            }
            emit(&cut, position, &lengths)
        }
        emit(&cut, end, &lengths)
    }

    /// `[0-9][0-9][0-9]`: leftmost non-overlapping triples of ASCII digits.
    func splitDigitTriples(into lengths: inout [Int]) {
        @inline(__always) func isDigit(_ p: Int) -> Bool { p < end && (0x30...0x39).contains(cpts[p]) }
        var cut = start
        var position = start
        while position < end {
            if isDigit(position) && isDigit(position + 1) && isDigit(position + 2) {
                emit(&cut, position, &lengths)
                position += 3
                emit(&cut, position, &lengths)
            } else {
                position += 1
            }
        }
        emit(&cut, end, &lengths)
    }
}
