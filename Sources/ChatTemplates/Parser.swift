/// A recursive-descent parser following jinja2's `parser.py` rule for rule, so that precedence
/// and the odd corners (left-associative `**`, filters binding tighter than unary minus,
/// `x if c` without `else`, adjacent string literals joining) come out the same.
struct Parser {
    private let tokens: [Token]
    private let lexer: Lexer
    private var index = 0
    private var depth = 0
    private var loopDepth = 0
    private let maximumDepth: Int
    private let stack: StackGauge

    init(source: String, maximumDepth: Int, maximumStackBytes: Int) throws {
        stack = StackGauge(limit: maximumStackBytes)
        var lexer = Lexer(source)
        tokens = try lexer.tokenize()
        self.lexer = lexer
        self.maximumDepth = maximumDepth
    }

    var lexerForPositions: Lexer { lexer }

    // MARK: Token stream

    private var current: Token { tokens[index] }
    private var next: Token { tokens[min(index + 1, tokens.count - 1)] }

    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func error(_ message: String, at offset: Int? = nil) -> TemplateError {
        let p = lexer.position(of: offset ?? current.offset)
        return TemplateError(.syntax, message, line: p.line, column: p.column)
    }

    private func isName(_ name: String, _ token: Token? = nil) -> Bool {
        (token ?? current).kind == .name(name)
    }

    private func isOp(_ op: String, _ token: Token? = nil) -> Bool {
        (token ?? current).kind == .op(op)
    }

    private mutating func skip(op: String) -> Bool {
        guard isOp(op) else { return false }
        _ = advance()
        return true
    }

    private mutating func skip(name: String) -> Bool {
        guard isName(name) else { return false }
        _ = advance()
        return true
    }

    private mutating func expect(op: String) throws {
        guard skip(op: op) else { throw error("expected '\(op)', got \(describe(current))") }
    }

    private mutating func expectName() throws -> String {
        guard case .name(let name) = current.kind else { throw error("expected a name, got \(describe(current))") }
        _ = advance()
        return name
    }

