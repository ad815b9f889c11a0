import Foundation
import JSON

/// The output matches a target: exactly, or at its beginning or end, or anywhere as a whole word
/// (Inspect's `match`; `end` by default, where a worked answer puts its result). `numeric`
/// compares the numbers read from both.
public struct MatchScorer: Scorer {
    public enum Location: String, Sendable { case exact, begin, end, any }
    public let location: Location
    public let ignoreCase: Bool
    public let numeric: Bool

    init(options: JSONObject, path: String) throws {
        let name = options["location"]?.stringValue ?? "end"
        guard let location = Location(rawValue: name) else { throw FieldError("\(path).location", "must be exact, begin, end or any") }
        self.location = location
        ignoreCase = options["ignore_case"]?.boolValue ?? true
        numeric = options["numeric"]?.boolValue ?? false
    }

    public func score(_ sample: Sample, _ transcript: Transcript, context: ScoringContext) async throws -> Score {
        guard !sample.target.isEmpty else { throw TargetError("match needs a target; sample '\(sample.id)' has none") }
        let output = normalizedAnswer(transcript.output, ignoreCase: ignoreCase)
        if numeric {
            let numbers = Self.numbers(in: output)
            let answer = location == .begin ? numbers.first : numbers.last
            for target in sample.target {
                if let expected = Self.numbers(in: target).first, let answer, abs(answer - expected) <= 1e-9 * max(1, abs(expected)) {
                    return .correct(true, answer: Self.format(answer), explanation: "the number \(Self.format(answer)) equals the target \(target)")
                }
            }
            return .correct(false, answer: answer.map(Self.format), explanation: answer == nil ? "no number in the output" : "\(Self.format(answer!)) is not \(sample.target.joined(separator: " or "))")
        }
        for target in sample.target {
            let wanted = normalizedAnswer(target, ignoreCase: ignoreCase)
            guard !wanted.isEmpty else { continue }
            let matched: Bool
            switch location {
            case .exact: matched = output == wanted
            case .begin: matched = output.hasPrefix(wanted)
            case .end: matched = output.hasSuffix(wanted)
            case .any: matched = Self.containsWord(output, wanted)
            }
            if matched { return .correct(true, answer: target, explanation: "the output \(location == .exact ? "is" : "matches at \(location.rawValue)") '\(target)'") }
        }
        return .correct(false, answer: nil, explanation: "no target (\(sample.target.joined(separator: " | "))) at \(location.rawValue) of the output")
    }

