import Foundation
import JSON

/// Sampling settings of a run, sent to every target the same way (OpenAI's names in requests).
public struct GenerationSettings: Sendable, Equatable {
    public var temperature: Double = 0
    public var topP: Double?
    public var topK: Int?
    public var maxTokens: Int = 512
    /// The run's seed; each sample draws from its own seed derived from this and its id, so a
    /// sample's output does not depend on the order or concurrency in which samples run.
    public var seed: UInt64 = 0
    public var stop: [String] = []

    public init() {}

    /// The seed of one sample: the run's seed mixed with the sample id (SHA-256, first 8 bytes),
    /// kept below 2^53 so that JSON clients which read numbers as doubles send it back exactly.
    public func seed(forSample id: String) -> UInt64 {
        let digest = "\(seed):\(id)".sha256Hex
        return UInt64(digest.prefix(16), radix: 16)! & ((1 << 53) - 1)
    }

    public var json: JSONValue {
        var object = JSONObject([("temperature", .double(temperature))])
        if let topP { object["top_p"] = .double(topP) }
        if let topK { object["top_k"] = .int(topK) }
        object["max_tokens"] = .int(maxTokens)
        object["seed"] = .int(Int(seed))
        if !stop.isEmpty { object["stop"] = .array(stop.map(JSONValue.string)) }
        return .object(object)
    }

    /// Reads `generation` of a task file (or a stored run), checking each value's range.
    public init(json value: JSONValue, path: String) throws {
        guard let object = value.objectValue else { throw FieldError(path, "must be an object") }
        let known: Set<String> = ["temperature", "top_p", "top_k", "max_tokens", "seed", "stop"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw FieldError("\(path).\(unknown)", "is not a generation setting (\(known.sorted().joined(separator: ", ")))")
        }
        if let value = object["temperature"] {
            guard let number = value.doubleValue, (0...2).contains(number) else { throw FieldError("\(path).temperature", "must be a number from 0 to 2") }
            temperature = number
        }
        if let value = object["top_p"], !value.isNull {
            guard let number = value.doubleValue, number > 0, number <= 1 else { throw FieldError("\(path).top_p", "must be a number in (0, 1]") }
            topP = number
        }
        if let value = object["top_k"], !value.isNull {
            guard let number = value.intValue, number >= 0 else { throw FieldError("\(path).top_k", "must be an integer of 0 or more") }
            topK = number
        }
        if let value = object["max_tokens"] {
            guard let number = value.intValue, (1...1_000_000).contains(number) else { throw FieldError("\(path).max_tokens", "must be an integer from 1 to 1000000") }
            maxTokens = number
        }
        if let value = object["seed"] {
            guard let number = value.intValue, number >= 0 else { throw FieldError("\(path).seed", "must be an integer of 0 or more") }
            seed = UInt64(number)
        }
        if let value = object["stop"] {
            guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue?.isEmpty == false }) else {
                throw FieldError("\(path).stop", "must be a list of non-empty strings")
            }
            stop = items.compactMap(\.stringValue)
        }
    }
}

/// How a sample is put to the model.
public enum SolverSpec: Sendable, Equatable {
    /// One answer to the input (after an optional system prompt).
    case generate(system: String?)
    /// An answer after each user turn of the input's messages, in order.
    case multiTurn(system: String?)
    /// The sample's simulated tools offered; calls answered with their scripted results until the
    /// model answers without a call or `maxTurns` model turns have passed.
    case toolLoop(system: String?, maxTurns: Int)
    /// No generation: the log-likelihood of each choice after the input (multiple choice).
    case choiceLikelihood(delimiter: String)

    public var name: String {
        switch self {
        case .generate: return "generate"
        case .multiTurn: return "multi_turn"
        case .toolLoop: return "tool_loop"
        case .choiceLikelihood: return "choice"
        }
    }

    public var json: JSONValue {
        switch self {
        case .generate(let system), .multiTurn(let system):
            return .object(JSONObject([("type", .string(name)), ("system", system.map(JSONValue.string) ?? .null)]))
        case let .toolLoop(system, maxTurns):
            return .object(JSONObject([("type", .string(name)), ("system", system.map(JSONValue.string) ?? .null), ("max_turns", .int(maxTurns))]))
        case .choiceLikelihood(let delimiter):
            return .object(JSONObject([("type", .string(name)), ("delimiter", .string(delimiter))]))
        }
    }

    public init(json value: JSONValue, path: String) throws {
        let object: JSONObject
        switch value {
        case .string(let name): object = JSONObject([("type", .string(name))])
        case .object(let fields): object = fields
        default: throw FieldError(path, "must be a solver name or an object with \"type\"")
        }
        let system = object["system"]?.stringValue
        switch object["type"]?.stringValue {
        case "generate"?: self = .generate(system: system)
        case "multi_turn"?: self = .multiTurn(system: system)
        case "tool_loop"?:
            let turns = object["max_turns"]?.intValue ?? 8
            guard (1...64).contains(turns) else { throw FieldError("\(path).max_turns", "must be from 1 to 64") }
            self = .toolLoop(system: system, maxTurns: turns)
        case "choice"?: self = .choiceLikelihood(delimiter: object["delimiter"]?.stringValue ?? " ")
        default: throw FieldError("\(path).type", "must be generate, multi_turn, tool_loop or choice")
        }
    }
}

