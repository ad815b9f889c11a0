/// Bounds on the work one render may do, so that a malformed or hostile template (endless macro
/// recursion, nested `range` loops, string repetition) ends in a `TemplateError` of kind
/// `.limitExceeded` instead of a hang, a crash or an unbounded allocation.
public struct RenderLimits: Sendable, Equatable {
    /// Work units: one per statement, expression and loop iteration, plus one per character or
    /// element of every string or list built. Real chat templates use well under 1% of this for a
    /// conversation of a hundred thousand tokens.
    public var maximumWork: Int
    /// Bytes written, counting text captured by macros and `set` blocks as well as the result.
    public var maximumOutputBytes: Int
    /// Nested macro calls (and recursive loops).
    public var maximumCallDepth: Int
    /// Nesting of blocks and expressions in the source.
    public var maximumNesting: Int
    /// Stack the parser and interpreter may use, measured from where they start. Call depth and
    /// nesting multiply (a deep macro recursion of deeply nested loops), and frame sizes differ
    /// between debug and release builds, so the stack itself is what is bounded. Keep it well under
    /// the rendering thread's stack (8 MiB on the main thread; secondary threads often have 512 KiB
    /// to 8 MiB). A debug build uses about 17 KiB per macro call, a release build far less.
    public var maximumStackBytes: Int

    public init(maximumWork: Int = 20_000_000, maximumOutputBytes: Int = 16 << 20,
                maximumCallDepth: Int = 64, maximumNesting: Int = 96, maximumStackBytes: Int = 384 << 10) {
        self.maximumWork = maximumWork
        self.maximumOutputBytes = maximumOutputBytes
        self.maximumCallDepth = maximumCallDepth
        self.maximumNesting = maximumNesting
        self.maximumStackBytes = maximumStackBytes
    }

    public static let standard = RenderLimits()
}

/// Measures how deep the machine stack has grown since it was created.
struct StackGauge {
    private let base: UInt
    private let limit: UInt

    init(limit: Int) {
        var marker: UInt8 = 0
        base = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        self.limit = UInt(max(0, limit))
    }

    @inline(__always)
    func check() throws {
        var marker: UInt8 = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        // Stacks grow downward on every platform Swift runs on.
        if here < base && base - here > limit {
            throw TemplateError(.limitExceeded, "template nesting or recursion used more than \(limit >> 10) KiB of stack")
        }
    }
}

/// Variables of one frame. `for` bodies get a fresh scope per iteration and macros one per call,
/// as jinja2 compiles them; `if` shares its enclosing scope.
final class Scope {
    var variables: [String: TemplateValue] = [:]
    let parent: Scope?

    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> TemplateValue? {
        var scope: Scope? = self
        while let s = scope {
            if let value = s.variables[name] { return value }
            scope = s.parent
        }
        return nil
    }
}

/// The scope a function value renders in: a macro's defining scope, a recursive loop's enclosing one.
/// A function can be stored in a variable of that very scope or of an enclosing one (every macro
/// is: `{% macro m() %}` defines `m` where the macro closes over), a cycle of strong references
/// that would leak every value of the render, the whole conversation included. The interpreter
/// cuts these references when its render ends.
final class ScopeReference {
    private(set) var scope: Scope?
    init(_ scope: Scope) { self.scope = scope }
    func cut() { scope = nil }
}

enum ControlFlow { case normal, breakLoop, continueLoop }

/// The `loop` variable of a `for` body.
final class LoopObject: TemplateObject {
    let items: [TemplateValue]
    var index0 = 0
    let depth0: Int
    var lastChangedArguments: [TemplateValue]?
    /// Renders the loop body over other items: `loop(children)` in a `recursive` loop.
    var recurse: ((TemplateValue) throws -> String)?

    init(items: [TemplateValue], depth0: Int) {
        self.items = items
        self.depth0 = depth0
    }

    override var typeName: String { "LoopContext" }

