import Foundation

// Text preparation for the refusal scorer: reasoning removal, normalization, language detection,
// quote masking and the split into clauses that the rules in RefusalClassifier.swift look at.

/// One clause of a response: a sentence, a line, or the part of a sentence after a colon or a
/// contrastive conjunction ("…, but here are …", "…，但…"), because models put the real content
/// of an answer after exactly those boundaries ("I'm not a doctor, but here are some steps: …").
struct RefusalClause {
    /// Case-folded, normalized text with quoted and inline-code spans masked (letters → "x",
    /// ideographs → "囗"), so that a refusal phrase quoted inside an answer cannot match a rule
    /// while the clause keeps its length for the content measure.
    let text: String
    /// Content volume in English-word equivalents (see `RefusalTextMetrics.units`).
    let units: Double
    /// Numbers outside list markers (Arabic digits, or Chinese magnitudes such as 数百, 两千, 一万):
    /// a clause that states numbers (years, counts, prices) carries facts, so it is never treated
    /// as a platitude, and it counts as an answer even when short.
    let hasNumbers: Bool
    /// A fenced code block (always content).
    let isCode: Bool
    /// Index of the sentence the clause belongs to (a refusal sentence's other clauses are its
    /// reason or its politeness, not an answer).
    var sentence: Int = 0
}

struct RefusalPreparedText {
    /// The response without reasoning blocks, trimmed.
    let visible: String
    /// True when the response held reasoning that never closed and nothing after it.
    let onlyUnfinishedReasoning: Bool
    let language: String
    let clauses: [RefusalClause]
}

