/// How to print JSON. The defaults are Python's `json.dumps` defaults, which is what chat templates'
/// `tojson` produces (with `asciiOnly` false, as Hugging Face's template environment sets it).
public struct JSONFormat: Sendable, Equatable {
    /// Spaces per nesting level; nil prints everything on one line.
    public var indent: Int?
    public var itemSeparator: String
    public var keySeparator: String
    /// Escape every character outside printable ASCII as \uXXXX (Python's `ensure_ascii`).
    public var asciiOnly: Bool
    public var sortKeys: Bool

    public init(indent: Int? = nil, itemSeparator: String? = nil, keySeparator: String = ": ",
                asciiOnly: Bool = true, sortKeys: Bool = false) {
        self.indent = indent
        // Python's default item separator is "," when indenting (the newline follows it).
        self.itemSeparator = itemSeparator ?? (indent == nil ? ", " : ",")
        self.keySeparator = keySeparator
        self.asciiOnly = asciiOnly
        self.sortKeys = sortKeys
    }

    /// `json.dumps(value)`.
    public static let python = JSONFormat()
    /// The tightest form, for wire protocols: `separators=(",", ":")`, UTF-8 kept.
    public static let compact = JSONFormat(itemSeparator: ",", keySeparator: ":", asciiOnly: false)
}

extension JSONValue {
    public func serialized(_ format: JSONFormat = .compact) -> String {
        var output = ""
        write(to: &output, format: format, level: 0)
        return output
    }

    private func write(to output: inout String, format: JSONFormat, level: Int) {
        switch self {
        case .null: output += "null"
        case .bool(let b): output += b ? "true" : "false"
        case .int(let i): output += String(i)
        case .double(let d): output += JSONValue.pythonRepr(d)
        case .string(let s): JSONValue.writeString(s, to: &output, asciiOnly: format.asciiOnly)
        case .array(let elements):
            guard !elements.isEmpty else { output += "[]"; return }
            output += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { output += format.itemSeparator }
                JSONValue.newline(&output, format: format, level: level + 1)
                element.write(to: &output, format: format, level: level + 1)
            }
            JSONValue.newline(&output, format: format, level: level)
            output += "]"
        case .object(let object):
            guard !object.isEmpty else { output += "{}"; return }
            output += "{"
            let keys = format.sortKeys ? object.keys.sorted() : object.keys
            for (i, key) in keys.enumerated() {
                if i > 0 { output += format.itemSeparator }
                JSONValue.newline(&output, format: format, level: level + 1)
                JSONValue.writeString(key, to: &output, asciiOnly: format.asciiOnly)
                output += format.keySeparator
                object[key]!.write(to: &output, format: format, level: level + 1)
            }
            JSONValue.newline(&output, format: format, level: level)
            output += "}"
        }
    }

    private static func newline(_ output: inout String, format: JSONFormat, level: Int) {
        guard let indent = format.indent else { return }
        output += "\n"
        output += String(repeating: " ", count: indent * level)
    }

    /// Python's string escaping: the short escapes, \u00XX for other control characters, and with
    /// `asciiOnly` every scalar outside 0x20...0x7E as \uXXXX (surrogate pairs above the BMP).
    public static func writeString(_ string: String, to output: inout String, asciiOnly: Bool) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        output += hex4(0xD800 + (v >> 10))
                        output += hex4(0xDC00 + (v & 0x3FF))
                    } else {
                        output += hex4(scalar.value)
                    }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// Python's `repr(float)`: the shortest digits that round-trip, positional when the decimal
    /// exponent is in -4..<16, otherwise d.ddde±XX; integral values keep ".0".
    public static func pythonRepr(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description also gives the shortest round-trip digits; re-lay them out.
        let (negative, digits, exponent) = decimalDigits(of: value)
        var result = negative ? "-" : ""
        if exponent >= -4 && exponent < 16 {
            if exponent < 0 {
                result += "0." + String(repeating: "0", count: -exponent - 1) + digits
            } else if digits.count <= exponent + 1 {
                result += digits + String(repeating: "0", count: exponent + 1 - digits.count) + ".0"
            } else {
                let split = digits.index(digits.startIndex, offsetBy: exponent + 1)
                result += digits[..<split] + "." + digits[split...]
            }
        } else {
            result += String(digits.first!)
            if digits.count > 1 { result += "." + digits.dropFirst() }
            result += exponent < 0 ? "e-" : "e+"
            let magnitude = String(abs(exponent))
            result += magnitude.count < 2 ? "0" + magnitude : magnitude
        }
        return result
    }

    /// The significant digits (no leading or trailing zeros) and the decimal exponent of the first.
    private static func decimalDigits(of value: Double) -> (negative: Bool, digits: String, exponent: Int) {
        var text = "\(abs(value))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = String(parts[0])
        let fractionPart = parts.count > 1 ? String(parts[1]) : ""
        var all = integerPart + fractionPart
        var pointPosition = integerPart.count  // digits before the decimal point
        while all.first == "0" {
            all.removeFirst()
            pointPosition -= 1
        }
        while all.last == "0" { all.removeLast() }
        return (value < 0, all, exponent + pointPosition - 1)
    }
}
