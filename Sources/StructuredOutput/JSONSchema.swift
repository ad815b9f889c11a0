import JSON

/// Why a JSON Schema cannot be used for constrained generation.
public enum JSONSchemaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A keyword that changes which values are valid and that this compiler does not implement.
    /// Ignoring it would let the generator produce values the schema rejects.
    case unsupportedKeyword(String, path: String)
    /// A keyword whose value has the wrong shape (`"required": 3`, `"type": "text"`, …).
    case invalidKeyword(String, path: String, reason: String)
    /// A `$ref` this compiler cannot resolve (only `#`, `#/$defs/…` and `#/definitions/…` are).
    case unresolvableReference(String, path: String)
    /// No value satisfies the schema (an empty `enum`, `minLength` above `maxLength`, …), so
    /// generation could never finish.
    case unsatisfiable(path: String, reason: String)
    /// The schema is larger or more deeply nested than the limits allow.
    case tooComplex(String)

    public var description: String {
        switch self {
        case .unsupportedKeyword(let keyword, let path):
            return "JSON Schema keyword '\(keyword)' at \(path) is not supported for constrained generation"
        case .invalidKeyword(let keyword, let path, let reason):
            return "JSON Schema keyword '\(keyword)' at \(path) is invalid: \(reason)"
        case .unresolvableReference(let reference, let path):
            return "JSON Schema reference '\(reference)' at \(path) cannot be resolved"
        case .unsatisfiable(let path, let reason):
            return "JSON Schema at \(path) admits no value: \(reason)"
        case .tooComplex(let reason):
            return "JSON Schema is too complex: \(reason)"
        }
    }
}

/// A JSON Schema compiled into a graph of nodes, shared by the generation automaton and the
/// validator.
///
/// Supported: `type` (one name or an array), `properties`, `required`, `additionalProperties`,
/// `items`, `minItems`, `maxItems`, `enum`, `const`, `anyOf`, `oneOf`, a one-element `allOf`,
/// `$ref` to `#`, `#/$defs/…` or `#/definitions/…` (recursion allowed), `minLength`, `maxLength`,
/// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (number or draft-4 boolean),
/// OpenAPI's `nullable`, and the boolean schemas `true` and `false`. Annotations (`title`,
/// `description`, `default`, `examples`, `format`, …) and unknown keywords are ignored, as JSON
/// Schema prescribes; keywords that restrict validity but are not implemented (`pattern`, `not`,
/// `multipleOf`, `uniqueItems: true`, …) are an `unsupportedKeyword` error rather than silently
/// loosened.
///
/// Choices that generation makes (the validator follows JSON Schema itself):
/// - An object with listed `properties` is generated with exactly those keys, in the listed order;
///   required ones always, optional ones when the model chooses. Other keys are never generated,
///   even where `additionalProperties` would allow them. An object with no listed properties gets
///   free keys whose values follow `additionalProperties` (any value by default).
/// - A schema with no `type` but keywords of one type (`properties`, `items`, `maxLength`,
///   `minimum`, …) is taken to be of that type.
/// - `oneOf` is generated as `anyOf`: a value matching two alternatives is possible when the
///   alternatives overlap.
public struct JSONSchema: Sendable {
    let nodes: [SchemaNode]
    let root: Int
    /// For each node, the fewest automaton frames a value of it needs (a scalar 1, `[]` 1,
    /// `[[1]]` 2, …); `Int.max` where no finite value exists. The automaton starts a value only
    /// where its depth limit leaves room, so it can never walk into a state with no way out.
    let minimumDepth: [Int]

    /// Any JSON value.
    public static let anyJSON = JSONSchema(trusted: .bool(true))
    /// Any JSON object, as OpenAI's `response_format: {"type": "json_object"}` asks.
    public static let anyObject = JSONSchema(trusted: ["type": "object"])

    /// Compiles `schema`, throwing a `JSONSchemaError` that names the offending keyword and where.
    public init(_ schema: JSONValue) throws {
        var compiler = SchemaCompiler(document: schema)
        let root = try compiler.compile(schema, path: "#")
        self.init(nodes: compiler.nodes, root: root)
        guard minimumDepth[root] != Int.max else {
            throw JSONSchemaError.unsatisfiable(path: "#", reason: "every value would need infinitely deep nesting or an impossible property")
        }
    }

    /// Finishes compiled nodes: depths, and the key choices of objects (which leave out
    /// properties no finite value satisfies).
    init(nodes compiled: [SchemaNode], root: Int) {
        var depth = [Int](repeating: Int.max, count: compiled.count)
        // Least fixed point: each pass can only lower depths, and each is bounded by the node count.
        var changed = true
        while changed {
            changed = false
            for (index, node) in compiled.enumerated() {
                let value = Self.depth(of: node, given: depth)
                if value < depth[index] {
                    depth[index] = value
                    changed = true
                }
            }
        }
        nodes = compiled.map { node in
            guard case .object(let object) = node, object.listsProperties else { return node }
            return .object(object.withKeyChoices(depth: depth))
        }
        self.root = root
        minimumDepth = depth
    }

