/// jinja2's builtin tests (`x is defined`, `x is string`...).
extension Interpreter {
    func applyTest(_ name: String, to value: TemplateValue, arguments args: Arguments) throws -> Bool {
        try charge()
        func operand() throws -> TemplateValue {
            guard let other = args.argument(0, "other") ?? args.argument(0, "value") else {
                throw TemplateError(.runtime, "the '\(name)' test needs an argument")
            }
            return other
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": return value.isNull
        case "boolean":
            if case .bool = value { return true }
            return false
        case "true":
            if case .bool(true) = value { return true }
            return false
        case "false":
            if case .bool(false) = value { return true }
            return false
        case "integer":
            if case .int = value { return true }
            return false
        case "float":
            if case .float = value { return true }
            return false
        case "number":
            // Python's numbers.Number includes bool.
            return value.isNumber
        case "string":
            if case .string = value { return true }
            return false
        case "mapping":
            if case .dict = value { return true }
            return false
        case "iterable":
            switch value {
            case .undefined, .string, .list, .tuple, .dict: return true
            default: return false
            }
        case "sequence":
            // jinja2: anything with len() and __getitem__, which includes dicts and Undefined.
            switch value {
            case .undefined, .string, .list, .tuple, .dict: return true
            default: return false
            }
        case "callable":
            switch value {
            case .function: return true
            case .object(let loop as LoopObject): return loop.recurse != nil
            default: return false
            }
        case "sameas":
            let other = try operand()
            switch (value, other) {
            case (.none, .none): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.object(let a), .object(let b)): return a === b
            case (.function(let a), .function(let b)): return a === b
            default: return false
            }
        case "escaped": return false
        case "odd", "even":
            guard let i = value.asInt else { throw TemplateError(.runtime, "the '\(name)' test needs an integer") }
            return (i & 1 == 1) == (name == "odd")
        case "divisibleby":
            guard let i = value.asInt, let d = try operand().asInt else { throw TemplateError(.runtime, "divisibleby needs integers") }
            guard d != 0 else { throw TemplateError(.runtime, "integer division or modulo by zero") }
            return i % d == 0
        case "lower":
            return PythonString.classify(value.pythonString, "islower")
        case "upper":
            return PythonString.classify(value.pythonString, "isupper")
        case "in":
            return try contains(try operand(), value)
        case "eq", "equalto", "==": return try compare("==", value, try operand())
        case "ne", "!=": return try compare("!=", value, try operand())
        case "lt", "lessthan", "<": return try compare("<", value, try operand())
        case "le", "<=": return try compare("<=", value, try operand())
        case "gt", "greaterthan", ">": return try compare(">", value, try operand())
        case "ge", ">=": return try compare(">=", value, try operand())
        case "filter": return Interpreter.filterNames.contains(value.pythonString)
        case "test": return Interpreter.testNames.contains(value.pythonString)
        default:
            throw TemplateError(.runtime, "No test named '\(name)'.")
        }
    }

    static let testNames: Set<String> = [
        "defined", "undefined", "none", "boolean", "true", "false", "integer", "float", "number", "string",
        "mapping", "iterable", "sequence", "callable", "sameas", "escaped", "odd", "even", "divisibleby", "lower",
        "upper", "in", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt", "greaterthan",
        ">", "ge", ">=", "filter", "test",
    ]
}