    static func containsWord(_ text: String, _ word: String) -> Bool {
        var search = text.startIndex..<text.endIndex
        while let range = text.range(of: word, range: search) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            let isBoundary = { (c: Character?) in c.map { !($0.isLetter || $0.isNumber) || $0.unicodeScalars.first!.value > 0x2E80 } ?? true }
            if isBoundary(before) && isBoundary(after) { return true }
            search = range.upperBound..<text.endIndex
        }
        return false
    }

    /// Numbers written in the text (thousands separators dropped).
    static func numbers(in text: String) -> [Double] {
        let cleaned = text.replacingOccurrences(of: ",", with: "")
        guard let regex = try? NSRegularExpression(pattern: "-?\\d+(?:\\.\\d+)?") else { return [] }
        let range = NSRange(cleaned.startIndex..., in: cleaned)
        return regex.matches(in: cleaned, range: range).compactMap { match in
            Range(match.range, in: cleaned).flatMap { Double(cleaned[$0]) }
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// A target appears anywhere in the output (Inspect's `includes`).
public struct IncludesScorer: Scorer {
    public let ignoreCase: Bool

    public func score(_ sample: Sample, _ transcript: Transcript, context: ScoringContext) async throws -> Score {
        guard !sample.target.isEmpty else { throw TargetError("includes needs a target; sample '\(sample.id)' has none") }
        let output = ignoreCase ? transcript.output.lowercased() : transcript.output
        for target in sample.target where !target.isEmpty {
            if output.contains(ignoreCase ? target.lowercased() : target) {
                return .correct(true, answer: target, explanation: "the output contains '\(target)'")
            }
        }
        return .correct(false, answer: nil, explanation: "the output contains none of: \(sample.target.joined(separator: " | "))")
    }
}

/// A regular expression finds the answer (its first group, or the whole match); with targets, the
/// answer must equal one; without, a match is the score (e.g. a phrase that must not appear).
public struct PatternScorer: Scorer {
    public let pattern: String
    public let ignoreCase: Bool
    private let regex: NSRegularExpression

    init(options: JSONObject, path: String) throws {
        guard let pattern = options["pattern"]?.stringValue, !pattern.isEmpty else { throw FieldError("\(path).pattern", "is required: a regular expression") }
        guard pattern.utf8.count <= 4096 else { throw FieldError("\(path).pattern", "is longer than 4096 bytes") }
        self.pattern = pattern
        ignoreCase = options["ignore_case"]?.boolValue ?? true
        do {
            regex = try NSRegularExpression(pattern: pattern, options: ignoreCase ? [.caseInsensitive] : [])
        } catch {
            throw FieldError("\(path).pattern", "is not a valid regular expression: \(pattern)")
        }
    }

    public func score(_ sample: Sample, _ transcript: Transcript, context: ScoringContext) async throws -> Score {
        let output = transcript.output
        guard let match = regex.firstMatch(in: output, range: NSRange(output.startIndex..., in: output)) else {
            return .correct(false, answer: nil, explanation: "the pattern /\(pattern)/ does not match the output")
        }
        let group = match.numberOfRanges > 1 && match.range(at: 1).location != NSNotFound ? 1 : 0
        let answer = Range(match.range(at: group), in: output).map { String(output[$0]) } ?? ""
        guard !sample.target.isEmpty else {
            return .correct(true, answer: answer, explanation: "the pattern /\(pattern)/ matches '\(answer)'")
        }
        let found = normalizedAnswer(answer, ignoreCase: ignoreCase)
        let hit = sample.target.first { normalizedAnswer($0, ignoreCase: ignoreCase) == found }
        return .correct(hit != nil, answer: answer,
                        explanation: hit != nil ? "the answer '\(answer)' equals the target" : "the answer '\(answer)' is not \(sample.target.joined(separator: " or "))")
    }
}

/// Multiple choice by log-likelihood: correct when the most likely choice is the target (as
/// lm-evaluation-harness's `acc`). The target is a letter (A = the first choice) or a choice's text.
public struct ChoiceScorer: Scorer {
    public func score(_ sample: Sample, _ transcript: Transcript, context: ScoringContext) async throws -> Score {
        guard let choices = sample.choices, let scores = transcript.choiceScores, scores.count == choices.count else {
            throw TargetError("choice needs the log-likelihood of every choice; sample '\(sample.id)' has none")
        }
        guard let correct = Self.correctIndex(sample.target, choices: choices) else {
            throw TargetError("sample '\(sample.id)': the target is neither a choice letter nor a choice")
        }
        // The first of equal maxima, as numpy's argmax (lm-evaluation-harness) picks.
        var best = 0
        for i in scores.indices where scores[i].logLikelihood > scores[best].logLikelihood { best = i }
        let letters = scores.indices.map { "\(Self.letter($0))=\(String(format: "%.4f", scores[$0].logLikelihood))" }
        return .correct(best == correct, answer: Self.letter(best),
                        explanation: "log-likelihoods \(letters.joined(separator: ", ")); target \(Self.letter(correct))")
    }

    static func letter(_ index: Int) -> String {
        index < 26 ? String(UnicodeScalar(UInt8(65 + index))) : String(index + 1)
    }

    /// The index of the correct choice: a letter A–Z, or the text of a choice.
    public static func correctIndex(_ target: [String], choices: [String]) -> Int? {
        guard let first = target.first?.trimmingCharacters(in: .whitespaces) else { return nil }
        if first.count == 1, let scalar = first.unicodeScalars.first, (65..<(65 + UInt32(min(choices.count, 26)))).contains(scalar.value) {
            return Int(scalar.value) - 65
        }
        return choices.firstIndex(of: first)
    }
}

/// Answered, refused or deflected, read by the rule-based `RefusalClassifier` (English and Chinese).
public struct RefusalScorer: Scorer {
    let classifier = RefusalClassifier()

    public func score(_ sample: Sample, _ transcript: Transcript, context: ScoringContext) async throws -> Score {
        let verdict = classifier.classify(transcript.output, prompt: sample.input.last { $0.role == "user" }?.content)
        return Score(value: .label(verdict.outcome.rawValue), answer: nil, explanation: verdict.explanation,
                     metadata: JSONObject([("language", .string(verdict.language))]))
    }
}
