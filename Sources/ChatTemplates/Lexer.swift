/// A token of template source, with where it starts.
struct Token {
    enum Kind: Equatable {
        case data(String)
        case variableBegin, variableEnd, blockBegin, blockEnd
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        case op(String)
        case end
    }

    var kind: Kind
    var offset: Int  // index into the lexer's scalar array
}

/// Splits a template into text and tag tokens exactly as jinja2's lexer does with
/// `trim_blocks=True, lstrip_blocks=True` (Hugging Face's chat template settings):
///
/// - newlines are normalized to "\n" and one trailing newline is dropped (`keep_trailing_newline=False`);
/// - `{%- ... -%}`, `{{- ... -}}`, `{#- ... -#}` strip all whitespace on that side;
/// - `trim_blocks` removes the first newline after a block or comment tag (`+%}` keeps it);
/// - `lstrip_blocks` removes spaces and tabs between a line's start and a block or comment tag
///   (`{%+` keeps them), "line's start" including the position right after a tag that itself
///   consumed a newline;
/// - inside tags, end delimiters only count when brackets are balanced (`{{ {'a': 1} }}`).
struct Lexer {
    let source: [Unicode.Scalar]
    private var pos = 0
    private var tokens: [Token] = []
    /// Whether the last consumed piece of source ended with a newline (jinja2's `line_starting`).
    private var lineStarting = true

    init(_ text: String) {
        // jinja2 splits on \r\n, \r and \n, drops one trailing empty line, and joins with "\n".
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        var previousWasCR = false
        for s in text.unicodeScalars {
            if s == "\r" {
                scalars.append("\n")
                previousWasCR = true
                continue
            }
            if s == "\n" && previousWasCR { previousWasCR = false; continue }
            previousWasCR = false
            scalars.append(s)
        }
        if scalars.last == "\n" { scalars.removeLast() }
        source = scalars
    }

    func position(of offset: Int) -> SourcePosition {
        var line = 1, column = 1
        for s in source[0..<min(offset, source.count)] {
            if s == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return SourcePosition(line: line, column: column)
    }

    private func error(_ message: String, at offset: Int) -> TemplateError {
        let p = position(of: offset)
        return TemplateError(.syntax, message, line: p.line, column: p.column)
    }

    private func matches(_ text: String, at offset: Int) -> Bool {
        var i = offset
        for s in text.unicodeScalars {
            guard i < source.count, source[i] == s else { return false }
            i += 1
        }
        return true
    }

    private func skipWhitespace(from offset: Int) -> Int {
        var i = offset
        while i < source.count, source[i].isPythonSpace { i += 1 }
        return i
    }

    mutating func tokenize() throws -> [Token] {
        while pos < source.count {
            try lexRoot()
        }
        tokens.append(Token(kind: .end, offset: source.count))
        return tokens
    }

    // MARK: Text and tag starts

    private enum TagKind { case variable, block, comment, raw }

    /// Finds the next tag start at or after `from`: its offset, kind, strip sign and length.
    private func nextTag(from start: Int) -> (offset: Int, kind: TagKind, sign: Unicode.Scalar?, length: Int)? {
        var i = start
        while i + 1 < source.count {
            if source[i] == "{" {
                let kind: TagKind?
                switch source[i + 1] {
                case "{": kind = .variable
                case "%": kind = .block
                case "#": kind = .comment
                default: kind = nil
                }
                if var kind {
                    var length = 2
                    var sign: Unicode.Scalar? = nil
                    if i + 2 < source.count, source[i + 2] == "-" || source[i + 2] == "+" {
                        sign = source[i + 2]
                        length = 3
                    }
                    if kind == .block, let rawLength = rawBeginLength(at: i + length) {
                        kind = .raw
                        length += rawLength
                    }
                    return (i, kind, sign, length)
                }
            }
            i += 1
        }
        return nil
    }

    /// Length of `\s*raw\s*(-%}\s*|%})` at `offset`, if the block there is `raw`.
    private func rawBeginLength(at offset: Int) -> Int? {
        var i = skipWhitespace(from: offset)
        guard matches("raw", at: i) else { return nil }
        i = skipWhitespace(from: i + 3)
        if matches("-%}", at: i) { return skipWhitespace(from: i + 3) - offset }
        if matches("%}", at: i) { return i + 2 - offset }
        return nil
    }

    /// Applies `-` stripping or `lstrip_blocks` to the text before a tag.
    private func stripText(_ text: ArraySlice<Unicode.Scalar>, sign: Unicode.Scalar?, lstrip: Bool) -> ArraySlice<Unicode.Scalar> {
        if sign == "-" {
            var end = text.endIndex
            while end > text.startIndex, text[end - 1].isPythonSpace { end -= 1 }
            return text[text.startIndex..<end]
        }
        guard sign != "+", lstrip else { return text }
        let lineStart = (text.lastIndex(of: "\n").map { $0 + 1 }) ?? text.startIndex
        guard lineStart > text.startIndex || lineStarting else { return text }
        let rest = text[lineStart...]
        if !rest.isEmpty && rest.allSatisfy({ $0.isPythonSpace }) { return text[text.startIndex..<lineStart] }
        return text
    }

    private mutating func emitData(_ text: ArraySlice<Unicode.Scalar>, at offset: Int) {
        guard !text.isEmpty else { return }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: text)
        tokens.append(Token(kind: .data(String(s)), offset: offset))
    }

