/// The key–value metadata of a GGUF file, in file order, with typed look-ups.
///
/// The typed accessors return nil both when a key is absent and when it holds another type, so a
/// config decoder can write `metadata.int("llama.block_count") ?? default` and report its own error.
public struct GGUFMetadata: Sendable {
    /// Keys in file order.
    public let keys: [String]
    private let values: [String: GGUFValue]

    /// Keys whose string values (or string array elements) were not valid UTF-8 in the file; they were
    /// decoded with U+FFFD replacement characters, as llama.cpp keeps such bytes instead of failing.
    /// A tokenizer that needs exact token bytes should refuse a file that lists its vocabulary here.
    public let keysWithInvalidUTF8: [String]

    /// Metadata from entries in order; a repeated key keeps its first position and its last value.
    /// (The reader rejects repeated keys before it gets here; this is for tests and tools.)
    public init(_ entries: [(key: String, value: GGUFValue)], keysWithInvalidUTF8: [String] = []) {
        var keys: [String] = []
        var values: [String: GGUFValue] = [:]
        keys.reserveCapacity(entries.count)
        for (key, value) in entries {
            if values.updateValue(value, forKey: key) == nil { keys.append(key) }
        }
        self.keys = keys
        self.values = values
        self.keysWithInvalidUTF8 = keysWithInvalidUTF8
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The entries in file order.
    public var entries: [(key: String, value: GGUFValue)] {
        keys.map { ($0, values[$0]!) }
    }

    public subscript(key: String) -> GGUFValue? { values[key] }

    public func contains(_ key: String) -> Bool { values[key] != nil }

    /// A string value; nil when absent or another type.
    public func string(_ key: String) -> String? { values[key]?.stringValue }

    /// Any integer value that fits in `Int`; nil when absent or another type.
    public func int(_ key: String) -> Int? { values[key]?.intValue }

    /// Any numeric value (integer or float) as `Double`; nil when absent or another type.
    public func double(_ key: String) -> Double? { values[key]?.doubleValue }

    public func bool(_ key: String) -> Bool? { values[key]?.boolValue }

    public func array(_ key: String) -> GGUFArray? { values[key]?.arrayValue }
}
