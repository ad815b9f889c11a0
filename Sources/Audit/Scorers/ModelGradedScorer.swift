import Foundation
import JSON

/// A judge model grades the answer against a rubric. The judge is any target (a bigger local
/// model, an endpoint); its verdict is JSON constrained by a schema (`{"explanation", "grade"}`,
/// the explanation first so the grade follows the reasoning), and its raw reply is kept.
///
/// The prompt is versioned: a run records `judge_prompt`, and a changed prompt gets a new version,
/// so grades made under different prompts are never pooled unknowingly.
public struct ModelGradedScorer: Scorer {
    public static let promptVersion = "hearth-judge-1"

    /// The task's rubric; a sample's `metadata.rubric` (text or an object) is added to it.
    public let rubric: String
    /// The grades the judge chooses from, with what each means.
    public let grades: [(name: String, meaning: String)]
    public let maxTokens: Int
    var judge: (any ModelTarget)?

    init(options: JSONObject, path: String) throws {
        rubric = options["rubric"]?.stringValue ?? ""
        switch options["grades"] {
        case nil:
            grades = [("C", "correct: the answer satisfies the rubric (and agrees with the reference answer, if one is given)"),
                      ("I", "incorrect: it does not")]
        case .object(let object)?:
            grades = try object.map { key, value in
                guard let meaning = value.stringValue else { throw FieldError("\(path).grades.\(key)", "must be a description") }
                return (key, meaning)
            }
        case .array(let items)?:
            grades = try items.enumerated().map {
                guard let name = $0.element.stringValue else { throw FieldError("\(path).grades[\($0.offset)]", "must be a string") }
                return (name, name)
            }
        default:
            throw FieldError("\(path).grades", "must map each grade to its meaning, e.g. {\"C\": \"correct\", \"I\": \"incorrect\"}")
        }
        guard grades.count >= 2, Set(grades.map(\.name)).count == grades.count else {
            throw FieldError("\(path).grades", "needs at least two distinct grades")
        }
        maxTokens = options["max_tokens"]?.intValue ?? 384
        guard (32...4096).contains(maxTokens) else { throw FieldError("\(path).max_tokens", "must be from 32 to 4096") }
    }

    func with(judge: any ModelTarget) -> ModelGradedScorer {
        var copy = self
        copy.judge = judge
        return copy
    }

    /// The verdict's schema: a short explanation, then one of the grades.
    var verdictSchema: JSONValue {
        .object(JSONObject([
            ("type", "object"),
            ("properties", .object(JSONObject([
                ("explanation", .object(JSONObject([("type", "string"), ("maxLength", 600)]))),
                ("grade", .object(JSONObject([("type", "string"), ("enum", .array(grades.map { .string($0.name) }))]))),
            ]))),
            ("required", ["explanation", "grade"]),
            ("additionalProperties", false),
        ]))
    }

    /// The judge's prompt for one sample.
    func prompt(_ sample: Sample, _ transcript: Transcript) -> String {
        var sampleRubric = ""
        switch sample.metadata["rubric"] {
        case .string(let text)?: sampleRubric = text
        case let value? where value.objectValue != nil || value.arrayValue != nil: sampleRubric = value.serialized(JSONFormat(indent: 2, asciiOnly: false))
        default: break
        }
        var text = """
        You are grading one answer of an AI model for an audit. Judge only what the answer says, \
        against the rubric; do not answer the question yourself.

        [Question]
        \(sample.input.last { $0.role == "user" }?.content ?? sample.inputText)

        """
        if !sample.target.isEmpty {
            text += "[Reference answer]\n\(sample.target.joined(separator: "\n"))\n\n"
        }
        let rubrics = [rubric, sampleRubric].filter { !$0.isEmpty }
        if !rubrics.isEmpty { text += "[Rubric]\n\(rubrics.joined(separator: "\n"))\n\n" }
        text += "[Answer to grade]\n\(transcript.output)\n\n[Grades]\n"
        for grade in grades { text += "\(grade.name): \(grade.meaning)\n" }
        text += "\nReply with JSON only: {\"explanation\": \"one or two sentences\", \"grade\": \"\(grades.map(\.name).joined(separator: "\" | \""))\"}"
        return text
    }

    public func score(_ sample: Sample, _ transcript: Transcript, context: ScoringContext) async throws -> Score {
        guard let judge else { throw TargetError("model_graded has no judge") }
        var settings = GenerationSettings()
        settings.temperature = 0
        settings.maxTokens = maxTokens
        let request = GenerateRequest(messages: [ChatMessage(role: "user", content: prompt(sample, transcript))],
                                      settings: settings, seed: 0, responseSchema: verdictSchema)
        let response = try await Solver.ask(judge, request, log: context.log, cache: context.cache, purpose: "judge")
        let raw = response.message.content
        var metadata = JSONObject([("judge", .string(judge.identity.name)), ("judge_prompt", .string(Self.promptVersion)), ("raw", .string(raw))])
        guard let verdict = Self.parseVerdict(raw), let grade = verdict["grade"]?.stringValue, grades.contains(where: { $0.name == grade }) else {
            // An unusable verdict is the judge's failure, not the model's: the sample is an error.
            metadata["finish_reason"] = .string(response.finishReason)
            throw TargetError("the judge's reply is not a verdict with one of the grades \(grades.map(\.name)): \(raw.prefix(200))")
        }
        return Score(value: .label(grade), answer: nil, explanation: verdict["explanation"]?.stringValue ?? "", metadata: metadata)
    }

    /// The verdict object in a reply: the whole reply, or the first {...} in it (an endpoint
    /// without schema support may wrap it in prose or a code fence).
    static func parseVerdict(_ raw: String) -> JSONObject? {
        if let whole = try? JSONParser.parse(raw), let object = whole.objectValue { return object }
        guard let start = raw.firstIndex(of: "{"), let end = raw.lastIndex(of: "}"), start < end else { return nil }
        return (try? JSONParser.parse(String(raw[start...end])))?.objectValue
    }
}
