/// Attribute lookup (`a.b`) and the Python methods templates call on strings, dicts and lists.
///
/// jinja2's sandboxed `getattr` tries the Python attribute first, then the item: so
/// `message.role` reads the key, while `message.items` is the dict method even when the message has
/// an "items" key. The immutable sandbox blocks methods that modify a value (`list.append`,
/// `dict.update`...): reading them gives an Undefined that raises a security error when used.
extension Interpreter {
    /// `pythonOnly` skips the item fallback, as the `attr` filter does.
    func attribute(of object: TemplateValue, _ name: String, pythonOnly: Bool = false) -> TemplateValue {
        switch object {
        case .dict(let d):
            if let method = dictMethod(d, name) { return .function(method) }
            if Interpreter.mutatingDictMethods.contains(name) { return blocked(name, "dict") }
            if !pythonOnly, let value = d[name] { return value }
        case .string(let s):
            if let method = stringMethod(s, name) { return .function(method) }
        case .list(let items), .tuple(let items):
            if let method = sequenceMethod(items, name) { return .function(method) }
            if case .list = object, Interpreter.mutatingListMethods.contains(name) { return blocked(name, "list") }
        case .object(let o):
            if let value = o.attribute(name) { return value }
        default: break
        }
        return .undefined(Undefined(hint: "\(describeObject(object)) has no attribute '\(name)'"))
    }

    private static let mutatingDictMethods: Set<String> = ["clear", "pop", "popitem", "setdefault", "update"]
    private static let mutatingListMethods: Set<String> = ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"]

    private func blocked(_ name: String, _ type: String) -> TemplateValue {
        .undefined(Undefined(hint: "access to attribute '\(name)' of '\(type)' object is unsafe.", blockedBySandbox: true))
    }

    private func method(_ name: String, _ body: @escaping (Arguments, Interpreter) throws -> TemplateValue) -> TemplateFunction {
        TemplateFunction(name, body)
    }

    private func dictMethod(_ d: TemplateDict, _ name: String) -> TemplateFunction? {
        switch name {
        case "items":
            return method(name) { args, _ in
                try args.check("items", maxPositional: 0, keywords: [])
                return .list(d.pairs.map { .tuple([.string($0.key), $0.value]) })
            }
        case "keys":
            return method(name) { args, _ in
                try args.check("keys", maxPositional: 0, keywords: [])
                return .list(d.keys.map { .string($0) })
            }
        case "values":
            return method(name) { args, _ in
                try args.check("values", maxPositional: 0, keywords: [])
                return .list(d.pairs.map(\.value))
            }
        case "get":
            return method(name) { args, _ in
                try args.check("get", maxPositional: 2, keywords: [])
                guard let key = args.positional.first else { throw TemplateError(.runtime, "get expected at least 1 argument, got 0") }
                if case .string(let k) = key, let value = d[k] { return value }
                return args.positional.count > 1 ? args.positional[1] : .none
            }
        case "copy":
            return method(name) { _, _ in .dict(d) }
        default:
            return nil
        }
    }

    private func sequenceMethod(_ items: [TemplateValue], _ name: String) -> TemplateFunction? {
        switch name {
        case "count":
            return method(name) { args, interpreter in
                guard args.positional.count == 1 else { throw TemplateError(.runtime, "count() takes exactly one argument") }
                try interpreter.charge(items.count)
                return .int(items.filter { $0.pythonEquals(args.positional[0]) }.count)
            }
        case "index":
            return method(name) { args, interpreter in
                guard args.positional.count == 1 else { throw TemplateError(.runtime, "index() takes exactly one argument") }
                try interpreter.charge(items.count)
                guard let i = items.firstIndex(where: { $0.pythonEquals(args.positional[0]) }) else {
                    throw TemplateError(.runtime, "\(args.positional[0].pythonRepr) is not in list")
                }
                return .int(i)
            }
        case "copy":
            return method(name) { _, _ in .list(items) }
        default:
            return nil
        }
    }

    private func stringArgument(_ args: Arguments, _ index: Int, _ name: String, method: String) throws -> String? {
        guard let value = args.argument(index, name), !value.isNull else { return nil }
        guard case .string(let s) = value else {
            throw TemplateError(.runtime, "\(method)() argument must be str or None, not \(value.pythonTypeName)")
        }
        return s
    }