    override func attribute(_ name: String) -> TemplateValue? {
        let length = items.count
        switch name {
        case "index": return .int(index0 + 1)
        case "index0": return .int(index0)
        case "revindex": return .int(length - index0)
        case "revindex0": return .int(length - index0 - 1)
        case "first": return .bool(index0 == 0)
        case "last": return .bool(index0 == length - 1)
        case "length": return .int(length)
        case "depth": return .int(depth0 + 1)
        case "depth0": return .int(depth0)
        case "previtem":
            return index0 > 0 ? items[index0 - 1] : .undefined(Undefined(hint: "there is no previous item"))
        case "nextitem":
            return index0 + 1 < length ? items[index0 + 1] : .undefined(Undefined(hint: "there is no next item"))
        case "cycle":
            // Strong captures: a function taken from `loop` can outlive the loop (`{% set ns.f =
            // loop.cycle %}`), and the loop object holds no function, so no cycle forms.
            return .function(TemplateFunction("cycle") { args, _ in
                guard !args.positional.isEmpty else { throw TemplateError(.runtime, "no items for cycling given") }
                return args.positional[self.index0 % args.positional.count]
            })
        case "changed":
            return .function(TemplateFunction("changed") { args, _ in
                if let last = self.lastChangedArguments, TemplateValue.list(last).pythonEquals(.list(args.positional)) {
                    return .bool(false)
                }
                self.lastChangedArguments = args.positional
                return .bool(true)
            })
        default: return nil
        }
    }
}

/// Executes a parsed template. One interpreter serves one render.
final class Interpreter {
    let limits: RenderLimits
    private let lexer: Lexer
    private var work = 0
    private var outputBytes = 0
    private var callDepth = 0
    private var output = ""
    private var stack: StackGauge
    /// Cut when the render ends (see `ScopeReference`).
    private var scopeReferences: [ScopeReference] = []

    init(limits: RenderLimits, lexer: Lexer) {
        self.limits = limits
        self.lexer = lexer
        stack = StackGauge(limit: limits.maximumStackBytes)
    }

    func render(_ body: [Statement], globals: Scope) throws -> String {
        stack = StackGauge(limit: limits.maximumStackBytes)
        defer {
            for reference in scopeReferences { reference.cut() }
            scopeReferences.removeAll()
        }
        let scope = Scope(parent: globals)
        _ = try execute(body, in: scope)
        return output
    }

    private func reference(_ scope: Scope) -> ScopeReference {
        let reference = ScopeReference(scope)
        scopeReferences.append(reference)
        return reference
    }

    private static func renderEnded(_ name: String) -> TemplateError {
        TemplateError(.runtime, "'\(name)' was called after the template finished rendering")
    }

    // MARK: Bounds

    /// Counts `units` of work against the budget.
    func charge(_ units: Int = 1) throws {
        try stack.check()
        work += units
        if work > limits.maximumWork {
            throw TemplateError(.limitExceeded, "rendering took more than \(limits.maximumWork) steps")
        }
    }

    /// Checks a string or list about to be built before allocating it.
    func chargeAllocation(_ size: Int) throws {
        guard size >= 0, size <= limits.maximumWork else {
            throw TemplateError(.limitExceeded, "a value of \(size) elements exceeds the work budget")
        }
        try charge(size)
    }

    func write(_ text: String) throws {
        outputBytes += text.utf8.count
        if outputBytes > limits.maximumOutputBytes {
            throw TemplateError(.limitExceeded, "output exceeded \(limits.maximumOutputBytes) bytes")
        }
        output += text
    }

    /// Renders into a separate buffer (macro bodies, `set` blocks, filter blocks).
    func capture(_ body: () throws -> Void) throws -> String {
        let saved = output
        output = ""
        defer { output = saved }
        try body()
        return output
    }

    func enterCall() throws {
        callDepth += 1
        if callDepth > limits.maximumCallDepth {
            throw TemplateError(.limitExceeded, "macro calls nested more than \(limits.maximumCallDepth) deep")
        }
    }

    func exitCall() { callDepth -= 1 }

    func position(of offset: Int) -> SourcePosition { lexer.position(of: offset) }

    // MARK: Statements

