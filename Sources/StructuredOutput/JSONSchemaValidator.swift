import JSON

/// Checks a value against a compiled schema with JSON Schema's own semantics (keys in any order,
/// additional properties as `additionalProperties` says, `oneOf` exactly one), independently of
/// the generation automaton, so tests can hold one to the other.
public enum JSONSchemaValidator {
    /// The problems found, each naming where (a JSON pointer into the value); empty when valid.
    public static func validate(_ value: JSONValue, against schema: JSONSchema) -> [String] {
        var errors: [String] = []
        check(value, node: schema.root, schema: schema, path: "", errors: &errors, visited: [])
        return errors
    }

    /// JSON Schema equality: numbers by value (`1` equals `1.0`), objects regardless of key order.
    public static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double):
            if case .int(let x) = a, case .int(let y) = b { return x == y }
            return a.doubleValue! == b.doubleValue!
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default:
            return a == b
        }
    }

    /// `visited` holds the alternative nodes entered for this same value, so that a cycle of
    /// references that consumes nothing (`a: {$ref: b}`, `b: {anyOf: [{$ref: a}, …]}`) ends.
    private static func check(_ value: JSONValue, node index: Int, schema: JSONSchema, path: String,
                              errors: inout [String], visited: Set<Int>) {
        let at = path.isEmpty ? "the value" : path
        guard schema.minimumDepth[index] != Int.max else {
            errors.append("\(at): no value satisfies the schema here")
            return
        }
        switch schema.nodes[index] {
        case .never:
            errors.append("\(at): no value is allowed here")
        case .alternatives(let branches, let exactlyOne):
            var inner = visited
            inner.insert(index)
            var matches = 0
            var branchErrors: [String] = []
            for branch in branches where !inner.contains(branch) {
                var found: [String] = []
                check(value, node: branch, schema: schema, path: path, errors: &found, visited: inner)
                if found.isEmpty { matches += 1 } else { branchErrors.append(contentsOf: found) }
            }
            if matches == 0 {
                if branches.count == 1 {
                    errors.append(contentsOf: branchErrors)
                } else {
                    errors.append("\(at): matches none of \(branches.count) alternatives (\(branchErrors.prefix(3).joined(separator: "; ")))")
                }
            } else if exactlyOne && matches > 1 {
                errors.append("\(at): matches \(matches) alternatives of oneOf, not exactly one")
            }
        case .literals(let set):
            if !set.values.contains(where: { equal($0, value) }) {
                errors.append("\(at): \(value.serialized()) is not one of the allowed values")
            }
        case .string(let string):
            guard case .string(let text) = value else {
                errors.append("\(at): expected a string, found \(value.typeName)")
                return
            }
            let length = text.unicodeScalars.count
            if length < string.minLength { errors.append("\(at): string shorter than \(string.minLength)") }
            if let maximum = string.maxLength, length > maximum { errors.append("\(at): string longer than \(maximum)") }
        case .number(let number):
            guard let double = value.doubleValue else {
                errors.append("\(at): expected a \(number.integer ? "integer" : "number"), found \(value.typeName)")
                return
            }
            if number.integer && value.intValue == nil {
                errors.append("\(at): expected an integer, found \(value.serialized())")
            }
            if !number.contains(double) { errors.append("\(at): \(value.serialized()) is out of range") }
        case .array(let array):
            guard case .array(let elements) = value else {
                errors.append("\(at): expected an array, found \(value.typeName)")
                return
            }
            if elements.count < array.minItems { errors.append("\(at): fewer than \(array.minItems) items") }
            if let maximum = array.maxItems, elements.count > maximum { errors.append("\(at): more than \(maximum) items") }
            for (offset, element) in elements.enumerated() {
                check(element, node: array.items, schema: schema, path: path + "/\(offset)", errors: &errors, visited: [])
            }
        case .object(let object):
            guard case .object(let members) = value else {
                errors.append("\(at): expected an object, found \(value.typeName)")
                return
            }
            for property in object.properties where property.required && members[property.name] == nil {
                errors.append("\(at): missing required property '\(property.name)'")
            }
            for (key, member) in members {
                let memberPath = path + "/" + key
                if let property = object.property(named: key) {
                    check(member, node: property.node, schema: schema, path: memberPath, errors: &errors, visited: [])
                } else if let additional = object.additional {
                    check(member, node: additional, schema: schema, path: memberPath, errors: &errors, visited: [])
                } else {
                    errors.append("\(at): property '\(key)' is not allowed")
                }
            }
        }
    }
}