/// A task: a dataset, how its samples are solved, how answers are scored, and a version (bump it
/// when any of these change; a run records it with the dataset's hash).
public struct AuditTask: Sendable {
    public var name: String
    public var version: String
    public var description: String
    public var dataset: Dataset
    public var solver: SolverSpec
    public var scorers: [ScorerSpec]
    public var generation: GenerationSettings
    /// Where the task came from (a file, a shipped suite, or a bare dataset).
    public var source: String
    /// The task file, when it came from one.
    public var sourceFile: String?

    public init(name: String, version: String, description: String = "", dataset: Dataset, solver: SolverSpec,
                scorers: [ScorerSpec], generation: GenerationSettings = GenerationSettings(), source: String) {
        self.name = name
        self.version = version
        self.description = description
        self.dataset = dataset
        self.solver = solver
        self.scorers = scorers
        self.generation = generation
        self.source = source
    }

    /// Reads a task file (JSON). The dataset path is relative to the task file.
    public init(contentsOf url: URL) throws {
        let path = url.path
        guard let data = FileManager.default.contents(atPath: path) else { throw AuditInputError(file: path, "cannot be read") }
        guard data.count <= 4 << 20 else { throw AuditInputError(file: path, "is larger than 4 MiB; a task file holds settings, its samples go in the dataset") }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes: [UInt8](data))
        } catch let error as JSONParseError {
            throw AuditInputError(file: path, line: Self.line(ofOffset: error.offset, in: [UInt8](data)), "not valid JSON: \(error.message)")
        }
        do {
            try self.init(json: value, directory: url.deletingLastPathComponent(), source: path)
            sourceFile = path
        } catch let error as FieldError {
            throw AuditInputError(file: path, error.description)
        }
    }

    public init(json value: JSONValue, directory: URL, source: String) throws {
        guard let object = value.objectValue else { throw FieldError("task", "must be a JSON object") }
        let known: Set<String> = ["name", "version", "description", "dataset", "solver", "scorers", "scorer", "generation"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw FieldError(unknown, "is not a task field (\(known.sorted().joined(separator: ", ")))")
        }
        guard let name = object["name"]?.stringValue, !name.isEmpty else { throw FieldError("name", "is required") }
        guard let version = object["version"]?.stringValue ?? object["version"]?.intValue.map(String.init) else {
            throw FieldError("version", "is required (a string such as \"1.0.0\")")
        }
        let datasetPaths: [String]
        switch object["dataset"] {
        case .string(let path)?: datasetPaths = [path]
        case .array(let items)? where !items.isEmpty && items.allSatisfy({ $0.stringValue != nil }): datasetPaths = items.compactMap(\.stringValue)
        default: throw FieldError("dataset", "is required: a JSON-lines file (or a list of them), relative to the task file")
        }
        let parts = try datasetPaths.map { path in
            try Dataset(contentsOf: path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path))
        }
        let dataset = try Dataset(combining: parts)
        let solver = try object["solver"].map { try SolverSpec(json: $0, path: "solver") } ?? .generate(system: nil)
        var scorerValues: [JSONValue] = []
        if let list = object["scorers"]?.arrayValue { scorerValues = list } else if let one = object["scorer"] { scorerValues = [one] }
        guard !scorerValues.isEmpty else { throw FieldError("scorers", "are required: a list such as [\"includes\"]") }
        let scorers = try scorerValues.enumerated().map { try ScorerSpec(json: $0.element, path: "scorers[\($0.offset)]") }
        let generation = try object["generation"].map { try GenerationSettings(json: $0, path: "generation") } ?? GenerationSettings()
        self.init(name: name, version: version, description: object["description"]?.stringValue ?? "", dataset: dataset,
                  solver: solver, scorers: scorers, generation: generation, source: source)
        try validate()
    }

    /// A bare dataset run with one scorer: log-likelihood multiple choice when the samples have
    /// choices and the scorer is `choice`, else the default generate solver.
    public init(dataset: Dataset, scorer: ScorerSpec) throws {
        let name = URL(fileURLWithPath: dataset.path).deletingPathExtension().lastPathComponent
        let solver: SolverSpec = scorer.kind == .choice ? .choiceLikelihood(delimiter: " ") : .generate(system: nil)
        self.init(name: name, version: "dataset", dataset: dataset, solver: solver, scorers: [scorer], source: dataset.path)
        try validate()
    }

    /// Checks that the solver and scorers fit the samples (every choice sample has a target, …).
    public func validate() throws {
        if case .choiceLikelihood = solver {
            for sample in dataset.samples {
                guard let choices = sample.choices else { throw FieldError("solver", "is choice, but sample '\(sample.id)' has no choices") }
                guard ChoiceScorer.correctIndex(sample.target, choices: choices) != nil else {
                    throw FieldError("target", "of sample '\(sample.id)' must be a choice's letter (A, B, …) or text")
                }
            }
        }
        for scorer in scorers where scorer.kind == .choice {
            guard case .choiceLikelihood = solver else { throw FieldError("scorers", "choice needs the choice solver (log-likelihood of each choice)") }
        }
        if case .toolLoop = solver, dataset.samples.contains(where: { $0.tools.isEmpty }) {
            let id = dataset.samples.first { $0.tools.isEmpty }!.id
            throw FieldError("solver", "is tool_loop, but sample '\(id)' offers no tools")
        }
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("name", .string(name)), ("version", .string(version)), ("description", .string(description)),
            ("dataset", .string(dataset.path)), ("dataset_sha256", .string(dataset.sha256)),
            ("samples", .int(dataset.samples.count)), ("solver", solver.json),
            ("scorers", .array(scorers.map(\.json))), ("generation", generation.json), ("source", .string(source)),
        ]))
    }

    static func line(ofOffset offset: Int, in bytes: [UInt8]) -> Int {
        1 + bytes.prefix(offset).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
}
