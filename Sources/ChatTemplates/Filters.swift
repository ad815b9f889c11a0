import JSON

/// jinja2's builtin filters, with Hugging Face's `tojson` in place of jinja2's own (no HTML
/// escaping; `ensure_ascii`, `indent`, `separators`, `sort_keys` passed to `json.dumps`).
extension Interpreter {
    /// Filters jinja2 has that this interpreter does not implement: a clear error, not "no filter".
    private static let unimplementedFilters: Set<String> = [
        "filesizeformat", "format", "forceescape", "groupby", "pprint", "random", "slice", "striptags",
        "truncate", "urlencode", "urlize", "wordwrap", "xmlattr",
    ]

    static let filterNames: Set<String> = [
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
        "first", "float", "indent", "int", "items", "join", "last", "length", "list", "lower", "map", "max",
        "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort",
        "string", "sum", "title", "tojson", "trim", "unique", "upper", "wordcount",
    ]

    func applyFilter(_ name: String, to value: TemplateValue, arguments args: Arguments) throws -> TemplateValue {
        try charge(1 + value.workSize)
        switch name {
        case "tojson":
            try args.check("tojson", maxPositional: 4, keywords: ["ensure_ascii", "indent", "separators", "sort_keys"])
            var format = JSONFormat(asciiOnly: args.argument(0, "ensure_ascii")?.isTruthy ?? false,
                                    sortKeys: args.argument(3, "sort_keys")?.isTruthy ?? false)
            if let indent = args.argument(1, "indent"), !indent.isNull {
                guard let width = indent.asInt else { throw TemplateError(.unsupported, "tojson indent other than an integer") }
                format = JSONFormat(indent: max(0, width), asciiOnly: format.asciiOnly, sortKeys: format.sortKeys)
            }
            if let separators = args.argument(2, "separators"), !separators.isNull {
                guard case .list(let pair) = separators.asSequence, pair.count == 2,
                      case .string(let item) = pair[0], case .string(let key) = pair[1] else {
                    throw TemplateError(.runtime, "tojson separators must be a pair of strings")
                }
                format.itemSeparator = item
                format.keySeparator = key
            }
            let text = try value.toJSON().serialized(format)
            try charge(text.utf8.count)
            return .string(text)
        case "trim":
            let text = value.pythonString
            try charge(text.utf8.count)
            let chars = args.argument(0, "chars").flatMap { $0.isNull ? nil : $0.pythonString }
            return .string(PythonString.strip(text, chars: chars, leading: true, trailing: true))
        case "length", "count":
            return .int(try length(of: value))
        case "string":
            return .string(value.pythonString)
        case "upper", "lower", "capitalize", "title":
            let text = value.pythonString
            try charge(text.utf8.count)
            return .string(PythonString.changeCase(text, name))
        case "default", "d":
            let fallback = args.argument(0, "default_value") ?? .string("")
            let boolean = args.argument(1, "boolean")?.isTruthy ?? false
            if value.isUndefined || (boolean && !value.isTruthy) { return fallback }
            return value
        case "items":
            if value.isUndefined { return .list([]) }
            guard case .dict(let d) = value else { throw TemplateError(.runtime, "Can only get item pairs from a mapping.") }
            return .list(d.pairs.map { .tuple([.string($0.key), $0.value]) })
        case "first":
            return try iterate(value).first ?? .undefined(Undefined(hint: "No first item, sequence was empty."))
        case "last":
            return try iterate(value).last ?? .undefined(Undefined(hint: "No last item, sequence was empty."))
        case "list":
            return .list(try iterate(value))
        case "join":
            let separator = args.argument(0, "d")?.pythonString ?? ""
            var items = try iterate(value)
            if let attribute = args.argument(1, "attribute") { items = try items.map { try lookup(attribute, in: $0) } }
            let parts = items.map(\.pythonString)
            try charge(parts.reduce(0) { $0 + $1.utf8.count + separator.utf8.count })
            return .string(parts.joined(separator: separator))
        case "int":
            return try toInt(value, default: args.argument(0, "default") ?? .int(0), base: args.argument(1, "base")?.asInt ?? 10)
        case "float":
            return toFloat(value) ?? args.argument(0, "default") ?? .float(0)
        case "abs":
            switch value {
            case .float(let d): return .float(Swift.abs(d))
            default:
                guard let i = value.asInt, i != Int.min else { throw TemplateError(.runtime, "bad operand type for abs(): '\(value.pythonTypeName)'") }
                return .int(Swift.abs(i))
            }
        case "round":
            let precision = args.argument(0, "precision")?.asInt ?? 0
            let method = args.argument(1, "method")?.pythonString ?? "common"
            guard let d = value.asDouble else { throw TemplateError(.runtime, "type \(value.pythonTypeName) doesn't define __round__ method") }
            let scale = pow10(precision)
            switch method {
            case "common": return .float((d * scale).rounded(.toNearestOrEven) / scale)
            case "floor": return .float((d * scale).rounded(.down) / scale)
            case "ceil": return .float((d * scale).rounded(.up) / scale)
            default: throw TemplateError(.runtime, "method must be common, ceil or floor")
            }
        case "replace":
            guard let old = args.argument(0, "old"), let new = args.argument(1, "new") else {
                throw TemplateError(.runtime, "replace() needs the old and new strings")
            }
            let count = args.argument(2, "count")?.asInt ?? -1
            return .string(try PythonString.replace(value.pythonString, old.pythonString, new.pythonString, count: count, interpreter: self))
        case "reverse":
            if case .string(let s) = value { return .string(String(s.unicodeScalars.reversed().map(Character.init))) }
            return .list(try iterate(value).reversed())
        case "unique":
            let caseSensitive = args.argument(0, "case_sensitive")?.isTruthy ?? false
            let attribute = args.argument(1, "attribute")
            var seen: [TemplateValue] = []
            var result: [TemplateValue] = []
            for item in try iterate(value) {
                let key = ignoringCase(try attribute.map { try lookup($0, in: item) } ?? item, unless: caseSensitive)
                try charge(seen.count)
                if !seen.contains(where: { $0.pythonEquals(key) }) {
                    seen.append(key)
                    result.append(item)
                }
            }
            return .list(result)
        case "indent":
            return .string(indent(value.pythonString, args))
        case "center":
            let width = args.argument(0, "width")?.asInt ?? 80
            let text = value.pythonString
            let length = text.unicodeScalars.count
            guard width > length else { return .string(text) }
            try chargeAllocation(width)
            let padding = width - length
            // Python puts the extra space on the left when the text length is odd.
            let left = padding / 2 + (padding & length & 1)
            return .string(String(repeating: " ", count: left) + text + String(repeating: " ", count: padding - left))
        case "wordcount":
            return .int(PythonString.split(value.pythonString, separator: nil, maxSplit: -1, fromRight: false).count)
        case "escape", "e":
            var out = ""
            for c in value.pythonString.unicodeScalars {
                switch c {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&#34;"
                case "'": out += "&#39;"
                default: out.unicodeScalars.append(c)
                }
            }
            return .string(out)
        case "safe":
            return value
        case "attr":
            guard let attributeName = args.argument(0, "name") else { throw TemplateError(.runtime, "attr() needs a name") }
            return attribute(of: value, attributeName.pythonString, pythonOnly: true)
        case "map":
            return .list(try mapItems(try iterate(value), args))
        case "select", "reject":
            return .list(try selectItems(try iterate(value), args, attribute: false, keep: name == "select"))
        case "selectattr", "rejectattr":
            return .list(try selectItems(try iterate(value), args, attribute: true, keep: name == "selectattr"))
        case "batch":
            guard let size = args.argument(0, "linecount")?.asInt, size > 0 else { throw TemplateError(.runtime, "batch size must be a positive integer") }
            let fill = args.argument(1, "fill_with")
            let items = try iterate(value)
            var batches: [TemplateValue] = []
            for start in stride(from: 0, to: items.count, by: size) {
                var batch = Array(items[start..<min(start + size, items.count)])
                if let fill, !fill.isNull { while batch.count < size { batch.append(fill) } }
                batches.append(.list(batch))
            }
            return .list(batches)
        case "sum":
            var total = args.argument(1, "start") ?? .int(0)
            for item in try iterate(value) {
                total = try arithmetic("+", total, try args.argument(0, "attribute").map { try lookup($0, in: item) } ?? item)
            }
            return total
        case "min", "max":
            let caseSensitive = args.argument(0, "case_sensitive")?.isTruthy ?? false
            let attribute = args.argument(1, "attribute")
            let items = try iterate(value)
            guard var best = items.first else { return .undefined(Undefined(hint: "No aggregated item, sequence was empty.")) }
            for item in items.dropFirst() {
                let a = ignoringCase(try attribute.map { try lookup($0, in: item) } ?? item, unless: caseSensitive)
                let b = ignoringCase(try attribute.map { try lookup($0, in: best) } ?? best, unless: caseSensitive)
                let order = try a.pythonCompare(b, "<")
                if (name == "min" && order == -1) || (name == "max" && order == 1) { best = item }
            }
            return best
        case "sort":
            let reverse = args.argument(0, "reverse")?.isTruthy ?? false
            let caseSensitive = args.argument(1, "case_sensitive")?.isTruthy ?? false
            let attribute = args.argument(2, "attribute")
            let items = try iterate(value)
            let keys = try items.map { item in ignoringCase(try attribute.map { try lookup($0, in: item) } ?? item, unless: caseSensitive) }
            return .list(try stableSort(items, keys: keys, reverse: reverse))
        case "dictsort":
            guard case .dict(let d) = value else { throw TemplateError(.runtime, "dictsort needs a mapping") }
            let caseSensitive = args.argument(0, "case_sensitive")?.isTruthy ?? false
            let byValue = args.argument(1, "by")?.pythonString == "value"
            let reverse = args.argument(2, "reverse")?.isTruthy ?? false
            let pairs: [TemplateValue] = d.pairs.map { .tuple([.string($0.key), $0.value]) }
            let keys = d.pairs.map { ignoringCase(byValue ? $0.value : .string($0.key), unless: caseSensitive) }
            return .list(try stableSort(pairs, keys: keys, reverse: reverse))
        default:
            if Interpreter.unimplementedFilters.contains(name) {
                throw TemplateError(.unsupported, "the '\(name)' filter is not implemented")
            }
            throw TemplateError(.runtime, "No filter named '\(name)'.")
        }
    }

