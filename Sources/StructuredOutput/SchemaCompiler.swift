import Foundation
import JSON

/// Turns a JSON Schema document into `SchemaNode`s. References are compiled once each, so
/// recursive schemas become cycles in the node graph rather than infinite recursion here.
struct SchemaCompiler {
    static let maximumNodes = 10_000
    static let maximumNesting = 64
    static let maximumProperties = 256

    /// Keywords that restrict validity and are not implemented. Unknown keywords not listed here are
    /// ignored, as JSON Schema says they must be.
    static let unsupportedKeywords: Set<String> = [
        "pattern", "patternProperties", "not", "if", "then", "else", "multipleOf", "minProperties",
        "maxProperties", "propertyNames", "dependentRequired", "dependentSchemas", "dependencies",
        "contains", "minContains", "maxContains", "prefixItems", "additionalItems",
        "unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef",
        "contentSchema",
    ]

    /// Keywords that constrain values, used to refuse combinations such as `$ref` or `anyOf` with
    /// sibling constraints (whose intersection is not implemented).
    static let constrainingKeywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
        "enum", "const", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "anyOf", "oneOf", "allOf", "$ref", "nullable", "uniqueItems",
    ]

    let document: JSONValue
    private(set) var nodes: [SchemaNode] = []
    private var references: [String: Int] = [:]
    private var anyNode: Int?
    private var nesting = 0

    init(document: JSONValue) {
        self.document = document
    }

    private mutating func add(_ node: SchemaNode) throws -> Int {
        guard nodes.count < Self.maximumNodes else {
            throw JSONSchemaError.tooComplex("more than \(Self.maximumNodes) schema nodes")
        }
        nodes.append(node)
        return nodes.count - 1
    }

    /// The node for "any JSON value": an alternative of every type, objects and arrays of any.
    private mutating func any() throws -> Int {
        if let anyNode { return anyNode }
        let index = try add(.never)  // placeholder, so the containers below can refer back to it
        anyNode = index
        let object = try add(.object(ObjectSchema(properties: [], additional: index, keyChoices: [])))
        let array = try add(.array(ArraySchema(items: index, minItems: 0, maxItems: nil)))
        let string = try add(.string(StringSchema(minLength: 0, maxLength: nil)))
        let number = try add(.number(NumberSchema(integer: false, minimum: nil, maximum: nil,
                                                  exclusiveMinimum: false, exclusiveMaximum: false)))
        let scalars = try add(.literals(LiteralSet(values: [.bool(true), .bool(false), .null])))
        nodes[index] = .alternatives([object, array, string, number, scalars], exactlyOne: false)
        return index
    }

    mutating func compile(_ schema: JSONValue, path: String) throws -> Int {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= Self.maximumNesting else {
            throw JSONSchemaError.tooComplex("subschemas nested deeper than \(Self.maximumNesting)")
        }
        switch schema {
        case .bool(true): return try any()
        case .bool(false): return try add(.never)
        case .object(let object): return try compile(object: object, path: path)
        default:
            throw JSONSchemaError.invalidKeyword("schema", path: path, reason: "a schema must be an object or a boolean")
        }
    }

    private mutating func compile(object schema: JSONObject, path: String) throws -> Int {
        for key in schema.keys where Self.unsupportedKeywords.contains(key) {
            throw JSONSchemaError.unsupportedKeyword(key, path: path)
        }
        if schema["uniqueItems"] == .bool(true) {
            throw JSONSchemaError.unsupportedKeyword("uniqueItems", path: path)
        }
        let constraining = schema.keys.filter { Self.constrainingKeywords.contains($0) }

        if case .bool(true) = schema["nullable"] ?? .null {
            var rest = schema
            rest["nullable"] = nil
            let inner = try compile(object: rest, path: path)
            let null = try add(.literals(LiteralSet(values: [.null])))
            return try add(.alternatives([inner, null], exactlyOne: false))
        }
        for combinator in ["$ref", "allOf", "anyOf", "oneOf"] where schema[combinator] != nil {
            let siblings = constraining.filter { $0 != combinator && $0 != "nullable" }
            if let sibling = siblings.first {
                throw JSONSchemaError.unsupportedKeyword(sibling, path: path + " (beside \(combinator))")
            }
        }
        if let reference = schema["$ref"] {
            guard case .string(let pointer) = reference else {
                throw JSONSchemaError.invalidKeyword("$ref", path: path, reason: "must be a string")
            }
            return try resolve(pointer, path: path)
        }
        if let allOf = schema["allOf"] {
            guard case .array(let parts) = allOf, parts.count == 1 else {
                throw JSONSchemaError.unsupportedKeyword("allOf", path: path + " (only a one-element allOf is supported)")
            }
            return try compile(parts[0], path: path + "/allOf/0")
        }
        for combinator in ["anyOf", "oneOf"] {
            guard let value = schema[combinator] else { continue }
            guard case .array(let parts) = value, !parts.isEmpty else {
                throw JSONSchemaError.invalidKeyword(combinator, path: path, reason: "must be a non-empty array of schemas")
            }
            var branches: [Int] = []
            for (index, part) in parts.enumerated() {
                branches.append(try compile(part, path: path + "/\(combinator)/\(index)"))
            }
            return try add(.alternatives(branches, exactlyOne: combinator == "oneOf"))
        }

        var typed = schema
        typed["enum"] = nil
        typed["const"] = nil
        let base = try compileTypes(typed, path: path)
        guard schema["enum"] != nil || schema["const"] != nil else { return base }

        var values: [JSONValue]
        if let constant = schema["const"] {
            values = [constant]
        } else if case .array(let listed) = schema["enum"]! {
            values = listed
        } else {
            throw JSONSchemaError.invalidKeyword("enum", path: path, reason: "must be an array")
        }
        if let listed = schema["enum"], schema["const"] != nil, case .array(let allowed) = listed {
            values = values.filter { value in allowed.contains { JSONSchemaValidator.equal($0, value) } }
        }
        // Both `enum` and the other keywords must hold: keep the values that the rest accepts.
        let candidate = JSONSchema(nodes: nodes, root: base)
        values = values.filter { JSONSchemaValidator.validate($0, against: candidate).isEmpty }
        guard !values.isEmpty else {
            throw JSONSchemaError.unsatisfiable(path: path, reason: "no value of 'enum'/'const' satisfies the other keywords")
        }
        return try add(.literals(LiteralSet(values: values)))
    }

    private mutating func compileTypes(_ schema: JSONObject, path: String) throws -> Int {
        var types: [String]
        switch schema["type"] {
        case nil:
            types = inferredTypes(schema)
            if types.isEmpty { return try any() }
        case .string(let name)?:
            types = [name]
        case .array(let names)?:
            types = try names.map { name in
                guard case .string(let text) = name else {
                    throw JSONSchemaError.invalidKeyword("type", path: path, reason: "must name types as strings")
                }
                return text
            }
            guard !types.isEmpty else {
                throw JSONSchemaError.invalidKeyword("type", path: path, reason: "must not be empty")
            }
        default:
            throw JSONSchemaError.invalidKeyword("type", path: path, reason: "must be a string or an array of strings")
        }
        var branches: [Int] = []
        for type in types {
            switch type {
            case "object": branches.append(try compileObject(schema, path: path))
            case "array": branches.append(try compileArray(schema, path: path))
            case "string": branches.append(try compileString(schema, path: path))
            case "number", "integer": branches.append(try compileNumber(schema, integer: type == "integer", path: path))
            case "boolean": branches.append(try add(.literals(LiteralSet(values: [.bool(true), .bool(false)]))))
            case "null": branches.append(try add(.literals(LiteralSet(values: [.null]))))
            default: throw JSONSchemaError.invalidKeyword("type", path: path, reason: "unknown type '\(type)'")
            }
        }
        return branches.count == 1 ? branches[0] : try add(.alternatives(branches, exactlyOne: false))
    }

    /// The types whose keywords appear in a schema without `type`.
    private func inferredTypes(_ schema: JSONObject) -> [String] {
        let families: [(String, [String])] = [
            ("object", ["properties", "required", "additionalProperties"]),
            ("array", ["items", "minItems", "maxItems"]),
            ("string", ["minLength", "maxLength"]),
            ("number", ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]),
        ]
        return families.filter { _, keywords in keywords.contains { schema[$0] != nil } }.map(\.0)
    }

    private func count(_ keyword: String, in schema: JSONObject, path: String) throws -> Int? {
        guard let value = schema[keyword] else { return nil }
        guard let count = value.intValue, count >= 0, count <= Int(Int32.max) else {
            throw JSONSchemaError.invalidKeyword(keyword, path: path, reason: "must be a non-negative integer")
        }
        return count
    }

    private mutating func compileObject(_ schema: JSONObject, path: String) throws -> Int {
        var properties: [ObjectSchema.Property] = []
        var required = Set<String>()
        var requiredOrder: [String] = []
        if let list = schema["required"] {
            guard case .array(let names) = list else {
                throw JSONSchemaError.invalidKeyword("required", path: path, reason: "must be an array of strings")
            }
            for name in names {
                guard case .string(let text) = name else {
                    throw JSONSchemaError.invalidKeyword("required", path: path, reason: "must be an array of strings")
                }
                if required.insert(text).inserted { requiredOrder.append(text) }
            }
        }
        if let listed = schema["properties"] {
            guard case .object(let map) = listed else {
                throw JSONSchemaError.invalidKeyword("properties", path: path, reason: "must be an object")
            }
            guard map.count <= Self.maximumProperties else {
                throw JSONSchemaError.tooComplex("more than \(Self.maximumProperties) properties at \(path)")
            }
            for (name, subschema) in map {
                let node = try compile(subschema, path: path + "/properties/" + name)
                properties.append(.init(name: name, node: node, required: required.contains(name)))
            }
        }
        var additional: Int?
        switch schema["additionalProperties"] {
        case nil, .bool(true)?: additional = try any()
        case .bool(false)?: additional = nil
        case let subschema?: additional = try compile(subschema, path: path + "/additionalProperties")
        }
        for name in requiredOrder where !properties.contains(where: { $0.name == name }) {
            guard let additional else {
                throw JSONSchemaError.unsatisfiable(path: path, reason: "required property '\(name)' is forbidden by additionalProperties: false")
            }
            properties.append(.init(name: name, node: additional, required: true))
        }
        guard properties.count <= Self.maximumProperties else {
            throw JSONSchemaError.tooComplex("more than \(Self.maximumProperties) properties at \(path)")
        }
        return try add(.object(ObjectSchema(properties: properties, additional: additional, keyChoices: [])))
    }

    private mutating func compileArray(_ schema: JSONObject, path: String) throws -> Int {
        let items: Int
        switch schema["items"] {
        case nil: items = try any()
        case .array?: throw JSONSchemaError.unsupportedKeyword("items", path: path + " (tuple form)")
        case let subschema?: items = try compile(subschema, path: path + "/items")
        }
        let minItems = try count("minItems", in: schema, path: path) ?? 0
        let maxItems = try count("maxItems", in: schema, path: path)
        if let maxItems, maxItems < minItems {
            throw JSONSchemaError.unsatisfiable(path: path, reason: "minItems \(minItems) exceeds maxItems \(maxItems)")
        }
        return try add(.array(ArraySchema(items: items, minItems: minItems, maxItems: maxItems)))
    }

    private mutating func compileString(_ schema: JSONObject, path: String) throws -> Int {
        let minLength = try count("minLength", in: schema, path: path) ?? 0
        let maxLength = try count("maxLength", in: schema, path: path)
        if let maxLength, maxLength < minLength {
            throw JSONSchemaError.unsatisfiable(path: path, reason: "minLength \(minLength) exceeds maxLength \(maxLength)")
        }
        return try add(.string(StringSchema(minLength: minLength, maxLength: maxLength)))
    }

    private mutating func compileNumber(_ schema: JSONObject, integer: Bool, path: String) throws -> Int {
        func bound(_ keyword: String) throws -> Double? {
            guard let value = schema[keyword] else { return nil }
            if case .bool = value { return nil }  // draft 4's boolean exclusive flags, read below
            guard let number = value.doubleValue, number.isFinite else {
                throw JSONSchemaError.invalidKeyword(keyword, path: path, reason: "must be a number")
            }
            return number
        }
        var minimum = try bound("minimum"), maximum = try bound("maximum")
        var exclusiveMinimum = schema["exclusiveMinimum"] == .bool(true)
        var exclusiveMaximum = schema["exclusiveMaximum"] == .bool(true)
        if let limit = try bound("exclusiveMinimum"), minimum.map({ limit >= $0 }) ?? true {
            minimum = limit
            exclusiveMinimum = true
        }
        if let limit = try bound("exclusiveMaximum"), maximum.map({ limit <= $0 }) ?? true {
            maximum = limit
            exclusiveMaximum = true
        }
        let number = NumberSchema(integer: integer, minimum: minimum, maximum: maximum,
                                  exclusiveMinimum: exclusiveMinimum, exclusiveMaximum: exclusiveMaximum)
        guard NumberScan.start(number) != nil else {
            throw JSONSchemaError.unsatisfiable(path: path, reason: "no \(integer ? "integer" : "number") of at most \(NumberScan.maximumSignificantDigits) digits lies within the bounds")
        }
        return try add(.number(number))
    }

    /// Compiles the target of a local JSON pointer once; later references share the node.
    private mutating func resolve(_ pointer: String, path: String) throws -> Int {
        if let known = references[pointer] { return known }
        guard pointer == "#" || pointer.hasPrefix("#/") else {
            throw JSONSchemaError.unresolvableReference(pointer, path: path)
        }
        var target = document
        for rawToken in pointer.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) where pointer != "#" {
            let token = String(rawToken).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch target {
            case .object(let object) where object[token] != nil: target = object[token]!
            case .array(let array) where Int(token).map(array.indices.contains) == true: target = array[Int(token)!]
            default: throw JSONSchemaError.unresolvableReference(pointer, path: path)
            }
        }
        // Reserve the node first so that a reference back to it (recursion) finds it.
        let placeholder = try add(.never)
        references[pointer] = placeholder
        let compiled = try compile(target, path: pointer)
        nodes[placeholder] = .alternatives([compiled], exactlyOne: false)
        return placeholder
    }
}