    private mutating func expectBlockEnd() throws {
        guard current.kind == .blockEnd else { throw error("expected end of statement block, got \(describe(current))") }
        _ = advance()
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .data: return "template data"
        case .variableBegin: return "'{{'"
        case .variableEnd: return "end of print statement"
        case .blockBegin: return "'{%'"
        case .blockEnd: return "end of statement block"
        case .name(let n): return "'\(n)'"
        case .string: return "string literal"
        case .integer(let i): return "'\(i)'"
        case .float(let d): return "'\(d)'"
        case .op(let o): return "'\(o)'"
        case .end: return "end of template"
        }
    }

    private mutating func nest() throws {
        do { try stack.check() } catch let e as TemplateError { throw e.at(lexer.position(of: current.offset)) }
        depth += 1
        if depth > maximumDepth {
            throw TemplateError(.limitExceeded, "template nested more than \(maximumDepth) levels deep").at(lexer.position(of: current.offset))
        }
    }

    // MARK: Statements

    mutating func parseTemplate() throws -> [Statement] {
        let (body, _) = try subparse(endTags: [], innermost: nil)
        return body
    }

    /// Parses until a block whose first name is one of `endTags`, leaving that name current.
    private mutating func subparse(endTags: [String], innermost: String?) throws -> ([Statement], String?) {
        var body: [Statement] = []
        while true {
            let token = current
            switch token.kind {
            case .data(let text):
                _ = advance()
                body.append(Statement(kind: .text(text), offset: token.offset))
            case .variableBegin:
                _ = advance()
                let expr = try parseTuple(withConditional: true)
                guard current.kind == .variableEnd else { throw error("expected end of print statement, got \(describe(current))") }
                _ = advance()
                body.append(Statement(kind: .output(expr), offset: token.offset))
            case .blockBegin:
                _ = advance()
                if case .name(let name) = current.kind, endTags.contains(name) { return (body, name) }
                body.append(try parseStatement())
                try expectBlockEnd()
            case .end:
                if let innermost {
                    let wanted = endTags.map { "'\($0)'" }.joined(separator: " or ")
                    throw error("unexpected end of template; looking for \(wanted) to close '\(innermost)'")
                }
                return (body, nil)
            default:
                throw error("unexpected \(describe(token))")
            }
        }
    }

    /// Expects the end of the opening tag, then parses a body up to one of `endTags`, which it
    /// consumes; returns the body and the end tag met.
    private mutating func parseBody(_ endTags: [String], opening: String) throws -> ([Statement], String) {
        try nest()
        defer { depth -= 1 }
        try expectBlockEnd()
        let (body, end) = try subparse(endTags: endTags, innermost: opening)
        _ = advance()
        return (body, end!)
    }

    private mutating func parseStatement() throws -> Statement {
        let offset = current.offset
        guard case .name(let keyword) = current.kind else { throw error("tag name expected") }
        _ = advance()
        switch keyword {
        case "if": return Statement(kind: try parseIf(), offset: offset)
        case "for": return Statement(kind: try parseFor(), offset: offset)
        case "set": return Statement(kind: try parseSet(), offset: offset)
        case "macro":
            let name = try expectName()
            let parameters = try parseSignature()
            let savedLoopDepth = loopDepth
            loopDepth = 0
            defer { loopDepth = savedLoopDepth }
            let (body, _) = try parseBody(["endmacro"], opening: "macro")
            return Statement(kind: .macro(MacroDefinition(name: name, parameters: parameters, body: body, offset: offset)), offset: offset)
        case "call":
            let parameters = isOp("(") ? try parseSignature() : []
            let call = try parseExpression(withConditional: true)
            guard case .call = call.kind else { throw error("expected call", at: call.offset) }
            let (body, _) = try parseBody(["endcall"], opening: "call")
            return Statement(kind: .callBlock(call: call, callerParameters: parameters, body: body), offset: offset)
        case "filter":
            let filters = try parseFilterChain(startInline: true)
            let (body, _) = try parseBody(["endfilter"], opening: "filter")
            return Statement(kind: .filterBlock(filters: filters, body: body), offset: offset)
        case "print":
            return Statement(kind: .output(try parseTuple(withConditional: true)), offset: offset)
        case "break", "continue":
            guard loopDepth > 0 else { throw error("'\(keyword)' outside of a loop", at: offset) }
            return Statement(kind: keyword == "break" ? .breakLoop : .continueLoop, offset: offset)
        case "generation":
            let (body, _) = try parseBody(["endgeneration"], opening: "generation")
            return Statement(kind: .generation(body), offset: offset)
        case "include", "import", "from", "extends", "block":
            throw TemplateError(.unsupported, "'\(keyword)' needs a template loader, which chat templates do not have")
                .at(lexer.position(of: offset))
        default:
            throw error("Encountered unknown tag '\(keyword)'.", at: offset)
        }
    }

    private mutating func parseIf() throws -> Statement.Kind {
        var branches: [(test: Expr, body: [Statement])] = []
        var otherwise: [Statement] = []
        while true {
            let test = try parseTuple(withConditional: false)
            let (body, end) = try parseBody(["elif", "else", "endif"], opening: "if")
            branches.append((test, body))
            if end == "elif" { continue }
            if end == "else" { otherwise = try parseBody(["endif"], opening: "if").0 }
            return .ifChain(branches: branches, otherwise: otherwise)
        }
    }

    private mutating func parseFor() throws -> Statement.Kind {
        let target = try parseAssignTarget(endNames: ["in"])
        guard skip(name: "in") else { throw error("expected 'in', got \(describe(current))") }
        let iterable = try parseTuple(withConditional: false, endNames: ["recursive"])
        let filter = skip(name: "if") ? try parseExpression(withConditional: true) : nil
        let recursive = skip(name: "recursive")
        loopDepth += 1
        let (body, end) = try parseBody(["endfor", "else"], opening: "for")
        loopDepth -= 1
        // `break` in a for's else block belongs to an enclosing loop, if any.
        let otherwise = end == "else" ? try parseBody(["endfor"], opening: "for").0 : []
        return .forLoop(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise, recursive: recursive)
    }

    private mutating func parseSet() throws -> Statement.Kind {
        let target: AssignTarget
        if case .name(let namespace) = current.kind, isOp(".", next) {
            _ = advance(); _ = advance()
            target = .namespaceAttribute(namespace, try expectName())
        } else {
            target = try parseAssignTarget(endNames: [])
        }
        if skip(op: "=") {
            return .set(target, try parseTuple(withConditional: true))
        }
        let filters = try parseFilterChain(startInline: false)
        let (body, _) = try parseBody(["endset"], opening: "set")
        return .setBlock(target, filters: filters, body: body)
    }

    /// A name, or names separated by commas (optionally parenthesized), for `for` and `set`.
    private mutating func parseAssignTarget(endNames: [String]) throws -> AssignTarget {
        var targets: [AssignTarget] = []
        var isTuple = false
        while true {
            if !targets.isEmpty { try expect(op: ",") }
            if isTupleEnd(endNames) { break }
            if skip(op: "(") {
                targets.append(try parseAssignTarget(endNames: []))
                try expect(op: ")")
            } else {
                let offset = current.offset
                let name = try expectName()
                if ["true", "false", "none", "True", "False", "None"].contains(name) {
                    throw error("can't assign to const", at: offset)
                }
                targets.append(.name(name))
            }
            guard isOp(",") else { break }
            isTuple = true
        }
        if targets.isEmpty { throw error("expected an assignment target, got \(describe(current))") }
        return isTuple ? .tuple(targets) : targets[0]
    }

    private mutating func parseSignature() throws -> [(name: String, defaultValue: Expr?)] {
        try expect(op: "(")
        var parameters: [(name: String, defaultValue: Expr?)] = []
        while !isOp(")") {
            if !parameters.isEmpty { try expect(op: ",") }
            let name = try expectName()
            if skip(op: "=") {
                parameters.append((name, try parseExpression(withConditional: true)))
            } else {
                if parameters.contains(where: { $0.defaultValue != nil }) {
                    throw error("non-default argument follows default argument")
                }
                parameters.append((name, nil))
            }
        }
        try expect(op: ")")
        return parameters
    }

    private mutating func parseFilterChain(startInline: Bool) throws -> [(name: String, arguments: CallArguments)] {
        var filters: [(name: String, arguments: CallArguments)] = []
        var inline = startInline
        while inline || skip(op: "|") {
            inline = false
            let name = try expectName()
            filters.append((name, isOp("(") ? try parseCallArguments() : CallArguments()))
        }
        return filters
    }

    // MARK: Expressions

    private func isTupleEnd(_ endNames: [String]) -> Bool {
        switch current.kind {
        case .variableEnd, .blockEnd, .end: return true
        case .op(")"): return true
        case .name(let n): return endNames.contains(n)
        default: return false
        }
    }

    private mutating func parseTuple(withConditional: Bool, endNames: [String] = [], explicitParentheses: Bool = false) throws -> Expr {
        let offset = current.offset
        var items: [Expr] = []
        var isTuple = false
        while true {
            if !items.isEmpty { try expect(op: ",") }
            if isTupleEnd(endNames) { break }
            items.append(try parseExpression(withConditional: withConditional))
            guard isOp(",") else { break }
            isTuple = true
        }
        if !isTuple {
            if let only = items.first { return only }
            if !explicitParentheses { throw error("expected an expression, got \(describe(current))") }
        }
        return Expr(kind: .tuple(items), offset: offset)
    }

    private mutating func parseExpression(withConditional: Bool) throws -> Expr {
        withConditional ? try parseConditional() : try parseOr()
    }

    private mutating func parseConditional() throws -> Expr {
        try nest()
        defer { depth -= 1 }
        var expr = try parseOr()
        while skip(name: "if") {
            let test = try parseOr()
            let otherwise = skip(name: "else") ? try parseConditional() : nil
            expr = Expr(kind: .conditional(test: test, then: expr, otherwise: otherwise), offset: expr.offset)
        }
        return expr
    }

    private mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while skip(name: "or") { left = Expr(kind: .binary("or", left, try parseAnd()), offset: left.offset) }
        return left
    }

    private mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while skip(name: "and") { left = Expr(kind: .binary("and", left, try parseNot()), offset: left.offset) }
        return left
    }

    private mutating func parseNot() throws -> Expr {
        let offset = current.offset
        if skip(name: "not") {
            try nest()
            defer { depth -= 1 }
            return Expr(kind: .not(try parseNot()), offset: offset)
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws -> Expr {
        let left = try parseMath1()
        var operations: [(op: String, operand: Expr)] = []
        while true {
            if case .op(let op) = current.kind, ["==", "!=", "<", "<=", ">", ">="].contains(op) {
                _ = advance()
                operations.append((op, try parseMath1()))
            } else if skip(name: "in") {
                operations.append(("in", try parseMath1()))
            } else if isName("not"), isName("in", next) {
                _ = advance(); _ = advance()
                operations.append(("not in", try parseMath1()))
            } else {
                break
            }
        }
        return operations.isEmpty ? left : Expr(kind: .compare(left, operations), offset: left.offset)
    }

    private mutating func parseMath1() throws -> Expr {
        var left = try parseConcat()
        while case .op(let op) = current.kind, op == "+" || op == "-" {
            _ = advance()
            left = Expr(kind: .binary(op, left, try parseConcat()), offset: left.offset)
        }
        return left
    }

    private mutating func parseConcat() throws -> Expr {
        var operands = [try parseMath2()]
        while skip(op: "~") { operands.append(try parseMath2()) }
        return operands.count == 1 ? operands[0] : Expr(kind: .concat(operands), offset: operands[0].offset)
    }

    private mutating func parseMath2() throws -> Expr {
        var left = try parsePow()
        while case .op(let op) = current.kind, ["*", "/", "//", "%"].contains(op) {
            _ = advance()
            left = Expr(kind: .binary(op, left, try parsePow()), offset: left.offset)
        }
        return left
    }

    private mutating func parsePow() throws -> Expr {
        var left = try parseUnary(withFilter: true)
        while skip(op: "**") { left = Expr(kind: .binary("**", left, try parseUnary(withFilter: true)), offset: left.offset) }
        return left
    }

    private mutating func parseUnary(withFilter: Bool) throws -> Expr {
        try nest()
        defer { depth -= 1 }
        let offset = current.offset
        var node: Expr
        if skip(op: "-") {
            node = Expr(kind: .negate(try parseUnary(withFilter: false)), offset: offset)
        } else if skip(op: "+") {
            node = Expr(kind: .plus(try parseUnary(withFilter: false)), offset: offset)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilterExpression(node) }
        return node
    }

    private mutating func parsePrimary() throws -> Expr {
        let token = current
        switch token.kind {
        case .name(let name):
            _ = advance()
            switch name {
            case "true", "True": return Expr(kind: .literal(.bool(true)), offset: token.offset)
            case "false", "False": return Expr(kind: .literal(.bool(false)), offset: token.offset)
            case "none", "None": return Expr(kind: .literal(.none), offset: token.offset)
            default: return Expr(kind: .name(name), offset: token.offset)
            }
        case .string(var text):
            _ = advance()
            while case .string(let more) = current.kind { text += more; _ = advance() }
            return Expr(kind: .literal(.string(text)), offset: token.offset)
        case .integer(let i):
            _ = advance()
            return Expr(kind: .literal(.int(i)), offset: token.offset)
        case .float(let d):
            _ = advance()
            return Expr(kind: .literal(.float(d)), offset: token.offset)
        case .op("("):
            _ = advance()
            let expr = try parseTuple(withConditional: true, explicitParentheses: true)
            try expect(op: ")")
            return expr
        case .op("["):
            _ = advance()
            var items: [Expr] = []
            while !isOp("]") {
                if !items.isEmpty { try expect(op: ",") }
                if isOp("]") { break }
                items.append(try parseExpression(withConditional: true))
            }
            try expect(op: "]")
            return Expr(kind: .list(items), offset: token.offset)
        case .op("{"):
            _ = advance()
            var items: [(key: Expr, value: Expr)] = []
            while !isOp("}") {
                if !items.isEmpty { try expect(op: ",") }
                if isOp("}") { break }
                let key = try parseExpression(withConditional: true)
                try expect(op: ":")
                items.append((key, try parseExpression(withConditional: true)))
            }
            try expect(op: "}")
            return Expr(kind: .dict(items), offset: token.offset)
        default:
            throw error("unexpected \(describe(token))")
        }
    }

    private mutating func parsePostfix(_ start: Expr) throws -> Expr {
        var node = start
        while true {
            let offset = current.offset
            if skip(op: ".") {
                switch current.kind {
                case .name(let name):
                    _ = advance()
                    node = Expr(kind: .attribute(node, name), offset: offset)
                case .integer(let i):
                    _ = advance()
                    node = Expr(kind: .item(node, Expr(kind: .literal(.int(i)), offset: offset)), offset: offset)
                default:
                    throw error("expected name or number")
                }
            } else if skip(op: "[") {
                node = try parseSubscript(node, offset: offset)
            } else if isOp("(") {
                node = Expr(kind: .call(node, try parseCallArguments()), offset: offset)
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(_ node: Expr, offset: Int) throws -> Expr {
        var start: Expr? = nil
        if !isOp(":") {
            start = try parseExpression(withConditional: true)
            if skip(op: "]") { return Expr(kind: .item(node, start!), offset: offset) }
            if isOp(",") { throw TemplateError(.unsupported, "tuple subscripts").at(lexer.position(of: current.offset)) }
        }
        try expect(op: ":")
        var stop: Expr? = nil
        var step: Expr? = nil
        if !isOp(":") && !isOp("]") { stop = try parseExpression(withConditional: true) }
        if skip(op: ":"), !isOp("]") { step = try parseExpression(withConditional: true) }
        try expect(op: "]")
        return Expr(kind: .slice(node, start: start, stop: stop, step: step), offset: offset)
    }

    private mutating func parseCallArguments() throws -> CallArguments {
        let offset = current.offset
        try expect(op: "(")
        var arguments = CallArguments()
        while !isOp(")") {
            if !arguments.positional.isEmpty || !arguments.keywords.isEmpty {
                try expect(op: ",")
                if isOp(")") { break }
            }
            if isOp("*") || isOp("**") {
                throw TemplateError(.unsupported, "*args and **kwargs in calls").at(lexer.position(of: current.offset))
            }
            if case .name(let name) = current.kind, isOp("=", next) {
                _ = advance(); _ = advance()
                arguments.keywords.append((name, try parseExpression(withConditional: true)))
            } else {
                guard arguments.keywords.isEmpty else { throw error("invalid syntax for function call expression", at: offset) }
                arguments.positional.append(try parseExpression(withConditional: true))
            }
        }
        try expect(op: ")")
        return arguments
    }

    private mutating func parseFilterExpression(_ start: Expr) throws -> Expr {
        var node = start
        while true {
            let offset = current.offset
            if skip(op: "|") {
                let name = try expectName()
                let arguments = isOp("(") ? try parseCallArguments() : CallArguments()
                node = Expr(kind: .filter(node, name: name, arguments), offset: offset)
            } else if skip(name: "is") {
                let negated = skip(name: "not")
                let name = try expectName()
                var arguments = CallArguments()
                if isOp("(") {
                    arguments = try parseCallArguments()
                } else if startsTestArgument, !isName("else"), !isName("or"), !isName("and") {
                    if isName("is") { throw error("You cannot chain multiple tests with is") }
                    arguments.positional = [try parsePostfix(try parsePrimary())]
                }
                node = Expr(kind: .test(node, name: name, arguments), offset: offset)
                if negated { node = Expr(kind: .not(node), offset: offset) }
            } else if isOp("(") {
                node = Expr(kind: .call(node, try parseCallArguments()), offset: offset)
            } else {
                return node
            }
        }
    }

    /// jinja2 lets a test take one argument without parentheses: `x is divisibleby 3`.
    private var startsTestArgument: Bool {
        switch current.kind {
        case .name, .string, .integer, .float, .op("("), .op("["), .op("{"): return true
        default: return false
        }
    }
}