    private func stringMethod(_ s: String, _ name: String) -> TemplateFunction? {
        switch name {
        case "strip", "lstrip", "rstrip":
            return method(name) { args, interpreter in
                try args.check(name, maxPositional: 1, keywords: [])
                try interpreter.charge(s.utf8.count)
                let chars = try self.stringArgument(args, 0, "chars", method: name)
                return .string(PythonString.strip(s, chars: chars, leading: name != "rstrip", trailing: name != "lstrip"))
            }
        case "split", "rsplit":
            return method(name) { args, interpreter in
                try args.check(name, maxPositional: 2, keywords: ["sep", "maxsplit"])
                try interpreter.charge(s.utf8.count)
                let separator = try self.stringArgument(args, 0, "sep", method: name)
                let maxSplit = args.argument(1, "maxsplit")?.asInt ?? -1
                if separator == "" { throw TemplateError(.runtime, "empty separator") }
                let parts = PythonString.split(s, separator: separator, maxSplit: maxSplit, fromRight: name == "rsplit")
                return .list(parts.map { .string($0) })
            }
        case "splitlines":
            return method(name) { args, interpreter in
                try interpreter.charge(s.utf8.count)
                let keepEnds = args.argument(0, "keepends")?.isTruthy ?? false
                return .list(PythonString.splitLines(s, keepEnds: keepEnds).map { .string($0) })
            }
        case "startswith", "endswith":
            return method(name) { args, _ in
                guard let affix = args.positional.first, args.positional.count == 1 else {
                    throw TemplateError(.runtime, "\(name)() takes exactly one argument (start and end positions are not supported)")
                }
                let candidates: [TemplateValue]
                if case .tuple(let items) = affix { candidates = items } else { candidates = [affix] }
                for candidate in candidates {
                    guard case .string(let c) = candidate else {
                        throw TemplateError(.runtime, "\(name) first arg must be str or a tuple of str, not \(candidate.pythonTypeName)")
                    }
                    let hit = name == "startswith"
                        ? s.unicodeScalars.starts(with: c.unicodeScalars)
                        : s.unicodeScalars.reversed().starts(with: c.unicodeScalars.reversed())
                    if hit { return .bool(true) }
                }
                return .bool(false)
            }
        case "upper", "lower", "title", "capitalize", "swapcase":
            return method(name) { args, interpreter in
                try args.check(name, maxPositional: 0, keywords: [])
                try interpreter.charge(s.utf8.count)
                return .string(PythonString.changeCase(s, name))
            }
        case "replace":
            return method(name) { args, interpreter in
                try args.check(name, maxPositional: 3, keywords: ["count"])
                guard let old = try self.stringArgument(args, 0, "old", method: name),
                      let new = try self.stringArgument(args, 1, "new", method: name) else {
                    throw TemplateError(.runtime, "replace() takes at least 2 arguments")
                }
                let count = args.argument(2, "count")?.asInt ?? -1
                return .string(try PythonString.replace(s, old, new, count: count, interpreter: interpreter))
            }
        case "find", "rfind", "index", "rindex", "count":
            return method(name) { args, interpreter in
                guard args.positional.count == 1, case .string(let needle) = args.positional[0] else {
                    throw TemplateError(.runtime, "\(name)() takes exactly one string argument here")
                }
                try interpreter.charge(s.utf8.count)
                let positions = PythonString.occurrences(of: needle, in: s)
                if name == "count" { return .int(positions.count) }
                let found = name.hasPrefix("r") ? positions.last : positions.first
                if let found { return .int(found) }
                if name.hasSuffix("index") { throw TemplateError(.runtime, "substring not found") }
                return .int(-1)
            }
        case "join":
            return method(name) { args, interpreter in
                guard args.positional.count == 1 else { throw TemplateError(.runtime, "join() takes exactly one argument") }
                var parts: [String] = []
                for item in try interpreter.iterate(args.positional[0]) {
                    guard case .string(let part) = item else {
                        throw TemplateError(.runtime, "sequence item \(parts.count): expected str instance, \(item.pythonTypeName) found")
                    }
                    try interpreter.charge(part.utf8.count + s.utf8.count)
                    parts.append(part)
                }
                return .string(parts.joined(separator: s))
            }
        case "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower":
            return method(name) { _, _ in .bool(PythonString.classify(s, name)) }
        default:
            return nil
        }
    }
}