    func length(of value: TemplateValue) throws -> Int {
        switch value {
        case .undefined: return 0
        case .string(let s): return s.unicodeScalars.count
        case .list(let a), .tuple(let a): return a.count
        case .dict(let d): return d.count
        case .object(let ns as Namespace): return ns.attributes.count
        default: throw TemplateError(.runtime, "object of type '\(value.pythonTypeName)' has no len()")
        }
    }

    private func pow10(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<min(Swift.abs(n), 400) { result *= 10 }
        return n < 0 ? 1 / result : result
    }

    private func ignoringCase(_ value: TemplateValue, unless caseSensitive: Bool) -> TemplateValue {
        if !caseSensitive, case .string(let s) = value { return .string(s.lowercased()) }
        return value
    }

    private func stableSort(_ items: [TemplateValue], keys: [TemplateValue], reverse: Bool) throws -> [TemplateValue] {
        try charge(items.count * 8)
        var failure: TemplateError?
        let order = items.indices.sorted { a, b in
            if failure != nil { return a < b }
            do {
                let c = try keys[a].pythonCompare(keys[b], "<")
                if c == 0 || c == 2 { return a < b }
                return reverse ? c > 0 : c < 0
            } catch {
                failure = error as? TemplateError
                return a < b
            }
        }
        if let failure { throw failure }
        return order.map { items[$0] }
    }

