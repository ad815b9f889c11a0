import JSON

/// A value as a jinja2 template sees it: Python's None, bool, int, float, str, list, tuple and dict
/// (insertion-ordered, string keys), jinja2's Undefined, and the few objects templates meet
/// (namespaces, the `loop` variable, macros and functions).
///
/// Python semantics are kept where they show in the output: `str()` of values (True, None, list
/// reprs with single quotes), truthiness, int/float arithmetic, strings indexed by code point.
indirect enum TemplateValue {
    case undefined(Undefined)
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([TemplateValue])
    /// Python tuples: literals like `(a, b)` and the pairs `dict.items()` yields. They print with
    /// parentheses, which is why they are kept apart from lists.
    case tuple([TemplateValue])
    case dict(TemplateDict)
    case object(TemplateObject)
    case function(TemplateFunction)

    static let missing = TemplateValue.undefined(Undefined(hint: nil))
}

/// jinja2's default `Undefined`: prints as "", is false, iterates as empty, and raises an error
/// naming what was missing as soon as it is used any other way (attribute, call, arithmetic).
struct Undefined {
    /// jinja2's message: "'x' is undefined" or "'dict object' has no attribute 'x'".
    var hint: String?
    /// Set when the sandbox blocked an attribute (`list.append`): using it is a security error.
    var blockedBySandbox = false

    var message: String { hint ?? "value is undefined" }
}

/// An insertion-ordered dictionary with string keys, as Python dicts keep insertion order.
struct TemplateDict {
    private(set) var keys: [String] = []
    private var storage: [String: TemplateValue] = [:]

    init() {}

    var count: Int { keys.count }

    subscript(key: String) -> TemplateValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    var pairs: [(key: String, value: TemplateValue)] { keys.map { ($0, storage[$0]!) } }
}

/// Objects with attributes: namespaces and the `loop` variable.
class TemplateObject {
    /// How jinja2 names the object's type in messages ("Namespace", "LoopContext").
    var typeName: String { "object" }
    func attribute(_ name: String) -> TemplateValue? { nil }
}

/// `namespace(...)`: the one object a template may assign attributes on (`set ns.x = ...`), which is
/// how templates carry state out of a loop body, whose own assignments vanish each iteration.
final class Namespace: TemplateObject {
    var attributes = TemplateDict()
    override var typeName: String { "Namespace" }
    override func attribute(_ name: String) -> TemplateValue? { attributes[name] }
}

/// Arguments of a call as written: positional first, then keywords in order.
struct Arguments {
    var positional: [TemplateValue] = []
    var keywords: [(name: String, value: TemplateValue)] = []

    func keyword(_ name: String) -> TemplateValue? {
        keywords.last { $0.name == name }?.value
    }

    /// The argument at `index` or named `name`, as Python binds a parameter.
    func argument(_ index: Int, _ name: String) -> TemplateValue? {
        if index < positional.count { return positional[index] }
        return keyword(name)
    }

    /// Rejects more positional arguments or other keywords than the callee takes.
    func check(_ callee: String, maxPositional: Int, keywords allowed: [String]) throws {
        if positional.count > maxPositional {
            throw TemplateError(.runtime, "\(callee)() takes at most \(maxPositional) positional arguments (\(positional.count) given)")
        }
        for (name, _) in keywords where !allowed.contains(name) {
            throw TemplateError(.runtime, "\(callee)() got an unexpected keyword argument '\(name)'")
        }
    }
}

/// A callable: a builtin global, a bound method of a value, or a macro.
final class TemplateFunction {
    let name: String
    let body: (Arguments, Interpreter) throws -> TemplateValue

    init(_ name: String, _ body: @escaping (Arguments, Interpreter) throws -> TemplateValue) {
        self.name = name
        self.body = body
    }
}

// MARK: - Python semantics

extension TemplateValue {
    /// What walking this value once costs in work units: a string's bytes, a collection's entries.
    /// Charged by every filter and comparison, which may walk their operands whole: charging one
    /// unit let a template run `|int` twenty million times over a 16 MB string.
    var workSize: Int {
        switch self {
        case .string(let s): return s.utf8.count
        case .list(let items), .tuple(let items): return items.count
        case .dict(let d): return d.count
        default: return 0
        }
    }
}

