import Foundation

/// Expressions and Python's operators.
extension Interpreter {
    func evaluate(_ expr: Expr, in scope: Scope) throws -> TemplateValue {
        do {
            return try evaluateUnlocated(expr, in: scope)
        } catch let error as TemplateError {
            throw error.at(position(of: expr.offset))
        }
    }

    private func evaluateUnlocated(_ expr: Expr, in scope: Scope) throws -> TemplateValue {
        try charge()
        switch expr.kind {
        case .literal(let value):
            return value
        case .name(let name):
            return scope.lookup(name) ?? .undefined(Undefined(hint: "'\(name)' is undefined"))
        case .list(let items):
            return .list(try items.map { try evaluate($0, in: scope) })
        case .tuple(let items):
            return .tuple(try items.map { try evaluate($0, in: scope) })
        case .dict(let items):
            var dict = TemplateDict()
            for item in items {
                guard case .string(let key) = try evaluate(item.key, in: scope) else {
                    throw TemplateError(.unsupported, "dictionary keys other than strings")
                }
                dict[key] = try evaluate(item.value, in: scope)
            }
            return .dict(dict)
        case .attribute(let objectExpr, let name):
            let object = try evaluate(objectExpr, in: scope)
            if case .undefined(let u) = object { throw undefinedError(u) }
            return attribute(of: object, name)
        case .item(let objectExpr, let keyExpr):
            let object = try evaluate(objectExpr, in: scope)
            if case .undefined(let u) = object { throw undefinedError(u) }
            return try item(of: object, try evaluate(keyExpr, in: scope))
        case .slice(let objectExpr, let start, let stop, let step):
            let object = try evaluate(objectExpr, in: scope)
            if case .undefined(let u) = object { throw undefinedError(u) }
            return try slice(object, start: try start.map { try evaluate($0, in: scope) },
                             stop: try stop.map { try evaluate($0, in: scope) },
                             step: try step.map { try evaluate($0, in: scope) })
        case .call(let calleeExpr, let arguments):
            let callee = try evaluate(calleeExpr, in: scope)
            return try call(callee, try evaluateArguments(arguments, in: scope))
        case .filter(let valueExpr, let name, let arguments):
            let value = try evaluate(valueExpr, in: scope)
            return try applyFilter(name, to: value, arguments: try evaluateArguments(arguments, in: scope))
        case .test(let valueExpr, let name, let arguments):
            let value = try evaluate(valueExpr, in: scope)
            return .bool(try applyTest(name, to: value, arguments: try evaluateArguments(arguments, in: scope)))
        case .not(let operand):
            return .bool(!(try evaluate(operand, in: scope).isTruthy))
        case .negate(let operand):
            return try negate(try evaluate(operand, in: scope))
        case .plus(let operand):
            let value = try evaluate(operand, in: scope)
            if case .undefined(let u) = value { throw undefinedError(u) }
            guard value.isNumber else { throw TemplateError(.runtime, "bad operand type for unary +: '\(value.pythonTypeName)'") }
            if case .bool(let b) = value { return .int(b ? 1 : 0) }
            return value
        case .binary("and", let left, let right):
            let l = try evaluate(left, in: scope)
            return l.isTruthy ? try evaluate(right, in: scope) : l
        case .binary("or", let left, let right):
            let l = try evaluate(left, in: scope)
            return l.isTruthy ? l : try evaluate(right, in: scope)
        case .binary(let op, let left, let right):
            return try arithmetic(op, try evaluate(left, in: scope), try evaluate(right, in: scope))
        case .compare(let first, let operations):
            var left = try evaluate(first, in: scope)
            for operation in operations {
                let right = try evaluate(operation.operand, in: scope)
                guard try compare(operation.op, left, right) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .concat(let operands):
            var text = ""
            for operand in operands {
                let piece = try evaluate(operand, in: scope).pythonString
                try charge(piece.utf8.count)
                text += piece
            }
            return .string(text)
        case .conditional(let test, let then, let otherwise):
            if try evaluate(test, in: scope).isTruthy { return try evaluate(then, in: scope) }
            if let otherwise { return try evaluate(otherwise, in: scope) }
            return .undefined(Undefined(hint: "the inline if-expression evaluated to false and no else section was defined."))
        }
    }

    // MARK: Comparison

    func compare(_ op: String, _ left: TemplateValue, _ right: TemplateValue) throws -> Bool {
        try charge(min(left.workSize, right.workSize))
        switch op {
        case "==": return left.pythonEquals(right)
        case "!=": return !left.pythonEquals(right)
        case "in": return try contains(right, left)
        case "not in": return !(try contains(right, left))
        default:
            if case .undefined(let u) = left { throw undefinedError(u) }
            if case .undefined(let u) = right { throw undefinedError(u) }
            let order = try left.pythonCompare(right, op)
            if order == 2 { return false }  // NaN
            switch op {
            case "<": return order < 0
            case "<=": return order <= 0
            case ">": return order > 0
            default: return order >= 0
            }
        }
    }

    /// Python's `needle in container`.
    func contains(_ container: TemplateValue, _ needle: TemplateValue) throws -> Bool {
        switch container {
        case .string(let haystack):
            guard case .string(let s) = needle else {
                throw TemplateError(.runtime, "'in <string>' requires string as left operand, not \(needle.pythonTypeName)")
            }
            try charge(haystack.utf8.count)
            return !PythonString.occurrences(of: s, in: haystack).isEmpty
        case .list(let items), .tuple(let items):
            try charge(items.count)
            return items.contains { $0.pythonEquals(needle) }
        case .dict(let d):
            guard case .string(let key) = needle else { return false }
            return d[key] != nil
        case .undefined:
            return false
        default:
            throw TemplateError(.runtime, "argument of type '\(container.pythonTypeName)' is not iterable")
        }
    }

    // MARK: Arithmetic

    private func negate(_ value: TemplateValue) throws -> TemplateValue {
        switch value {
        case .undefined(let u): throw undefinedError(u)
        case .float(let d): return .float(-d)
        default:
            guard let i = value.asInt else { throw TemplateError(.runtime, "bad operand type for unary -: '\(value.pythonTypeName)'") }
            guard i != Int.min else { throw integerOverflow() }
            return .int(-i)
        }
    }

    private func integerOverflow() -> TemplateError {
        TemplateError(.limitExceeded, "integer result does not fit in 64 bits")
    }

    private func unsupportedOperands(_ op: String, _ l: TemplateValue, _ r: TemplateValue) -> TemplateError {
        TemplateError(.runtime, "unsupported operand type(s) for \(op): '\(l.pythonTypeName)' and '\(r.pythonTypeName)'")
    }

    func arithmetic(_ op: String, _ l: TemplateValue, _ r: TemplateValue) throws -> TemplateValue {
        if case .undefined(let u) = l { throw undefinedError(u) }
        if case .undefined(let u) = r { throw undefinedError(u) }
        switch op {
        case "+":
            switch (l, r) {
            case (.string(let a), .string(let b)):
                try charge(a.utf8.count + b.utf8.count)
                return .string(a + b)
            case (.list(let a), .list(let b)):
                try chargeAllocation(a.count + b.count)
                return .list(a + b)
            case (.tuple(let a), .tuple(let b)):
                try chargeAllocation(a.count + b.count)
                return .tuple(a + b)
            case (.string, _):
                throw TemplateError(.runtime, "can only concatenate str (not \"\(r.pythonTypeName)\") to str")
            case (.list, _):
                throw TemplateError(.runtime, "can only concatenate list (not \"\(r.pythonTypeName)\") to list")
            default: break
            }
        case "*":
            if let (sequence, count) = repetitionOperands(l, r) {
                let times = max(0, count)
                switch sequence {
                case .string(let s):
                    let (size, overflow) = s.utf8.count.multipliedReportingOverflow(by: times)
                    if overflow { throw integerOverflow() }
                    try chargeAllocation(size)
                    return .string(String(repeating: s, count: times))
                case .list(let a), .tuple(let a):
                    let (size, overflow) = a.count.multipliedReportingOverflow(by: times)
                    if overflow { throw integerOverflow() }
                    try chargeAllocation(size)
                    let repeated = Array([[TemplateValue]](repeating: a, count: times).joined())
                    if case .tuple = sequence { return .tuple(repeated) }
                    return .list(repeated)
                default: break
                }
            }
        case "%":
            if case .string = l { throw TemplateError(.unsupported, "printf-style string formatting with %") }
        default: break
        }
        if let a = l.asInt, let b = r.asInt { return try integerArithmetic(op, a, b) }
        if let a = l.asDouble, let b = r.asDouble { return try floatArithmetic(op, a, b) }
        throw unsupportedOperands(op, l, r)
    }

    private func repetitionOperands(_ l: TemplateValue, _ r: TemplateValue) -> (TemplateValue, Int)? {
        switch (l, r) {
        case (.string, _), (.list, _), (.tuple, _): return r.asInt.map { (l, $0) }
        case (_, .string), (_, .list), (_, .tuple): return l.asInt.map { (r, $0) }
        default: return nil
        }
    }

    private func integerArithmetic(_ op: String, _ a: Int, _ b: Int) throws -> TemplateValue {
        func checked(_ result: (partialValue: Int, overflow: Bool)) throws -> TemplateValue {
            if result.overflow { throw integerOverflow() }
            return .int(result.partialValue)
        }
        switch op {
        case "+": return try checked(a.addingReportingOverflow(b))
        case "-": return try checked(a.subtractingReportingOverflow(b))
        case "*": return try checked(a.multipliedReportingOverflow(by: b))
        case "/":
            guard b != 0 else { throw TemplateError(.runtime, "division by zero") }
            return .float(Double(a) / Double(b))
        case "//", "%":
            guard b != 0 else { throw TemplateError(.runtime, "integer division or modulo by zero") }
            if a == Int.min && b == -1 { throw integerOverflow() }
            // Python floors the quotient; the remainder takes the divisor's sign.
            var quotient = a / b
            var remainder = a % b
            if remainder != 0 && ((remainder < 0) != (b < 0)) {
                quotient -= 1
                remainder += b
            }
            return .int(op == "//" ? quotient : remainder)
        case "**":
            if b < 0 {
                guard a != 0 else { throw TemplateError(.runtime, "0.0 cannot be raised to a negative power") }
                return .float(pow(Double(a), Double(b)))
            }
            var result = 1
            var base = a
            var exponent = b
            while exponent > 0 {
                try charge()
                if exponent & 1 == 1 {
                    let (r, o) = result.multipliedReportingOverflow(by: base)
                    if o { throw integerOverflow() }
                    result = r
                }
                exponent >>= 1
                if exponent > 0 {
                    let (s, o) = base.multipliedReportingOverflow(by: base)
                    if o { throw integerOverflow() }
                    base = s
                }
            }
            return .int(result)
        default:
            throw TemplateError(.runtime, "unknown operator \(op)")
        }
    }

    private func floatArithmetic(_ op: String, _ a: Double, _ b: Double) throws -> TemplateValue {
        switch op {
        case "+": return .float(a + b)
        case "-": return .float(a - b)
        case "*": return .float(a * b)
        case "/":
            guard b != 0 else { throw TemplateError(.runtime, "float division by zero") }
            return .float(a / b)
        case "//":
            guard b != 0 else { throw TemplateError(.runtime, "float floor division by zero") }
            return .float((a / b).rounded(.down))
        case "%":
            guard b != 0 else { throw TemplateError(.runtime, "float modulo") }
            var r = fmod(a, b)
            if r != 0 && ((r < 0) != (b < 0)) { r += b }
            return .float(r)
        case "**":
            if a == 0 && b < 0 { throw TemplateError(.runtime, "0.0 cannot be raised to a negative power") }
            return .float(pow(a, b))
        default:
            throw TemplateError(.runtime, "unknown operator \(op)")
        }
    }

    // MARK: Indexing

    /// Python's index normalization: negative counts from the end; nil when out of range.
    private func normalizedIndex(_ key: TemplateValue, count: Int) -> Int? {
        guard let i = key.asInt else { return nil }
        let index = i < 0 ? i + count : i
        return (0..<count).contains(index) ? index : nil
    }

    /// jinja2's `getitem`: the item if there is one, else the attribute of that name, else Undefined.
    func item(of object: TemplateValue, _ key: TemplateValue) throws -> TemplateValue {
        switch object {
        case .dict(let d):
            if case .string(let k) = key, let value = d[k] { return value }
        case .list(let items), .tuple(let items):
            if let i = normalizedIndex(key, count: items.count) { return items[i] }
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            if let i = normalizedIndex(key, count: scalars.count) { return .string(String(scalars[i])) }
        default: break
        }
        if case .string(let name) = key { return attribute(of: object, name) }
        return .undefined(Undefined(hint: "\(describeObject(object)) has no element \(key.pythonRepr)"))
    }

    func slice(_ object: TemplateValue, start: TemplateValue?, stop: TemplateValue?, step: TemplateValue?) throws -> TemplateValue {
        func bound(_ value: TemplateValue?) throws -> Int? {
            guard let value, !value.isNull else { return nil }
            guard let i = value.asInt else { throw TemplateError(.runtime, "slice indices must be integers or None") }
            return i
        }
        let stride = try bound(step) ?? 1
        guard stride != 0 else { throw TemplateError(.runtime, "slice step cannot be zero") }
        func indices(count: Int) throws -> [Int] {
            // Python's slice.indices(): clamp into range, defaults depend on the step's sign.
            func clamp(_ i: Int?, _ defaultValue: Int) -> Int {
                guard var i else { return defaultValue }
                if i < 0 { i += count; if i < 0 { i = stride < 0 ? -1 : 0 } }
                else if i >= count { i = stride < 0 ? count - 1 : count }
                return i
            }
            let lower = clamp(try bound(start), stride < 0 ? count - 1 : 0)
            let upper = clamp(try bound(stop), stride < 0 ? -1 : count)
            try charge(count)
            return Array(Swift.stride(from: lower, to: upper, by: stride))
        }
        switch object {
        case .list(let items): return .list(try indices(count: items.count).map { items[$0] })
        case .tuple(let items): return .tuple(try indices(count: items.count).map { items[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            for i in try indices(count: scalars.count) { out.append(scalars[i]) }
            return .string(String(out))
        default:
            throw TemplateError(.runtime, "'\(object.pythonTypeName)' object is not subscriptable")
        }
    }

    /// How jinja2 names an object in "has no attribute" messages.
    func describeObject(_ object: TemplateValue) -> String {
        switch object {
        case .none: return "'None'"
        case .object(let o): return "'\(o.typeName) object'"
        default: return "'\(object.pythonTypeName) object'"
        }
    }
}

extension TemplateValue {
    var isNull: Bool {
        if case .none = self { return true }
        return false
    }
}
