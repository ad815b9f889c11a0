import Foundation
import JSON

/// A scorer's value: a number (1 correct, 0 not; or any measure) or a label (an outcome such as
/// "refused", a judge's grade).
public enum ScoreValue: Sendable, Equatable {
    case number(Double)
    case label(String)

    public var json: JSONValue {
        switch self {
        case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? .int(Int(value)) : .double(value)
        case .label(let text): return .string(text)
        }
    }

    public init?(json value: JSONValue) {
        switch value {
        case .int(let number): self = .number(Double(number))
        case .double(let number): self = .number(number)
        case .string(let text): self = .label(text)
        case .bool(let flag): self = .number(flag ? 1 : 0)
        default: return nil
        }
    }
}

/// What a scorer says of one sample: the value, the answer it read, and why.
public struct Score: Sendable, Equatable {
    public var value: ScoreValue
    /// The part of the output the scorer judged (an extracted answer, a choice letter).
    public var answer: String?
    public var explanation: String
    /// Anything else worth keeping, e.g. a judge's raw verdict.
    public var metadata: JSONObject

    public init(value: ScoreValue, answer: String? = nil, explanation: String, metadata: JSONObject = JSONObject()) {
        self.value = value
        self.answer = answer
        self.explanation = explanation
        self.metadata = metadata
    }

    public static func correct(_ isCorrect: Bool, answer: String?, explanation: String) -> Score {
        Score(value: .number(isCorrect ? 1 : 0), answer: answer, explanation: explanation)
    }
}

/// The kinds of scorer Hearth has.
public enum ScorerKind: String, Sendable, CaseIterable {
    case match, includes, pattern, choice, refusal
    case modelGraded = "model_graded"
    /// The probe suites' scorers (SuiteScorers.swift).
    case narrative, hijack
    case taskCompletion = "task_completion"
}

/// A scorer as a task names it, with its options.
public struct ScorerSpec: Sendable, Equatable {
    public var kind: ScorerKind
    /// Unique within a task: its records and metrics carry it (defaults to the kind's name).
    public var name: String
    public var options: JSONObject
    /// Which text of the output the scorer judges (`"reads"`): the answer, or a reasoning
    /// model's thoughts.
    public var reads: ScoredText

    public init(kind: ScorerKind, name: String? = nil, options: JSONObject = JSONObject(), reads: ScoredText = .answer) {
        self.kind = kind
        self.name = name ?? kind.rawValue
        self.options = options
        self.reads = reads
    }

    public init(json value: JSONValue, path: String) throws {
        var object: JSONObject
        switch value {
        case .string(let name): object = JSONObject([("type", .string(name))])
        case .object(let fields): object = fields
        default: throw FieldError(path, "must be a scorer name or an object with \"type\"")
        }
        guard let type = object["type"]?.stringValue, let kind = ScorerKind(rawValue: type) else {
            throw FieldError("\(path).type", "must be one of \(ScorerKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.kind = kind
        name = object["name"]?.stringValue ?? type
        switch object["reads"] {
        case nil: reads = .answer
        case .string(let text)?:
            guard let value = ScoredText(rawValue: text) else {
                throw FieldError("\(path).reads", "must be \"answer\" or \"reasoning\", got \"\(text)\"")
            }
            reads = value
        case let other?: throw FieldError("\(path).reads", "must be \"answer\" or \"reasoning\", got \(other.typeName)")
        }
        object["type"] = nil
        object["name"] = nil
        object["reads"] = nil
        options = object
        _ = try makeScorer(judge: nil, path: path, checkOnly: true)
    }

    /// The labels the scorer gives, for scorers that give labels.
    public var labels: [String] {
        switch kind {
        case .refusal: return RefusalOutcome.allCases.map(\.rawValue)
        case .narrative: return NarrativeScorer.outcomes
        case .hijack: return HijackScorer.outcomes
        case .taskCompletion: return TaskCompletionScorer.outcomes
        case .modelGraded: return ((try? ModelGradedScorer(options: options, path: name))?.grades ?? []).map(\.name)
        case .match, .includes, .pattern, .choice: return []
        }
    }

    public var json: JSONValue {
        var object = JSONObject([("type", .string(kind.rawValue)), ("name", .string(name))])
        if reads != .answer { object["reads"] = .string(reads.rawValue) }
        for (key, value) in options { object[key] = value }
        return .object(object)
    }

    /// Builds the scorer; `judge` is the target that grades for `model_graded`.
    public func makeScorer(judge: (any ModelTarget)?, path: String = "scorer", checkOnly: Bool = false) throws -> any Scorer {
        let scorer = try makeKind(judge: judge, path: path, checkOnly: checkOnly)
        return reads == .reasoning ? ReasoningReader(base: scorer) : scorer
    }

    private func makeKind(judge: (any ModelTarget)?, path: String, checkOnly: Bool) throws -> any Scorer {
        switch kind {
        case .match: return try MatchScorer(options: options, path: path)
        case .includes: return IncludesScorer(ignoreCase: options["ignore_case"]?.boolValue ?? true)
        case .pattern: return try PatternScorer(options: options, path: path)
        case .choice: return ChoiceScorer()
        case .refusal: return RefusalScorer()
        case .narrative: return NarrativeScorer()
        case .hijack: return HijackScorer()
        case .taskCompletion: return TaskCompletionScorer()
        case .modelGraded:
            let grader = try ModelGradedScorer(options: options, path: path)
            if checkOnly { return grader }
            guard let judge else {
                throw FieldError(path, "model_graded needs a judge: pass --judge TARGET (a local model or openai:MODEL@URL)")
            }
            return grader.with(judge: judge)
        }
    }
}

/// The text of an output a scorer judges.
public enum ScoredText: String, Sendable, Equatable {
    case answer
    /// A reasoning model's thoughts (`reasoning_content`).
    case reasoning
}

/// Gives a scorer the thoughts in place of the answer. A model that returned no thoughts at all
/// (not a reasoning model, or an endpoint that does not separate them) cannot be scored this way:
/// that is an error of the sample, not a score. An empty block is scored as the empty text it is.
struct ReasoningReader: Scorer {
    let base: any Scorer

    func score(_ sample: Sample, _ transcript: Transcript, context: ScoringContext) async throws -> Score {
        guard let reasoning = transcript.reasoning else {
            throw TargetError("the scorer reads the reasoning, but the model returned none (not a reasoning model, or its endpoint does not return reasoning_content)")
        }
        var thoughts = transcript
        thoughts.output = reasoning
        return try await base.score(sample, thoughts, context: context)
    }
}

/// What a scorer may use besides the sample and transcript: where to record a judge's requests.
public struct ScoringContext: Sendable {
    public let log: RequestLog
    public let cache: (any ResponseCache)?

    public init(log: RequestLog, cache: (any ResponseCache)?) {
        self.log = log
        self.cache = cache
    }
}

public protocol Scorer: Sendable {
    func score(_ sample: Sample, _ transcript: Transcript, context: ScoringContext) async throws -> Score
}

/// Text as scorers compare it: trimmed, trailing sentence punctuation dropped, optionally folded.
func normalizedAnswer(_ text: String, ignoreCase: Bool) -> String {
    var result = text.trimmingCharacters(in: .whitespacesAndNewlines)
    while let last = result.last, ".。!！?？,，;；:：".contains(last) { result.removeLast() }
    result = result.trimmingCharacters(in: .whitespacesAndNewlines)
    return ignoreCase ? result.lowercased() : result
}