extension TemplateValue {
    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// Python's truthiness (jinja2's Undefined is false).
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let a), .tuple(let a): return !a.isEmpty
        case .dict(let d): return d.count > 0
        case .object, .function: return true
        }
    }

    /// Python's type name, for error messages as Python words them.
    var pythonTypeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .object(let o): return o.typeName
        case .function: return "function"
        }
    }

    /// Numbers as Python sees them: bool is an int.
    var asInt: Int? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    var asDouble: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .bool(let b): return b ? 1 : 0
        case .float(let d): return d
        default: return nil
        }
    }

    var isNumber: Bool { asDouble != nil }

    /// Python's `str(value)`: what `{{ value }}` prints (Undefined prints nothing).
    var pythonString: String {
        switch self {
        case .undefined: return ""
        case .string(let s): return s
        default: return pythonRepr
        }
    }

    /// Python's `repr(value)`, used for values inside printed containers.
    var pythonRepr: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return TemplateValue.pythonFloatRepr(d)
        case .string(let s): return TemplateValue.pythonStringRepr(s)
        case .list(let items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .tuple(let items):
            if items.count == 1 { return "(" + items[0].pythonRepr + ",)" }
            return "(" + items.map(\.pythonRepr).joined(separator: ", ") + ")"
        case .dict(let d):
            return "{" + d.pairs.map { TemplateValue.pythonStringRepr($0.key) + ": " + $0.value.pythonRepr }
                .joined(separator: ", ") + "}"
        case .object(let o):
            if let ns = o as? Namespace {
                return "<Namespace " + TemplateValue.dict(ns.attributes).pythonRepr + ">"
            }
            return "<\(o.typeName) object>"
        case .function(let f): return "<function \(f.name)>"
        }
    }

    static func pythonFloatRepr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return JSONValue.pythonRepr(d)
    }

    /// Python's string repr: single quotes unless the text has a single quote and no double quote;
    /// non-printable characters escaped as \x, \u or \U.
    static func pythonStringRepr(_ s: String) -> String {
        let quote: Unicode.Scalar = (s.contains("'") && !s.contains("\"")) ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case quote, "\\": out += "\\"; out.unicodeScalars.append(scalar)
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.isPythonPrintable {
                    out.unicodeScalars.append(scalar)
                } else {
                    let hex = String(scalar.value, radix: 16)
                    let (prefix, width) = scalar.value <= 0xFF ? ("\\x", 2) : scalar.value <= 0xFFFF ? ("\\u", 4) : ("\\U", 8)
                    out += prefix + String(repeating: "0", count: width - hex.count) + hex
                }
            }
        }
        out.unicodeScalars.append(quote)
        return out
    }
}

extension Unicode.Scalar {
    /// Python's `str.isspace()` for one character (Unicode White_Space plus the 0x1C-0x1F separators).
    var isPythonSpace: Bool {
        properties.isWhitespace || (0x1C...0x1F).contains(value)
    }

    /// Python's `str.isprintable()` for one character.
    var isPythonPrintable: Bool {
        if value == 0x20 { return true }
        switch properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator,
             .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }
}

// MARK: - Equality and ordering as Python's

extension TemplateValue {
    /// Python's `==`. Numbers compare by value across bool/int/float; Undefined equals Undefined.
    func pythonEquals(_ other: TemplateValue) -> Bool {
        switch (self, other) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.pythonEquals($1) }
        case (.dict(let a), .dict(let b)):
            guard a.count == b.count else { return false }
            return a.pairs.allSatisfy { pair in b[pair.key].map { pair.value.pythonEquals($0) } ?? false }
        case (.object(let a), .object(let b)): return a === b
        case (.function(let a), .function(let b)): return a === b
        default:
            if let x = asInt, let y = other.asInt { return x == y }
            if let x = asDouble, let y = other.asDouble { return x == y }
            return false
        }
    }

    /// Python's `<`, `<=`, `>`, `>=` via a three-way comparison; mismatched types are a TypeError.
    func pythonCompare(_ other: TemplateValue, _ op: String) throws -> Int {
        switch (self, other) {
        case (.string(let a), .string(let b)):
            if a.unicodeScalars.elementsEqual(b.unicodeScalars) { return 0 }
            return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value } ? -1 : 1
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            for (x, y) in zip(a, b) where !x.pythonEquals(y) { return try x.pythonCompare(y, op) }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        default:
            if let x = asInt, let y = other.asInt { return x == y ? 0 : (x < y ? -1 : 1) }
            if let x = asDouble, let y = other.asDouble {
                if x.isNaN || y.isNaN { return 2 }  // every comparison with NaN is false
                return x == y ? 0 : (x < y ? -1 : 1)
            }
            throw TemplateError(.runtime, "'\(op)' not supported between instances of '\(pythonTypeName)' and '\(other.pythonTypeName)'")
        }
    }
}

// MARK: - JSON

extension TemplateValue {
    /// Template values from JSON: objects become dicts (order kept), arrays lists.
    init(json: JSONValue) {
        switch json {
        case .null: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .list(a.map(TemplateValue.init(json:)))
        case .object(let o):
            var dict = TemplateDict()
            for (key, value) in o { dict[key] = TemplateValue(json: value) }
            self = .dict(dict)
        }
    }

    /// The value as `json.dumps` would see it; Undefined, objects and functions are not serializable.
    func toJSON() throws -> JSONValue {
        switch self {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .double(d)
        case .string(let s): return .string(s)
        case .list(let a), .tuple(let a): return .array(try a.map { try $0.toJSON() })
        case .dict(let d):
            var object = JSONObject()
            for (key, value) in d.pairs { object[key] = try value.toJSON() }
            return .object(object)
        case .object(let o) where o is Namespace:
            throw TemplateError(.runtime, "Object of type Namespace is not JSON serializable")
        default:
            throw TemplateError(.runtime, "Object of type \(pythonTypeName) is not JSON serializable")
        }
    }
}