/// Python `str` operations on Unicode code points, as Python indexes strings.
enum PythonString {
    static func strip(_ s: String, chars: String?, leading: Bool, trailing: Bool) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        let strips: (Unicode.Scalar) -> Bool = { set?.contains($0) ?? $0.isPythonSpace }
        // Walks in from both ends over the string's own storage: copying the scalars into an array
        // first made every strip cost hundreds of nanoseconds a character.
        let scalars = s.unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        if leading { while start < end, strips(scalars[start]) { scalars.formIndex(after: &start) } }
        if trailing {
            while end > start {
                let last = scalars.index(before: end)
                guard strips(scalars[last]) else { break }
                end = last
            }
        }
        return String(scalars[start..<end])
    }

    /// Start offsets (in code points) of non-overlapping occurrences, left to right.
    static func occurrences(of needle: String, in haystack: String) -> [Int] {
        let h = Array(haystack.unicodeScalars), n = Array(needle.unicodeScalars)
        if n.isEmpty { return Array(0...h.count) }
        var result: [Int] = []
        var i = 0
        while i + n.count <= h.count {
            if h[i] == n[0] && h[i..<(i + n.count)].elementsEqual(n) {
                result.append(i)
                i += n.count
            } else {
                i += 1
            }
        }
        return result
    }

    static func replace(_ s: String, _ old: String, _ new: String, count: Int, interpreter: Interpreter) throws -> String {
        let h = Array(s.unicodeScalars)
        var positions = occurrences(of: old, in: s)
        if count >= 0 { positions = Array(positions.prefix(count)) }
        try interpreter.chargeAllocation(h.count + positions.count * new.unicodeScalars.count)
        var out = String.UnicodeScalarView()
        var cursor = 0
        let oldLength = old.unicodeScalars.count
        for p in positions {
            out.append(contentsOf: h[cursor..<p])
            out.append(contentsOf: new.unicodeScalars)
            cursor = p + oldLength
        }
        if cursor <= h.count { out.append(contentsOf: h[cursor...]) }
        return String(out)
    }

    static func split(_ s: String, separator: String?, maxSplit: Int, fromRight: Bool) -> [String] {
        let scalars = Array(s.unicodeScalars)
        func text(_ range: Range<Int>) -> String {
            var v = String.UnicodeScalarView(); v.append(contentsOf: scalars[range]); return String(v)
        }
        guard let separator else {
            // Runs of whitespace separate; leading and trailing whitespace gives no empty fields.
            var words: [Range<Int>] = []
            var i = 0
            while i < scalars.count {
                while i < scalars.count, scalars[i].isPythonSpace { i += 1 }
                guard i < scalars.count else { break }
                let start = i
                while i < scalars.count, !scalars[i].isPythonSpace { i += 1 }
                words.append(start..<i)
            }
            guard maxSplit >= 0, words.count > maxSplit + 1 else { return words.map(text) }
            if fromRight {
                let kept = words.suffix(maxSplit)
                var headEnd = kept.first?.lowerBound ?? scalars.count
                while headEnd > 0, scalars[headEnd - 1].isPythonSpace { headEnd -= 1 }
                return [text(words[0].lowerBound..<headEnd)] + kept.map(text)
            }
            let kept = words.prefix(maxSplit)
            var tailStart = kept.last?.upperBound ?? 0
            while tailStart < scalars.count, scalars[tailStart].isPythonSpace { tailStart += 1 }
            return kept.map(text) + [text(tailStart..<scalars.count)]
        }
        var positions = occurrences(of: separator, in: s)
        if maxSplit >= 0, positions.count > maxSplit {
            positions = fromRight ? Array(positions.suffix(maxSplit)) : Array(positions.prefix(maxSplit))
        }
        var parts: [String] = []
        var cursor = 0
        let length = separator.unicodeScalars.count
        for p in positions {
            parts.append(text(cursor..<p))
            cursor = p + length
        }
        parts.append(text(cursor..<scalars.count))
        return parts
    }

    /// Python's `str.splitlines`: \n, \r, \r\n and the other Unicode line boundaries.
    static func splitLines(_ s: String, keepEnds: Bool) -> [String] {
        let breaks: Set<UInt32> = [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]
        var lines: [String] = []
        var line = String.UnicodeScalarView()
        let scalars = Array(s.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if breaks.contains(c.value) {
                var ending = String.UnicodeScalarView([c])
                if c == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { ending.append("\n"); i += 1 }
                if keepEnds { line.append(contentsOf: ending) }
                lines.append(String(line))
                line = String.UnicodeScalarView()
            } else {
                line.append(c)
            }
            i += 1
        }
        if !line.isEmpty { lines.append(String(line)) }
        return lines
    }

    static func changeCase(_ s: String, _ mode: String) -> String {
        switch mode {
        case "upper": return s.uppercased()
        case "lower": return s.lowercased()
        case "swapcase":
            return s.unicodeScalars.map { c in
                c.properties.isUppercase ? String(c).lowercased() : c.properties.isLowercase ? String(c).uppercased() : String(c)
            }.joined()
        case "capitalize":
            guard let first = s.unicodeScalars.first else { return s }
            return String(first).uppercased() + String(s.unicodeScalars.dropFirst()).lowercased()
        default:  // title: a cased letter after an uncased character starts a word
            var out = ""
            var previousCased = false
            for c in s.unicodeScalars {
                let cased = c.properties.isCased
                out += cased ? (previousCased ? String(c).lowercased() : String(c).uppercased()) : String(c)
                previousCased = cased
            }
            return out
        }
    }

    static func classify(_ s: String, _ test: String) -> Bool {
        let scalars = s.unicodeScalars
        switch test {
        case "isdigit": return !scalars.isEmpty && scalars.allSatisfy { $0.properties.numericType == .digit || $0.properties.numericType == .decimal }
        case "isalpha": return !scalars.isEmpty && scalars.allSatisfy { $0.properties.isAlphabetic }
        case "isalnum": return !scalars.isEmpty && scalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        case "isspace": return !scalars.isEmpty && scalars.allSatisfy { $0.isPythonSpace }
        case "isupper":
            return scalars.contains { $0.properties.isCased } && !scalars.contains { $0.properties.isLowercase }
        default:
            return scalars.contains { $0.properties.isCased } && !scalars.contains { $0.properties.isUppercase }
        }
    }
}