    func execute(_ statements: [Statement], in scope: Scope) throws -> ControlFlow {
        for statement in statements {
            let flow: ControlFlow
            do {
                flow = try execute(statement, in: scope)
            } catch let error as TemplateError {
                throw error.at(position(of: statement.offset))
            }
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func execute(_ statement: Statement, in scope: Scope) throws -> ControlFlow {
        try charge()
        switch statement.kind {
        case .text(let text):
            try write(text)
        case .output(let expr):
            try write(try evaluate(expr, in: scope).pythonString)
        case .ifChain(let branches, let otherwise):
            for branch in branches where try evaluate(branch.test, in: scope).isTruthy {
                return try execute(branch.body, in: scope)
            }
            return try execute(otherwise, in: scope)
        case .forLoop(let target, let iterableExpr, let filter, let body, let otherwise, let recursive):
            let iterable = try evaluate(iterableExpr, in: scope)
            return try runLoop(over: iterable, target: target, filter: filter, body: body, otherwise: otherwise,
                               recursive: recursive, depth0: 0, in: scope)
        case .set(let target, let expr):
            try assign(try evaluate(expr, in: scope), to: target, in: scope)
        case .setBlock(let target, let filters, let body):
            var value = TemplateValue.string(try capture { _ = try execute(body, in: Scope(parent: scope)) })
            for filter in filters {
                value = try applyFilter(filter.name, to: value, arguments: try evaluateArguments(filter.arguments, in: scope))
            }
            try assign(value, to: target, in: scope)
        case .macro(let definition):
            scope.variables[definition.name] = .function(makeMacro(name: definition.name, parameters: definition.parameters,
                                                                   body: definition.body, definedIn: scope))
        case .callBlock(let callExpr, let callerParameters, let body):
            guard case .call(let calleeExpr, let argumentExprs) = callExpr.kind else {
                throw TemplateError(.syntax, "expected call")
            }
            let caller = makeMacro(name: "caller", parameters: callerParameters, body: body, definedIn: scope)
            var arguments = try evaluateArguments(argumentExprs, in: scope)
            arguments.keywords.append(("caller", .function(caller)))
            try write(try call(try evaluate(calleeExpr, in: scope), arguments).pythonString)
        case .filterBlock(let filters, let body):
            var value = TemplateValue.string(try capture { _ = try execute(body, in: Scope(parent: scope)) })
            for filter in filters {
                value = try applyFilter(filter.name, to: value, arguments: try evaluateArguments(filter.arguments, in: scope))
            }
            try write(value.pythonString)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        case .generation(let body):
            return try execute(body, in: scope)
        }
        return .normal
    }

    private func runLoop(over iterable: TemplateValue, target: AssignTarget, filter: Expr?, body: [Statement],
                         otherwise: [Statement], recursive: Bool, depth0: Int, in scope: Scope) throws -> ControlFlow {
        var items = try iterate(iterable)
        if let filter {
            items = try items.filter { item in
                let filterScope = Scope(parent: scope)
                try assign(item, to: target, in: filterScope)
                return try evaluate(filter, in: filterScope).isTruthy
            }
        }
        if items.isEmpty { return try execute(otherwise, in: scope) }
        let loop = LoopObject(items: items, depth0: depth0)
        if recursive {
            let enclosing = reference(scope)
            loop.recurse = { [unowned self] children in
                guard let scope = enclosing.scope else { throw Self.renderEnded("loop") }
                try self.enterCall()
                defer { self.exitCall() }
                return try self.capture {
                    _ = try self.runLoop(over: children, target: target, filter: filter, body: body, otherwise: [],
                                         recursive: true, depth0: depth0 + 1, in: scope)
                }
            }
        }
        for index in items.indices {
            try charge()
            loop.index0 = index
            let iterationScope = Scope(parent: scope)
            iterationScope.variables["loop"] = .object(loop)
            try assign(items[index], to: target, in: iterationScope)
            if try execute(body, in: iterationScope) == .breakLoop { break }
        }
        return .normal
    }

    private func assign(_ value: TemplateValue, to target: AssignTarget, in scope: Scope) throws {
        switch target {
        case .name(let name):
            scope.variables[name] = value
        case .tuple(let targets):
            let items: [TemplateValue]
            switch value {
            case .list(let a), .tuple(let a): items = a
            case .string, .dict: items = try iterate(value)
            default: throw TemplateError(.runtime, "cannot unpack non-iterable \(value.pythonTypeName) object")
            }
            guard items.count == targets.count else {
                throw TemplateError(.runtime, items.count > targets.count
                    ? "too many values to unpack (expected \(targets.count))"
                    : "not enough values to unpack (expected \(targets.count), got \(items.count))")
            }
            for (item, target) in zip(items, targets) { try assign(item, to: target, in: scope) }
        case .namespaceAttribute(let name, let attribute):
            guard case .object(let object)? = scope.lookup(name), let namespace = object as? Namespace else {
                throw TemplateError(.runtime, "cannot assign attribute on non-namespace object")
            }
            namespace.attributes[attribute] = value
        }
    }

    /// A macro (or a `call` block's body as `caller`): a function rendering its body in a new scope
    /// whose parent is the scope it was defined in.
    private func makeMacro(name: String, parameters: [(name: String, defaultValue: Expr?)], body: [Statement],
                           definedIn scope: Scope) -> TemplateFunction {
        let definedIn = reference(scope)
        return TemplateFunction(name) { arguments, interpreter in
            guard let scope = definedIn.scope else { throw Interpreter.renderEnded(name) }
            try interpreter.enterCall()
            defer { interpreter.exitCall() }
            let frame = Scope(parent: scope)
            for (index, parameter) in parameters.enumerated() {
                if let value = arguments.argument(index, parameter.name) {
                    frame.variables[parameter.name] = value
                } else if let defaultValue = parameter.defaultValue {
                    frame.variables[parameter.name] = try interpreter.evaluate(defaultValue, in: frame)
                } else {
                    frame.variables[parameter.name] = .undefined(Undefined(hint: "parameter '\(parameter.name)' was not provided"))
                }
            }
            frame.variables["varargs"] = .list(Array(arguments.positional.dropFirst(parameters.count)))
            var extra = TemplateDict()
            for (key, value) in arguments.keywords where key != "caller" && !parameters.contains(where: { $0.name == key }) {
                extra[key] = value
            }
            frame.variables["kwargs"] = .dict(extra)
            if let caller = arguments.keyword("caller") { frame.variables["caller"] = caller }
            return .string(try interpreter.capture { _ = try interpreter.execute(body, in: frame) })
        }
    }

    // MARK: Iteration and calls

    /// Python's `iter(value)` as a list: dicts give their keys, strings their characters, Undefined nothing.
    func iterate(_ value: TemplateValue) throws -> [TemplateValue] {
        switch value {
        case .undefined: return []
        case .list(let a), .tuple(let a): return a
        case .dict(let d): return d.keys.map { .string($0) }
        case .string(let s):
            try charge(s.utf8.count)
            return s.unicodeScalars.map { .string(String($0)) }
        default:
            throw TemplateError(.runtime, "'\(value.pythonTypeName)' object is not iterable")
        }
    }

    func call(_ callee: TemplateValue, _ arguments: Arguments) throws -> TemplateValue {
        try charge()
        switch callee {
        case .function(let function):
            return try function.body(arguments, self)
        case .object(let loop as LoopObject):
            guard let recurse = loop.recurse else { throw TemplateError(.runtime, "'LoopContext' object is not callable; the loop is not recursive") }
            guard arguments.positional.count == 1 else { throw TemplateError(.runtime, "loop() takes exactly one argument") }
            return .string(try recurse(arguments.positional[0]))
        case .undefined(let undefined):
            throw undefinedError(undefined)
        default:
            throw TemplateError(.runtime, "'\(callee.pythonTypeName)' object is not callable")
        }
    }

    /// What using an Undefined raises: jinja2's UndefinedError, or SecurityError for a blocked attribute.
    func undefinedError(_ undefined: Undefined) -> TemplateError {
        TemplateError(.runtime, undefined.message)
    }

    func evaluateArguments(_ arguments: CallArguments, in scope: Scope) throws -> Arguments {
        Arguments(positional: try arguments.positional.map { try evaluate($0, in: scope) },
                  keywords: try arguments.keywords.map { ($0.name, try evaluate($0.value, in: scope)) })
    }
}