    private mutating func lexRoot() throws {
        guard let tag = nextTag(from: pos) else {
            emitData(source[pos...], at: pos)
            pos = source.count
            return
        }
        let text = stripText(source[pos..<tag.offset], sign: tag.sign, lstrip: tag.kind != .variable)
        emitData(text, at: pos)
        pos = tag.offset + tag.length
        lineStarting = source[pos - 1] == "\n"
        switch tag.kind {
        case .comment: try lexComment(start: tag.offset)
        case .raw: try lexRaw(start: tag.offset)
        case .variable:
            tokens.append(Token(kind: .variableBegin, offset: tag.offset))
            try lexTagContents(block: false, start: tag.offset)
        case .block:
            tokens.append(Token(kind: .blockBegin, offset: tag.offset))
            try lexTagContents(block: true, start: tag.offset)
        }
    }

    /// After a block or comment end: `-` strips all whitespace, `+` nothing, else trim_blocks
    /// drops one newline.
    private mutating func consumeAfterBlockEnd(sign: Unicode.Scalar?) {
        if sign == "-" {
            pos = skipWhitespace(from: pos)
        } else if sign != "+", pos < source.count, source[pos] == "\n" {
            pos += 1
        }
        lineStarting = source[pos - 1] == "\n"
    }

    private mutating func lexComment(start: Int) throws {
        let contentStart = pos
        var i = pos
        while i + 1 < source.count, !(source[i] == "#" && source[i + 1] == "}") { i += 1 }
        guard i + 1 < source.count else { throw error("Missing end of comment tag", at: start) }
        let sign: Unicode.Scalar? = (i > contentStart && (source[i - 1] == "-" || source[i - 1] == "+")) ? source[i - 1] : nil
        pos = i + 2
        consumeAfterBlockEnd(sign: sign)
    }

    private mutating func lexRaw(start: Int) throws {
        var i = pos
        while i < source.count {
            if let tag = nextTag(from: i), tag.kind == .block || tag.kind == .raw {
                var j = skipWhitespace(from: tag.offset + (tag.sign == nil ? 2 : 3))
                if matches("endraw", at: j) {
                    j = skipWhitespace(from: j + 6)
                    var endSign: Unicode.Scalar? = nil
                    if j < source.count, source[j] == "-" || source[j] == "+" { endSign = source[j]; j += 1 }
                    if matches("%}", at: j) {
                        let text = stripText(source[pos..<tag.offset], sign: tag.sign, lstrip: true)
                        emitData(text, at: pos)
                        pos = j + 2
                        consumeAfterBlockEnd(sign: endSign)
                        return
                    }
                }
                i = tag.offset + 2
            } else if nextTag(from: i) != nil {
                i = nextTag(from: i)!.offset + 2
            } else {
                break
            }
        }
        throw error("Missing end of raw directive", at: start)
    }