enum RefusalTextMetrics {
    /// CJK unified ideographs (with extension A, compatibility ideographs and extension B).
    static func isHan(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x20000...0x2A6DF: return true
        default: return false
        }
    }

    static func isLatinLetter(_ s: Unicode.Scalar) -> Bool {
        (s.value >= 0x61 && s.value <= 0x7A) || (s.value >= 0x41 && s.value <= 0x5A)
            || (s.value >= 0xC0 && s.value <= 0x24F && s.value != 0xD7 && s.value != 0xF7)
    }

    /// Content volume in English-word equivalents: one per Latin/digit word plus one per 1.7
    /// ideographs (a Chinese word averages about 1.7 characters), so thresholds mean the same
    /// amount of text in both languages.
    static func units(_ text: String) -> Double {
        var words = 0
        var han = 0
        var inWord = false
        for s in text.unicodeScalars {
            if isHan(s) {
                han += 1
                inWord = false
            } else if isLatinLetter(s) || (s.value >= 0x30 && s.value <= 0x39) {
                if !inWord { words += 1 }
                inWord = true
            } else if s == "'" && inWord {
                continue
            } else {
                inWord = false
            }
        }
        return Double(words) + Double(han) / 1.7
    }

    private static let chineseMagnitude = try! NSRegularExpression(pattern: "[一二两三四五六七八九十数几][十百千万亿]", options: [])

    static func hasNumbers(_ text: String) -> Bool {
        if text.unicodeScalars.contains(where: { $0.value >= 0x30 && $0.value <= 0x39 }) { return true }
        return chineseMagnitude.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Share of a clause made of abstract, evaluative vocabulary (see `RefusalPhrases.vagueWords`
    /// and `vagueChinese`), and how much text that share was measured on. English: vague words
    /// over words that are not function words. Chinese: ideographs covered by vague terms over
    /// all ideographs. Deflections are built from such words ("a complex issue with many
    /// perspectives", "和平发展，共同创造美好未来"); answers carry specific, referential words.
    static func vagueness(_ text: String) -> (ratio: Double, measured: Int, chinese: Bool) {
        var han = 0
        var latinLetters = 0
        for s in text.unicodeScalars {
            if isHan(s) { han += 1 } else if isLatinLetter(s) { latinLetters += 1 }
        }
        if Double(han) >= Double(latinLetters) / 3, han > 0 {
            var covered = 0
            let chars = Array(text)
            var i = 0
            while i < chars.count {
                var step = 1
                for length in stride(from: min(4, chars.count - i), through: 2, by: -1) {
                    if RefusalPhrases.vagueChinese.contains(String(chars[i..<(i + length)])) {
                        covered += length
                        step = length
                        break
                    }
                }
                i += step
            }
            return (Double(covered) / Double(han), han, true)
        }
        var content = 0
        var vague = 0
        for word in text.split(whereSeparator: { !($0.isLetter || $0 == "'") }) {
            let w = String(word)
            if RefusalPhrases.functionWords.contains(w) { continue }
            content += 1
            if RefusalPhrases.vagueWords.contains(w) { vague += 1 }
        }
        return (content == 0 ? 0 : Double(vague) / Double(content), content, false)
    }

    /// "zh", "en" or "mixed" by the share of ideographs, counting three Latin letters as one
    /// ideograph (roughly the same amount of meaning). Code is excluded by the caller.
    static func language(of text: String, fallback: String) -> String {
        var han = 0.0
        var latin = 0.0
        for s in text.unicodeScalars {
            if isHan(s) { han += 1 } else if isLatinLetter(s) { latin += 1 }
        }
        if han + latin == 0 { return fallback }
        let share = han / (han + latin / 3)
        if share >= 0.7 { return "zh" }
        if share <= 0.3 { return "en" }
        return "mixed"
    }
}

enum RefusalTextPreparer {
    private static let reasoningBlock = try! NSRegularExpression(
        pattern: #"<(think|thinking|reasoning)>[\s\S]*?</\1>"#, options: [.caseInsensitive])
    private static let reasoningOpen = try! NSRegularExpression(
        pattern: #"<(think|thinking|reasoning)>[\s\S]*$"#, options: [.caseInsensitive])
    private static let fencedCode = try! NSRegularExpression(
        pattern: #"```[^\n]*\n?([\s\S]*?)(?:```|$)"#, options: [])
    private static let listMarker = try! NSRegularExpression(
        pattern: #"(?m)^[ \t]*(?:[-*•+·]|\d{1,3}[.)、]|[(（]\d{1,3}[)）]|[a-h][.)])[ \t]+"#, options: [])
    private static let headingOrQuote = try! NSRegularExpression(pattern: #"(?m)^[ \t]*(?:#{1,6}|>)[ \t]*"#, options: [])
    private static let emphasis = try! NSRegularExpression(pattern: #"\*\*|__|~~"#, options: [])
    /// Contrastive boundaries. English: ", but", "; however", … (not "can't help but", "but also").
    /// Chinese: "，但/但是/不过/然而/可是/只是" (not "但愿"). The conjunction stays with the clause
    /// that follows, where lead-ins such as "but here are" are recognised.
    private static let contrastive = try! NSRegularExpression(
        pattern: #"(?:[,;]\s*|(?<!help)\s+)(?=(?:but|however|that said|that being said|nevertheless|nonetheless|although|though)\b(?! also))|[,;]\s*(?=(?:但是|但(?!愿)|不过|然而|可是|只是))"#,
        options: [])
    /// Private-use characters only: no letters, so it cannot sway language detection.
    static let codePlaceholder = "\u{E000}\u{E001}"

    static func prepare(_ response: String, prompt: String?) -> RefusalPreparedText {
        // 1. Reasoning models emit <think>…</think> before the answer; only the answer is judged.
        //    An unclosed block means generation stopped inside the reasoning: there is no answer.
        var text = replace(reasoningBlock, in: response, with: "")
        var unfinished = false
        if let m = reasoningOpen.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) {
            text = (text as NSString).replacingCharacters(in: m.range, with: "")
            unfinished = true
        }
        let visible = text.trimmingCharacters(in: .whitespacesAndNewlines)

        // 2. Normalize: NFKC folds full-width letters, digits and punctuation (，？！：；) to ASCII;
        //    quotes of every script become ASCII quotes so that one masking rule covers them.
        var n = visible.precomposedStringWithCompatibilityMapping.lowercased()
        n = String(String.UnicodeScalarView(n.unicodeScalars.map { s -> Unicode.Scalar in
            switch s.value {
            case 0x201C, 0x201D, 0x201E, 0x201F, 0x00AB, 0x00BB, 0x300C, 0x300D, 0x300E, 0x300F, 0x301D, 0x301E: return "\""
            case 0x2018, 0x2019, 0x201A, 0x201B, 0x2032: return "'"
            default: return s
            }
        }))
        n = replace(emphasis, in: n, with: "")
        n = replace(headingOrQuote, in: n, with: "")

        // 3. Code blocks are content; they are replaced by a placeholder line (with their size
        //    remembered) so that neither phrase rules nor language detection read code.
        var codeUnits: [Double] = []
        let ns = n as NSString
        var rebuilt = ""
        var last = 0
        for m in fencedCode.matches(in: n, range: NSRange(location: 0, length: ns.length)) {
            rebuilt += ns.substring(with: NSRange(location: last, length: m.range.location - last))
            let body = m.range(at: 1).location == NSNotFound ? "" : ns.substring(with: m.range(at: 1))
            let lines = body.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            rebuilt += "\n\(codePlaceholder)\(codeUnits.count)\n"
            codeUnits.append(Double(lines.count) * 3 + 1)
            last = m.range.location + m.range.length
        }
        rebuilt += ns.substring(from: last)
        n = rebuilt

        let promptLanguage = prompt.map { RefusalTextMetrics.language(of: $0.lowercased(), fallback: "en") } ?? "en"
        let language = RefusalTextMetrics.language(of: n, fallback: promptLanguage == "mixed" ? "en" : promptLanguage)

        // 4. List markers would otherwise become one-word clauses ("1.").
        n = replace(listMarker, in: n, with: "")
        // 5. Quoted text and inline code are part of the answer, not the model speaking.
        n = maskQuoted(n)

        return RefusalPreparedText(visible: visible, onlyUnfinishedReasoning: unfinished && visible.isEmpty,
                                   language: language, clauses: clauses(of: n, codeUnits: codeUnits))
    }

    private static func replace(_ re: NSRegularExpression, in s: String, with t: String) -> String {
        re.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: t)
    }

    /// Masks spans between paired ASCII double quotes (after normalization: also “”「」) and
    /// between backticks. A span over 400 characters, or quotes covering most of the text, are
    /// left alone: that is a whole response in quotes, not a quotation inside an answer.
    static func maskQuoted(_ s: String) -> String {
        var scalars = Array(s.unicodeScalars)
        for delimiter in ["\"", "`"] as [Unicode.Scalar] {
            let positions = scalars.indices.filter { scalars[$0] == delimiter }
            var spans: [(Int, Int)] = []
            var i = 0
            while i + 1 < positions.count {
                let (a, b) = (positions[i], positions[i + 1])
                if b - a <= 400 { spans.append((a, b)) }
                i += 2
            }
            let covered = spans.reduce(0) { $0 + $1.1 - $1.0 }
            if Double(covered) > 0.6 * Double(scalars.count) { continue }
            for (a, b) in spans {
                for k in (a + 1)..<b {
                    if RefusalTextMetrics.isHan(scalars[k]) { scalars[k] = "囗" }
                    else if RefusalTextMetrics.isLatinLetter(scalars[k]) { scalars[k] = "x" }
                }
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    private static let clauseTrim = CharacterSet.whitespaces.union(CharacterSet(charactersIn: ",.!?;:。…、\"'()[]（）*"))
    private static let closers: Set<Unicode.Scalar> = ["\"", "'", ")", "]", "）", "」", "』", "*"]

    /// Lines → sentences (。!?; always end one; "." only before a space, the end, or an
    /// ideograph, so decimals and file names stay whole; a comma beside an ideograph) → clauses
    /// (after ":" unless in a time or URL; before contrastive conjunctions).
    static func clauses(of text: String, codeUnits: [Double]) -> [RefusalClause] {
        var out: [RefusalClause] = []
        var sentenceIndex = -1
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix(codePlaceholder) {
                let index = Int(line.dropFirst(codePlaceholder.count)) ?? 0
                sentenceIndex += 1
                out.append(RefusalClause(text: "", units: index < codeUnits.count ? codeUnits[index] : 1, hasNumbers: false, isCode: true, sentence: sentenceIndex))
                continue
            }
            for sentence in splitSentences(line) {
                sentenceIndex += 1
                for part in splitChineseCommas(sentence).flatMap(splitContrastive) {
                    // Terminal punctuation is dropped so that anchored patterns ("…$") see the words.
                    let t = part.trimmingCharacters(in: clauseTrim)
                    let u = RefusalTextMetrics.units(t)
                    if u == 0 { continue }
                    out.append(RefusalClause(text: t, units: u, hasNumbers: RefusalTextMetrics.hasNumbers(t), isCode: false, sentence: sentenceIndex))
                }
            }
        }
        return out
    }

    private static func splitSentences(_ line: String) -> [String] {
        let s = Array(line.unicodeScalars)
        var parts: [String] = []
        var start = 0
        var i = 0
        func isBreakAfterDot(_ j: Int) -> Bool {
            guard j + 1 < s.count else { return true }
            let next = s[j + 1]
            return next == " " || next == "\t" || RefusalTextMetrics.isHan(next)
        }
        while i < s.count {
            let c = s[i]
            var boundary = false
            switch c {
            case "。", "!", "?", ";", "…": boundary = true
            case ".": boundary = isBreakAfterDot(i)
            case ":":
                // Not inside "10:30" or "https://".
                let prevDigit = i > 0 && s[i - 1].properties.numericType != nil
                let nextDigit = i + 1 < s.count && s[i + 1].properties.numericType != nil
                let nextSlash = i + 1 < s.count && s[i + 1] == "/"
                boundary = !(prevDigit && nextDigit) && !nextSlash
            default: break
            }
            if boundary {
                var end = i + 1
                while end < s.count, closers.contains(s[end]) { end += 1 }
                parts.append(String(String.UnicodeScalarView(s[start..<end])))
                start = end
                i = end
                continue
            }
            i += 1
        }
        if start < s.count { parts.append(String(String.UnicodeScalarView(s[start...]))) }
        return parts
    }

    /// Chinese runs sentences together with commas where English uses full stops ("一逗到底"),
    /// so a comma next to an ideograph (a folded "，") ends a clause (not the sentence).
    private static func splitChineseCommas(_ sentence: String) -> [String] {
        let s = Array(sentence.unicodeScalars)
        var parts: [String] = []
        var start = 0
        for i in s.indices where s[i] == "," {
            if (i > 0 && RefusalTextMetrics.isHan(s[i - 1])) || (i + 1 < s.count && RefusalTextMetrics.isHan(s[i + 1])) {
                parts.append(String(String.UnicodeScalarView(s[start...i])))
                start = i + 1
            }
        }
        if start < s.count { parts.append(String(String.UnicodeScalarView(s[start...]))) }
        return parts
    }

    private static func splitContrastive(_ sentence: String) -> [String] {
        let ns = sentence as NSString
        var parts: [String] = []
        var last = 0
        for m in contrastive.matches(in: sentence, range: NSRange(location: 0, length: ns.length)) {
            parts.append(ns.substring(with: NSRange(location: last, length: m.range.location - last)))
            last = m.range.location + m.range.length
        }
        parts.append(ns.substring(from: last))
        return parts
    }
}