    private static func depth(of node: SchemaNode, given depth: [Int]) -> Int {
        func plusOne(_ value: Int) -> Int { value == Int.max ? Int.max : value + 1 }
        switch node {
        case .never: return Int.max
        case .alternatives(let branches, _): return branches.map { depth[$0] }.min() ?? Int.max
        case .string, .number: return 1
        case .literals(let set): return set.values.isEmpty ? Int.max : 1
        case .array(let array): return array.minItems == 0 ? 1 : plusOne(depth[array.items])
        case .object(let object):
            return plusOne(object.properties.filter(\.required).map { depth[$0.node] }.max() ?? 0)
        }
    }

    /// Parses and compiles a schema given as JSON text.
    public init(json: String) throws {
        try self.init(JSONParser.parse(json))
    }

    private init(trusted schema: JSONValue) {
        // Only used for the built-in schemas above, which compile by construction.
        self = try! JSONSchema(schema)
    }
}

/// One compiled schema; children are indices into `JSONSchema.nodes`.
enum SchemaNode: Sendable {
    /// Matches nothing (the `false` schema, or an `anyOf` whose branches all match nothing).
    case never
    /// Any of the listed nodes. `exactlyOne` (from `oneOf`) only matters to the validator.
    case alternatives([Int], exactlyOne: Bool)
    case object(ObjectSchema)
    case array(ArraySchema)
    case string(StringSchema)
    case number(NumberSchema)
    /// One of a fixed set of values (`enum`, `const`, `true`, `false`, `null`).
    case literals(LiteralSet)
}

struct ObjectSchema: Sendable {
    struct Property: Sendable {
        let name: String
        let node: Int
        let required: Bool
    }
    /// In listed order; required names that are not in `properties` are appended.
    let properties: [Property]
    /// The schema of keys not listed in `properties`; nil when `additionalProperties` is false.
    let additional: Int?
    /// For generation in listed mode: for each position `i` in `properties`, the keys that may come
    /// next (those from `i` up to and including the first required one), serialized and sorted.
    let keyChoices: [LiteralSet]

    /// Whether generation picks keys from `properties` (true) or writes free keys (false).
    var listsProperties: Bool { !properties.isEmpty }

    /// Key choices for generation: from each position, the properties that may come next (up to
    /// and including the first required one), leaving out those no finite value satisfies.
    func withKeyChoices(depth: [Int]) -> ObjectSchema {
        var choices: [LiteralSet] = []
        for start in properties.indices {
            var names: [JSONValue] = []
            var tags: [Int] = []
            for index in start..<properties.count {
                let property = properties[index]
                if depth[property.node] != Int.max {
                    names.append(.string(property.name))
                    tags.append(index)
                }
                if property.required { break }
            }
            choices.append(LiteralSet(values: names, tags: tags))
        }
        return ObjectSchema(properties: properties, additional: additional, keyChoices: choices)
    }

    func property(named name: String) -> Property? {
        properties.first { $0.name == name }
    }

    func hasRequired(from index: Int) -> Bool {
        properties[index...].contains { $0.required }
    }
}

struct ArraySchema: Sendable {
    let items: Int
    let minItems: Int
    let maxItems: Int?
}

struct StringSchema: Sendable {
    /// Lengths count Unicode scalars, as JSON Schema (and Python's `len`) do.
    let minLength: Int
    let maxLength: Int?
}

struct NumberSchema: Sendable {
    let integer: Bool
    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Bool
    let exclusiveMaximum: Bool

    var isBounded: Bool { minimum != nil || maximum != nil }

    func contains(_ value: Double) -> Bool {
        if let minimum, exclusiveMinimum ? !(value > minimum) : !(value >= minimum) { return false }
        if let maximum, exclusiveMaximum ? !(value < maximum) : !(value <= maximum) { return false }
        return true
    }
}

/// A set of values, each with its compact serialization; `encodings` is sorted bytewise so that
/// the values sharing a prefix form one contiguous range (see `LiteralScan`).
struct LiteralSet: Sendable {
    let values: [JSONValue]
    let encodings: [[UInt8]]
    /// For object keys: which property each encoding names.
    let tags: [Int]

    init(values: [JSONValue], tags: [Int]? = nil, encodings: [[UInt8]]? = nil) {
        let raw = encodings ?? values.map { Array($0.serialized(.compact).utf8) }
        let rawTags = tags ?? Array(values.indices)
        var seen = Set<[UInt8]>()
        var entries: [(encoding: [UInt8], value: JSONValue, tag: Int)] = []
        for index in raw.indices where seen.insert(raw[index]).inserted {
            entries.append((raw[index], values[index], rawTags[index]))
        }
        entries.sort { $0.encoding.lexicographicallyPrecedes($1.encoding) }
        self.values = entries.map(\.value)
        self.encodings = entries.map(\.encoding)
        self.tags = entries.map(\.tag)
    }
}
