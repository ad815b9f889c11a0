/// Byte-at-a-time recognisers for the JSON scalars. Each is a small value (the automaton copies it
/// at every byte of the token-mask walk) and refuses a byte as soon as no valid completion remains.

/// The body of a JSON string after its opening quote: escapes, and UTF-8 validated byte by byte
/// (no overlong forms, no surrogates, nothing above U+10FFFF), as `String(validating:)` wants.
struct StringScan: Hashable {
    enum Step { case dead, continued, closed }

    private enum Phase: UInt8 { case body, escape, hex, continuation }

    private var phase = Phase.body
    /// Hex digits still expected after `\u`, or continuation bytes after a UTF-8 lead byte.
    private var remaining: UInt8 = 0
    /// The allowed range of the next continuation byte (narrower after E0, ED, F0, F4).
    private var nextLow: UInt8 = 0x80
    private var nextHigh: UInt8 = 0xBF
    /// Set after `\uD` or `\ud`: the next hex digit must not make a surrogate.
    private var surrogateRisk = false
    /// Unicode scalars so far, as JSON Schema counts string length.
    private(set) var characters: Int32 = 0
    let minLength: Int32
    let maxLength: Int32

    init(_ schema: StringSchema) {
        minLength = Int32(clamping: schema.minLength)
        maxLength = Int32(clamping: schema.maxLength ?? Int(Int32.max))
    }

    /// At a character boundary with nothing pending: where a token made only of plain characters
    /// (see `TokenIndex`) can follow if the length allows.
    var isPlain: Bool { phase == .body }

    /// How many more characters the string may take.
    var remainingCharacters: Int32 { maxLength - characters }

    private mutating func startCharacter() -> Bool {
        guard characters < maxLength else { return false }
        characters += 1
        return true
    }