    /// jinja2's `make_attrgetter`: "a.b.0" reads item (or attribute) a, then b, then index 0.
    func lookup(_ path: TemplateValue, in item: TemplateValue) throws -> TemplateValue {
        if let index = path.asInt { return try self.item(of: item, .int(index)) }
        var current = item
        for part in path.pythonString.split(separator: ".", omittingEmptySubsequences: false) {
            if case .undefined(let u) = current { throw undefinedError(u) }
            let key: TemplateValue = Int(part).map { .int($0) } ?? .string(String(part))
            current = try self.item(of: current, key)
        }
        return current
    }

    private func mapItems(_ items: [TemplateValue], _ args: Arguments) throws -> [TemplateValue] {
        if let attribute = args.keyword("attribute") {
            let fallback = args.keyword("default")
            return try items.map { item in
                let value = try lookup(attribute, in: item)
                if value.isUndefined, let fallback { return fallback }
                return value
            }
        }
        guard let filterName = args.positional.first else { throw TemplateError(.runtime, "map requires a filter argument") }
        let rest = Arguments(positional: Array(args.positional.dropFirst()), keywords: args.keywords)
        return try items.map { try applyFilter(filterName.pythonString, to: $0, arguments: rest) }
    }

    private func selectItems(_ items: [TemplateValue], _ args: Arguments, attribute: Bool, keep: Bool) throws -> [TemplateValue] {
        var positional = args.positional
        var attributePath: TemplateValue?
        if attribute {
            guard !positional.isEmpty else { throw TemplateError(.runtime, "Missing parameter for attribute name") }
            attributePath = positional.removeFirst()
        }
        let testName = positional.isEmpty ? nil : positional.removeFirst().pythonString
        let testArguments = Arguments(positional: positional, keywords: args.keywords)
        return try items.filter { item in
            let subject = try attributePath.map { try lookup($0, in: item) } ?? item
            let passed = try testName.map { try applyTest($0, to: subject, arguments: testArguments) } ?? subject.isTruthy
            return passed == keep
        }
    }

