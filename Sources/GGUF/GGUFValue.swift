/// The metadata value types of the GGUF format, with the format's numbering.
public enum GGUFValueType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0
    case int8 = 1
    case uint16 = 2
    case int16 = 3
    case uint32 = 4
    case int32 = 5
    case float32 = 6
    case bool = 7
    case string = 8
    case array = 9
    case uint64 = 10
    case int64 = 11
    case float64 = 12

    /// The fewest bytes one value of this type takes in a file: a string is at least its 8-byte length,
    /// an array at least its 4-byte element type and 8-byte count. The reader multiplies an array's
    /// count by this before it allocates anything, so a hostile count fails against the bytes left.
    var minimumEncodedSize: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64, .string: return 8
        case .array: return 12
        }
    }

    /// The short names gguf-py and ggml print (`u32`, `str`, `arr`, ...).
    public var description: String {
        switch self {
        case .uint8: return "u8"
        case .int8: return "i8"
        case .uint16: return "u16"
        case .int16: return "i16"
        case .uint32: return "u32"
        case .int32: return "i32"
        case .float32: return "f32"
        case .bool: return "bool"
        case .string: return "str"
        case .array: return "arr"
        case .uint64: return "u64"
        case .int64: return "i64"
        case .float64: return "f64"
        }
    }
}

/// One metadata value.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case uint64(UInt64)
    case int64(Int64)
    case float64(Double)
    case bool(Bool)
    case string(String)
    case array(GGUFArray)

    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Any integer case whose value fits in `Int`; nil for floats, bools, strings and arrays.
    public var intValue: Int? {
        switch self {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return Int(exactly: v)
        case .int64(let v): return Int(exactly: v)
        default: return nil
        }
    }

    /// Any numeric case (integers and floats) as a `Double`; nil for bools, strings and arrays.
    public var doubleValue: Double? {
        switch self {
        case .uint8(let v): return Double(v)
        case .int8(let v): return Double(v)
        case .uint16(let v): return Double(v)
        case .int16(let v): return Double(v)
        case .uint32(let v): return Double(v)
        case .int32(let v): return Double(v)
        case .uint64(let v): return Double(v)
        case .int64(let v): return Double(v)
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: GGUFArray? {
        if case .array(let value) = self { return value }
        return nil
    }
}

extension GGUFValue: CustomStringConvertible {
    /// A short rendering for listings (`hearth show`): strings quoted and cut at 60 characters,
    /// arrays as their element type, count and first few elements.
    public var description: String {
        switch self {
        case .uint8(let v): return "\(v)"
        case .int8(let v): return "\(v)"
        case .uint16(let v): return "\(v)"
        case .int16(let v): return "\(v)"
        case .uint32(let v): return "\(v)"
        case .int32(let v): return "\(v)"
        case .float32(let v): return "\(v)"
        case .uint64(let v): return "\(v)"
        case .int64(let v): return "\(v)"
        case .float64(let v): return "\(v)"
        case .bool(let v): return "\(v)"
        case .string(let v): return GGUFValue.quoted(v)
        case .array(let v): return v.description
        }
    }

    static func quoted(_ string: String, limit: Int = 60) -> String {
        var shown = string.count > limit ? String(string.prefix(limit)) + "…" : string
        shown = shown.replacingNewlinesAndQuotes()
        return "\"\(shown)\""
    }
}

extension String {
    fileprivate func replacingNewlinesAndQuotes() -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for character in self {
            switch character {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\"": result += "\\\""
            default: result.append(character)
            }
        }
        return result
    }
}

/// A metadata array, stored by element type so that a 262,144-entry vocabulary stays a plain
/// `[String]` (and its scores a `[Float]`) instead of an array of boxed enum values.
///
/// Arrays may nest: each inner array of `.array` carries its own element type and count, as the
/// format allows.
public enum GGUFArray: Sendable, Equatable {
    case uint8([UInt8])
    case int8([Int8])
    case uint16([UInt16])
    case int16([Int16])
    case uint32([UInt32])
    case int32([Int32])
    case float32([Float])
    case uint64([UInt64])
    case int64([Int64])
    case float64([Double])
    case bool([Bool])
    case string([String])
    case array([GGUFArray])