    // MARK: Inside tags

    private static let operators = ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]",
                                    "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"]

    private mutating func lexTagContents(block: Bool, start: Int) throws {
        var brackets: [Unicode.Scalar] = []
        while true {
            guard pos < source.count else {
                throw error(block ? "Missing end of block tag ('%}')" : "Missing end of print tag ('}}')", at: start)
            }
            if brackets.isEmpty {
                if block {
                    if matches("+%}", at: pos) { pos += 3; tokens.append(Token(kind: .blockEnd, offset: pos - 3)); consumeAfterBlockEnd(sign: "+"); return }
                    if matches("-%}", at: pos) { pos += 3; tokens.append(Token(kind: .blockEnd, offset: pos - 3)); consumeAfterBlockEnd(sign: "-"); return }
                    if matches("%}", at: pos) { pos += 2; tokens.append(Token(kind: .blockEnd, offset: pos - 2)); consumeAfterBlockEnd(sign: nil); return }
                } else {
                    if matches("-}}", at: pos) {
                        tokens.append(Token(kind: .variableEnd, offset: pos))
                        pos = skipWhitespace(from: pos + 3)
                        lineStarting = source[pos - 1] == "\n"
                        return
                    }
                    if matches("}}", at: pos) { tokens.append(Token(kind: .variableEnd, offset: pos)); pos += 2; lineStarting = false; return }
                }
            }
            let c = source[pos]
            if c.isPythonSpace {
                pos = skipWhitespace(from: pos)
                lineStarting = source[pos - 1] == "\n"
                continue
            }
            lineStarting = false
            let tokenStart = pos
            if c == "'" || c == "\"" {
                tokens.append(Token(kind: .string(try lexString(quote: c)), offset: tokenStart))
            } else if c.properties.numericType != nil && ("0"..."9").contains(c) {
                tokens.append(Token(kind: try lexNumber(), offset: tokenStart))
            } else if c == "_" || c.properties.isAlphabetic {
                var s = String.UnicodeScalarView()
                while pos < source.count, source[pos] == "_" || source[pos].properties.isAlphabetic
                        || ("0"..."9").contains(source[pos]) {
                    s.append(source[pos]); pos += 1
                }
                tokens.append(Token(kind: .name(String(s)), offset: tokenStart))
            } else if let op = Lexer.operators.first(where: { matches($0, at: pos) }) {
                pos += op.unicodeScalars.count
                switch op {
                case "(", "[", "{": brackets.append(op.unicodeScalars.first!)
                case ")", "]", "}":
                    let expected: Unicode.Scalar = op == ")" ? "(" : op == "]" ? "[" : "{"
                    guard brackets.last == expected else { throw error("unexpected '\(op)'", at: tokenStart) }
                    brackets.removeLast()
                default: break
                }
                tokens.append(Token(kind: .op(op), offset: tokenStart))
            } else {
                throw error("unexpected char \(TemplateValue.pythonStringRepr(String(c)))", at: pos)
            }
        }
    }

    private func isDigit(_ i: Int, radix: Int = 10) -> Bool {
        guard i < source.count, source[i].isASCII else { return false }
        return Int(String(source[i]), radix: radix) != nil
    }

    /// Digits with single `_` separators between them (Python's `1_000`).
    private mutating func digitRun(radix: Int = 10) -> String {
        var s = ""
        while isDigit(pos, radix: radix) || (pos < source.count && source[pos] == "_" && isDigit(pos + 1, radix: radix) && !s.isEmpty) {
            if source[pos] != "_" { s.unicodeScalars.append(source[pos]) }
            pos += 1
        }
        return s
    }

    private mutating func lexNumber() throws -> Token.Kind {
        let start = pos
        if source[pos] == "0", pos + 1 < source.count {
            let radixes: [Unicode.Scalar: Int] = ["x": 16, "X": 16, "o": 8, "O": 8, "b": 2, "B": 2]
            if let radix = radixes[source[pos + 1]], isDigit(pos + 2, radix: radix) || (source.count > pos + 3 && source[pos + 2] == "_") {
                pos += 2
                if source[pos] == "_" { pos += 1 }
                guard let value = Int(digitRun(radix: radix), radix: radix) else { throw error("integer literal too large", at: start) }
                return .integer(value)
            }
        }
        var text = digitRun()
        var isFloat = false
        // jinja2's float rule does not apply right after a '.', so `x.0.1` stays item lookups.
        let afterDot = start > 0 && source[start - 1] == "."
        if !afterDot, pos + 1 < source.count, source[pos] == ".", isDigit(pos + 1) {
            pos += 1
            text += "." + digitRun()
            isFloat = true
        }
        if !afterDot, pos < source.count, source[pos] == "e" || source[pos] == "E" {
            var j = pos + 1
            var sign = ""
            if j < source.count, source[j] == "+" || source[j] == "-" { sign = String(source[j]); j += 1 }
            if isDigit(j) {
                pos = j
                text += "e" + sign + digitRun()
                isFloat = true
            }
        }
        if isFloat {
            guard let d = Double(text) else { throw error("invalid float literal", at: start) }
            return .float(d)
        }
        guard let value = Int(text) else { throw error("integer literal too large", at: start) }
        return .integer(value)
    }

    /// A string literal, decoded as jinja2 does: Python's `unicode-escape` over the literal's text.
    private mutating func lexString(quote: Unicode.Scalar) throws -> String {
        let start = pos
        pos += 1
        var out = String.UnicodeScalarView()
        while true {
            guard pos < source.count else { throw error("unexpected end of string literal", at: start) }
            let c = source[pos]
            pos += 1
            if c == quote { return String(out) }
            guard c == "\\" else { out.append(c); continue }
            guard pos < source.count else { throw error("unexpected end of string literal", at: start) }
            let e = source[pos]
            pos += 1
            switch e {
            case "\n": break
            case "\\", "'", "\"": out.append(e)
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "0"..."7":
                var value = e.value - 0x30
                var count = 1
                while count < 3, pos < source.count, ("0"..."7").contains(source[pos]) {
                    value = value * 8 + source[pos].value - 0x30
                    pos += 1; count += 1
                }
                out.append(Unicode.Scalar(value)!)
            case "x", "u", "U":
                let width = e == "x" ? 2 : e == "u" ? 4 : 8
                var hex = ""
                while hex.count < width, isDigit(pos, radix: 16) { hex.unicodeScalars.append(source[pos]); pos += 1 }
                guard hex.count == width, let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else {
                    throw error("truncated \\\(e) escape in string literal", at: start)
                }
                out.append(scalar)
            default:
                if e.isASCII {
                    out.append("\\"); out.append(e)
                } else {
                    // jinja2 first escapes non-ASCII text as \xNN/\uNNNN/\UNNNNNNNN, so a backslash
                    // before such a character leaves that escape's text behind.
                    out.append("\\")
                    let hex = String(e.value, radix: 16)
                    let (prefix, width) = e.value <= 0xFF ? ("x", 2) : e.value <= 0xFFFF ? ("u", 4) : ("U", 8)
                    out.append(contentsOf: (prefix + String(repeating: "0", count: width - hex.count) + hex).unicodeScalars)
                }
            }
        }
    }
}