    private func toInt(_ value: TemplateValue, default fallback: TemplateValue, base: Int) throws -> TemplateValue {
        switch value {
        case .int, .bool: return .int(value.asInt!)
        case .float(let d):
            guard d.isFinite else { throw TemplateError(.runtime, "cannot convert float \(TemplateValue.pythonFloatRepr(d)) to integer") }
            guard Swift.abs(d) < 9.2e18 else { throw TemplateError(.limitExceeded, "integer result does not fit in 64 bits") }
            return .int(Int(d))
        case .string(let s):
            let text = PythonString.strip(s, chars: nil, leading: true, trailing: true).replacingUnderscores()
            if (2...36).contains(base), let i = Int(text, radix: base) { return .int(i) }
            if let d = Double(text), d.isFinite, Swift.abs(d) < 9.2e18 { return .int(Int(d)) }
            return fallback
        default:
            return fallback
        }
    }

    private func toFloat(_ value: TemplateValue) -> TemplateValue? {
        switch value {
        case .int, .bool, .float: return .float(value.asDouble!)
        case .string(let s):
            let text = PythonString.strip(s, chars: nil, leading: true, trailing: true).lowercased()
            switch text {
            case "nan", "+nan", "-nan": return .float(.nan)
            case "inf", "+inf", "infinity", "+infinity": return .float(.infinity)
            case "-inf", "-infinity": return .float(-.infinity)
            default: return Double(text.replacingUnderscores()).map { .float($0) }
            }
        default: return nil
        }
    }

    /// jinja2's `indent`: lines after the first get `width` spaces (or the given string); blank
    /// lines only with `blank=True`; the first line too with `first=True`.
    private func indent(_ text: String, _ args: Arguments) -> String {
        let widthArgument = args.argument(0, "width") ?? .int(4)
        let indentation: String
        if case .string(let s) = widthArgument { indentation = s } else { indentation = String(repeating: " ", count: max(0, widthArgument.asInt ?? 4)) }
        let first = args.argument(1, "first")?.isTruthy ?? false
        let blank = args.argument(2, "blank")?.isTruthy ?? false
        let lines = PythonString.splitLines(text + "\n", keepEnds: false)
        var result: String
        if blank {
            result = lines.joined(separator: "\n" + indentation)
        } else {
            result = lines.first ?? ""
            let rest = lines.dropFirst()
            if !rest.isEmpty {
                result += "\n" + rest.map { $0.isEmpty ? $0 : indentation + $0 }.joined(separator: "\n")
            }
        }
        return first ? indentation + result : result
    }
}

extension TemplateValue {
    /// Lists and tuples alike, as a list.
    var asSequence: TemplateValue {
        if case .tuple(let items) = self { return .list(items) }
        return self
    }
}

extension String {
    /// Python's numeric literals in `int()`/`float()` accept `_` between digits.
    func replacingUnderscores() -> String {
        // Over the UTF-8 bytes: Foundation's `contains` and a split by Character fold grapheme
        // clusters, microseconds a character on non-ASCII text.
        let underscore = UInt8(ascii: "_")
        guard utf8.contains(underscore) else { return self }
        return String(decoding: utf8.filter { $0 != underscore }, as: UTF8.self)
    }
}