    public var elementType: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        }
    }

    public var count: Int {
        switch self {
        case .uint8(let a): return a.count
        case .int8(let a): return a.count
        case .uint16(let a): return a.count
        case .int16(let a): return a.count
        case .uint32(let a): return a.count
        case .int32(let a): return a.count
        case .float32(let a): return a.count
        case .uint64(let a): return a.count
        case .int64(let a): return a.count
        case .float64(let a): return a.count
        case .bool(let a): return a.count
        case .string(let a): return a.count
        case .array(let a): return a.count
        }
    }

    /// The elements of a string array; nil for any other element type.
    public var strings: [String]? {
        if case .string(let a) = self { return a }
        return nil
    }

    /// The elements of a numeric array as `Float` (integers and doubles converted, rounding to
    /// nearest); nil for bool, string and nested arrays.
    public var floats: [Float]? {
        switch self {
        case .float32(let a): return a
        case .float64(let a): return a.map { Float($0) }
        case .uint8(let a): return a.map { Float($0) }
        case .int8(let a): return a.map { Float($0) }
        case .uint16(let a): return a.map { Float($0) }
        case .int16(let a): return a.map { Float($0) }
        case .uint32(let a): return a.map { Float($0) }
        case .int32(let a): return a.map { Float($0) }
        case .uint64(let a): return a.map { Float($0) }
        case .int64(let a): return a.map { Float($0) }
        case .bool, .string, .array: return nil
        }
    }

    /// The elements of an integer array as `Int`; nil for other element types, and for a `uint64`
    /// array holding a value above `Int.max`.
    public var ints: [Int]? {
        switch self {
        case .uint8(let a): return a.map { Int($0) }
        case .int8(let a): return a.map { Int($0) }
        case .uint16(let a): return a.map { Int($0) }
        case .int16(let a): return a.map { Int($0) }
        case .uint32(let a): return a.map { Int($0) }
        case .int32(let a): return a.map { Int($0) }
        case .int64(let a): return a.map { Int($0) }
        case .uint64(let a):
            var result = [Int]()
            result.reserveCapacity(a.count)
            for value in a {
                guard let converted = Int(exactly: value) else { return nil }
                result.append(converted)
            }
            return result
        case .float32, .float64, .bool, .string, .array: return nil
        }
    }

    /// The elements of a nested array; nil for any other element type.
    public var arrays: [GGUFArray]? {
        if case .array(let a) = self { return a }
        return nil
    }
}

extension GGUFArray: CustomStringConvertible {
    /// `[str × 49152: "<unk>", "<s>", "</s>", …]`: element type, count and the first three elements.
    public var description: String {
        let shownCount = 3
        let head: [String]
        switch self {
        case .uint8(let a): head = a.prefix(shownCount).map { "\($0)" }
        case .int8(let a): head = a.prefix(shownCount).map { "\($0)" }
        case .uint16(let a): head = a.prefix(shownCount).map { "\($0)" }
        case .int16(let a): head = a.prefix(shownCount).map { "\($0)" }
        case .uint32(let a): head = a.prefix(shownCount).map { "\($0)" }
        case .int32(let a): head = a.prefix(shownCount).map { "\($0)" }
        case .float32(let a): head = a.prefix(shownCount).map { "\($0)" }
        case .uint64(let a): head = a.prefix(shownCount).map { "\($0)" }
        case .int64(let a): head = a.prefix(shownCount).map { "\($0)" }
        case .float64(let a): head = a.prefix(shownCount).map { "\($0)" }
        case .bool(let a): head = a.prefix(shownCount).map { "\($0)" }
        case .string(let a): head = a.prefix(shownCount).map { GGUFValue.quoted($0, limit: 30) }
        case .array(let a): head = a.prefix(shownCount).map { $0.description }
        }
        let more = count > shownCount ? ", …" : ""
        let elements = head.isEmpty ? "" : ": " + head.joined(separator: ", ") + more
        return "[\(elementType) × \(count)\(elements)]"
    }
}