    mutating func step(_ byte: UInt8) -> Step {
        switch phase {
        case .body:
            switch byte {
            case UInt8(ascii: "\""):
                return characters >= minLength ? .closed : .dead
            case UInt8(ascii: "\\"):
                guard startCharacter() else { return .dead }
                phase = .escape
            case 0x00..<0x20:
                return .dead
            case 0x20..<0x80:
                guard startCharacter() else { return .dead }
            case 0xC2...0xDF:
                return lead(continuations: 1, low: 0x80, high: 0xBF)
            case 0xE0:
                return lead(continuations: 2, low: 0xA0, high: 0xBF)
            case 0xED:
                return lead(continuations: 2, low: 0x80, high: 0x9F)
            case 0xE1...0xEF:
                return lead(continuations: 2, low: 0x80, high: 0xBF)
            case 0xF0:
                return lead(continuations: 3, low: 0x90, high: 0xBF)
            case 0xF1...0xF3:
                return lead(continuations: 3, low: 0x80, high: 0xBF)
            case 0xF4:
                return lead(continuations: 3, low: 0x80, high: 0x8F)
            default:
                return .dead
            }
        case .escape:
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                 UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                phase = .body
            case UInt8(ascii: "u"):
                phase = .hex
                remaining = 4
                surrogateRisk = false
            default:
                return .dead
            }
        case .hex:
            guard let digit = Self.hexValue(byte) else { return .dead }
            // Surrogates (\uD800-\uDFFF) are refused: pairs would need two escapes counted as one
            // character, and a lone one is not a Unicode scalar.
            if remaining == 4 { surrogateRisk = digit == 0xD }
            if remaining == 3 && surrogateRisk && digit >= 8 { return .dead }
            remaining -= 1
            if remaining == 0 { phase = .body }
        case .continuation:
            guard byte >= nextLow && byte <= nextHigh else { return .dead }
            nextLow = 0x80
            nextHigh = 0xBF
            remaining -= 1
            if remaining == 0 { phase = .body }
        }
        return .continued
    }

    /// The fewest bytes that close the string: what the pending escape or character still needs,
    /// one ASCII character for each character `minLength` still wants, and the closing quote.
    /// Every byte that this counts is printable ASCII or a UTF-8 continuation byte.
    var minimumBytesToClose: Int {
        let pending: Int
        switch phase {
        case .body: pending = 0
        case .escape: pending = 1  // the escape letter (its character is already counted)
        case .hex, .continuation: pending = Int(remaining)
        }
        return pending + max(0, Int(minLength) - Int(characters)) + 1
    }

    private mutating func lead(continuations: UInt8, low: UInt8, high: UInt8) -> Step {
        guard startCharacter() else { return .dead }
        phase = .continuation
        remaining = continuations
        nextLow = low
        nextHigh = high
        return .continued
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Which of a sorted set of serialized values (`LiteralSet.encodings`) are still possible: those in
/// `lower..<upper`, which share the `depth` bytes read so far.
struct LiteralScan: Hashable {
    var lower: Int32
    var upper: Int32
    var depth: Int32

    init(_ set: LiteralSet) {
        self.init(candidates: set.encodings.count)
    }

    init(candidates: Int) {
        lower = 0
        upper = Int32(candidates)
        depth = 0
    }

    /// One of the candidates has been read in full.
    func isComplete(in set: LiteralSet) -> Bool {
        lower < upper && set.encodings[Int(lower)].count == Int(depth)
    }

    /// Complete, and no longer candidate can follow.
    func isExhausted(in set: LiteralSet) -> Bool {
        isComplete(in: set) && upper - lower == 1
    }

    /// The fewest bytes that complete one of the candidates still possible.
    func minimumBytesToComplete(in set: LiteralSet) -> Int {
        var best = Int.max
        for index in Int(lower)..<Int(upper) { best = min(best, set.encodings[index].count - Int(depth)) }
        return best
    }

    /// Narrows the range to the candidates whose next byte is `byte`; false when none is.
    mutating func step(_ byte: UInt8, in set: LiteralSet) -> Bool {
        let encodings = set.encodings
        let depth = Int(self.depth)
        // Within the range, a complete candidate sorts first, then the others by their byte at `depth`.
        func firstIndex(where isAfter: (UInt8) -> Bool) -> Int {
            var low = Int(lower), high = Int(upper)
            while low < high {
                let middle = (low + high) / 2
                let encoding = encodings[middle]
                if encoding.count > depth && isAfter(encoding[depth]) { high = middle } else { low = middle + 1 }
            }
            return low
        }
        let start = firstIndex { $0 >= byte }
        guard start < Int(upper), encodings[start].count > depth, encodings[start][depth] == byte else { return false }
        let end = firstIndex { $0 > byte }
        lower = Int32(start)
        upper = Int32(end)
        self.depth += 1
        return true
    }
}

/// A JSON number, with at most `maximumSignificantDigits` digits (so that the value the parser
/// computes is exact and an integer fits an `Int`) and, without bounds, an exponent of at most two
/// digits. With `minimum`/`maximum`, a digit is accepted only if some completion stays in range;
/// exponents are then not generated.
struct NumberScan: Hashable {
    static let maximumSignificantDigits = 15
    static let maximumExponentDigits = 2

    enum Step { case dead, continued }

    private enum Phase: UInt8 { case start, sign, leadingZero, integer, point, fraction, exponentMark, exponentSign, exponent }

    private var phase = Phase.start
    private var negative = false
    /// All digits read (integer and fraction parts), and how many.
    private var mantissa: Int64 = 0
    private var digits: Int8 = 0
    private var fractionDigits: Int8 = 0
    private var exponentDigits: Int8 = 0
    let schema: NumberSchemaKey

    /// The state before the first byte, or nil when no number within the digit budget satisfies the bounds.
    static func start(_ schema: NumberSchema) -> NumberScan? {
        let scan = NumberScan(schema: NumberSchemaKey(schema))
        return scan.isFeasible() ? scan : nil
    }

    private init(schema: NumberSchemaKey) {
        self.schema = schema
    }

    /// The bytes read form a complete number that satisfies the bounds.
    var canEnd: Bool {
        switch phase {
        case .leadingZero, .integer, .fraction: return fits(mantissa, scale: Int(fractionDigits))
        case .exponent: return true
        default: return false
        }
    }

    /// The fewest bytes after which the number can end (0 when it can end now); the bytes are
    /// digits, "-" and ".". Exact: it asks the same question as `isFeasible`, shortest first.
    var minimumBytesToEnd: Int {
        guard schema.isBounded else {
            switch phase {
            case .leadingZero, .integer, .fraction, .exponent: return 0
            case .start, .sign, .point, .exponentMark, .exponentSign: return 1
            }
        }
        switch phase {
        case .start, .sign:
            var best = Int.max
            var bytes = Array(UInt8(ascii: "0")...UInt8(ascii: "9"))
            if phase == .start { bytes.append(UInt8(ascii: "-")) }
            for byte in bytes {
                var next = self
                if next.step(byte) == .continued { best = min(best, 1 + next.minimumBytesToEnd) }
            }
            return best
        case .leadingZero:
            // Only fraction digits may follow: "." and `extra` of them.
            if rangeFits(extra: 0, scale: Int(fractionDigits)) { return 0 }
            if !schema.integer {
                for extra in stride(from: 1, through: digitBudget, by: 1) where rangeFits(extra: extra, scale: extra) {
                    return extra + 1
                }
            }
            return Int.max
        case .integer:
            // `cost` bytes: that many integer digits, or cost − 1 digits of which the last m ≥ 1 follow a ".".
            for cost in 0...(digitBudget + 1) {
                if cost <= digitBudget && rangeFits(extra: cost, scale: 0) { return cost }
                if !schema.integer && cost >= 2 && cost - 1 <= digitBudget {
                    for scale in 1...(cost - 1) where rangeFits(extra: cost - 1, scale: scale) { return cost }
                }
            }
            return Int.max
        case .point, .fraction:
            let firstExtra = phase == .point ? 1 : 0
            if firstExtra <= digitBudget {
                for extra in firstExtra...digitBudget where rangeFits(extra: extra, scale: Int(fractionDigits) + extra) {
                    return extra
                }
            }
            return Int.max
        case .exponentMark, .exponentSign, .exponent:
            return Int.max  // not generated under bounds
        }
    }

    /// Could `byte` continue some number (as opposed to ending it)?
    static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
             UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
            return true
        default:
            return false
        }
    }

    mutating func step(_ byte: UInt8) -> Step {
        var next = self
        guard next.stepSyntax(byte), next.isFeasible() else { return .dead }
        self = next
        return .continued
    }

    private var digitBudget: Int { Self.maximumSignificantDigits - Int(digits) }

    private mutating func appendDigit(_ digit: Int64) -> Bool {
        guard digitBudget > 0 else { return false }
        mantissa = mantissa * 10 + digit
        digits += 1
        return true
    }

    private mutating func stepSyntax(_ byte: UInt8) -> Bool {
        let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        let digit = Int64(byte) - Int64(UInt8(ascii: "0"))
        switch phase {
        case .start, .sign:
            if byte == UInt8(ascii: "-") && phase == .start {
                negative = true
                phase = .sign
                return true
            }
            guard isDigit else { return false }
            phase = digit == 0 ? .leadingZero : .integer
            return appendDigit(digit)
        case .leadingZero, .integer:
            if isDigit {
                guard phase == .integer else { return false }
                return appendDigit(digit)
            }
            if byte == UInt8(ascii: ".") {
                guard !schema.integer, digitBudget > 0 else { return false }
                phase = .point
                return true
            }
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard !schema.integer, !schema.isBounded else { return false }
                phase = .exponentMark
                return true
            }
            return false
        case .point, .fraction:
            if isDigit {
                guard appendDigit(digit) else { return false }
                fractionDigits += 1
                phase = .fraction
                return true
            }
            if phase == .fraction && (byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")) && !schema.isBounded {
                phase = .exponentMark
                return true
            }
            return false
        case .exponentMark, .exponentSign, .exponent:
            if (byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")) && phase == .exponentMark {
                phase = .exponentSign
                return true
            }
            guard isDigit, exponentDigits < Self.maximumExponentDigits else { return false }
            exponentDigits += 1
            phase = .exponent
            return true
        }
    }

    /// Whether some completion of the bytes read satisfies the bounds. Values are `±N / 10^scale`
    /// with `N` below 10^15, which the parser computes exactly as `Double(N) / 10^scale` (one
    /// correctly rounded division), so the test here agrees with the validator's.
    private func isFeasible() -> Bool {
        guard schema.isBounded else { return true }
        switch phase {
        case .start, .sign:
            var bytes = Array(UInt8(ascii: "0")...UInt8(ascii: "9"))
            if phase == .start { bytes.append(UInt8(ascii: "-")) }
            return bytes.contains { byte in
                var next = self
                return next.stepSyntax(byte) && next.isFeasible()
            }
        case .leadingZero, .integer:
            // t more digits, of which the last m are a fraction (m = t after a leading zero).
            // A leading zero takes no more integer digits, so its extra digits are all a fraction.
            for extra in 0...digitBudget {
                let lowest = phase == .leadingZero ? extra : 0
                let highest = schema.integer ? 0 : extra
                guard lowest <= highest else { continue }
                for scale in lowest...highest where rangeFits(extra: extra, scale: scale) { return true }
            }
            return false
        case .point, .fraction:
            let firstExtra = phase == .point ? 1 : 0
            guard firstExtra <= digitBudget else { return false }
            for extra in firstExtra...digitBudget where rangeFits(extra: extra, scale: Int(fractionDigits) + extra) {
                return true
            }
            return false
        case .exponentMark, .exponentSign, .exponent:
            return false  // exponents are not generated under bounds
        }
    }

    /// Whether some N in [mantissa·10^extra, (mantissa+1)·10^extra − 1] at `scale` is in range.
    private func rangeFits(extra: Int, scale: Int) -> Bool {
        let power = Self.powersOfTen[extra]
        var low = mantissa * power
        var high = low + power - 1
        // The value moves with N upward when positive and downward when negative; find the first N
        // that passes the bound it moves towards, then check the other bound there.
        func passesLower(_ n: Int64) -> Bool { negative ? schema.belowMaximum(value(n, scale)) : schema.aboveMinimum(value(n, scale)) }
        guard passesLower(high) else { return false }
        while low < high {
            let middle = low + (high - low) / 2
            if passesLower(middle) { high = middle } else { low = middle + 1 }
        }
        return negative ? schema.aboveMinimum(value(low, scale)) : schema.belowMaximum(value(low, scale))
    }

    private func fits(_ n: Int64, scale: Int) -> Bool {
        guard schema.isBounded else { return true }
        let v = value(n, scale)
        return schema.aboveMinimum(v) && schema.belowMaximum(v)
    }

    private func value(_ n: Int64, _ scale: Int) -> Double {
        let magnitude = Double(n) / Double(Self.powersOfTen[scale])
        return negative ? -magnitude : magnitude
    }

    static let powersOfTen: [Int64] = (0...18).map { exponent in
        (0..<exponent).reduce(Int64(1)) { value, _ in value * 10 }
    }
}

/// The parts of a `NumberSchema` a scan needs, hashable so frames can be compared.
struct NumberSchemaKey: Hashable {
    let integer: Bool
    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Bool
    let exclusiveMaximum: Bool

    init(_ schema: NumberSchema) {
        integer = schema.integer
        minimum = schema.minimum
        maximum = schema.maximum
        exclusiveMinimum = schema.exclusiveMinimum
        exclusiveMaximum = schema.exclusiveMaximum
    }

    var isBounded: Bool { minimum != nil || maximum != nil }

    func aboveMinimum(_ value: Double) -> Bool {
        guard let minimum else { return true }
        return exclusiveMinimum ? value > minimum : value >= minimum
    }

    func belowMaximum(_ value: Double) -> Bool {
        guard let maximum else { return true }
        return exclusiveMaximum ? value < maximum : value <= maximum
    }
}
