import Foundation
import JSON

/// A figure with its uncertainty: a rate with its Wilson interval, or a mean with a bootstrap one.
public struct MetricValue: Sendable, Equatable {
    public var value: Double
    public var ci95: ConfidenceInterval
    /// Samples it is computed over (errors excluded).
    public var n: Int

    public var json: JSONValue {
        .object(JSONObject([("value", .double(value)), ("ci95", .array([.double(ci95.low), .double(ci95.high)])), ("n", .int(n))]))
    }
}

/// A sample's recorded scores, the input of every figure (re-scoring replaces them).
public struct ScoredSample: Sendable {
    public var id: String
    public var metadata: JSONObject
    /// nil for a sample that ended in an error.
    public var scores: [String: ScoreValue]?

    public init(id: String, metadata: JSONObject, scores: [String: ScoreValue]?) {
        self.id = id
        self.metadata = metadata
        self.scores = scores
    }
}

/// How each scorer's values become named figures: `scorer.accuracy` for 0/1 values, `scorer.mean`
/// for other numbers, `scorer.LABEL` (the rate of each label) for labels.
public struct MetricsCalculator: Sendable {
    public let scorers: [String]
    /// The labels a scorer can give (its outcomes, a judge's grades): each gets its rate even
    /// when no sample received it, so a 0% is shown as one and not left out.
    public let labels: [String: [String]]
    public let bootstrapSeed: UInt64

    public init(scorers: [String], labels: [String: [String]] = [:], bootstrapSeed: UInt64 = 0) {
        self.scorers = scorers
        self.labels = labels
        self.bootstrapSeed = bootstrapSeed
    }

    /// From the scorers of a task (as `ScorerSpec.json` writes them).
    public init(scorerSpecs: [JSONValue], bootstrapSeed: UInt64 = 0) {
        var names: [String] = []
        var labels: [String: [String]] = [:]
        for value in scorerSpecs {
            guard let spec = try? ScorerSpec(json: value, path: "scorer") else { continue }
            names.append(spec.name)
            labels[spec.name] = spec.labels
        }
        self.init(scorers: names, labels: labels, bootstrapSeed: bootstrapSeed)
    }

    /// The figures over `samples` (errors are counted apart, never in a rate's n).
    public func metrics(_ samples: [ScoredSample]) -> [(name: String, value: MetricValue)] {
        var result: [(String, MetricValue)] = []
        for scorer in scorers {
            let values = samples.compactMap { $0.scores?[scorer] }
            guard !values.isEmpty else { continue }
            for (name, indicator) in Self.measures(scorer: scorer, values: values, known: labels[scorer] ?? []) {
                let series = values.map(indicator)
                if Self.isBinary(series) {
                    let successes = series.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
                    result.append((name, MetricValue(value: Double(successes) / Double(series.count),
                                                     ci95: Statistics.wilson(successes: successes, trials: series.count), n: series.count)))
                } else {
                    let mean = series.reduce(0, +) / Double(series.count)
                    result.append((name, MetricValue(value: mean, ci95: Statistics.bootstrapMean(series, seed: bootstrapSeed), n: series.count)))
                }
            }
        }
        return result
    }

    /// The figures of each group of samples sharing the values of `fields` (e.g. topic, language).
    public func groups(_ samples: [ScoredSample], by fields: [String]) -> [(key: [String: String], metrics: [(name: String, value: MetricValue)], errors: Int)] {
        guard !fields.isEmpty else { return [] }
        var order: [[String]] = []
        var members: [[String]: [ScoredSample]] = [:]
        for sample in samples {
            let key = fields.map { field -> String in
                switch sample.metadata[field] {
                case nil, .null?: return "(none)"
                case .string(let text)?: return text
                case let other?: return other.serialized(.compact)
                }
            }
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(sample)
        }
        return order.sorted { $0.joined(separator: "\u{1}") < $1.joined(separator: "\u{1}") }.map { key in
            let group = members[key]!
            return (Dictionary(uniqueKeysWithValues: zip(fields, key)), metrics(group), group.filter { $0.scores == nil }.count)
        }
    }

    /// The named indicators of one scorer's values: each maps a value to a number.
    static func measures(scorer: String, values: [ScoreValue], known: [String] = []) -> [(String, (ScoreValue) -> Double)] {
        var labels: [String] = values.contains { if case .label = $0 { return true } else { return false } } ? known : []
        var numeric = false
        for value in values {
            switch value {
            case .label(let label): if !labels.contains(label) { labels.append(label) }
            case .number: numeric = true
            }
        }
        if !labels.isEmpty && !numeric {
            return labels.sorted().map { label in ("\(scorer).\(label)", { $0 == .label(label) ? 1 : 0 }) }
        }
        let numbers = values.compactMap { if case .number(let x) = $0 { return x } else { return nil } }
        let name = isBinary(numbers) ? "\(scorer).accuracy" : "\(scorer).mean"
        return [(name, { if case .number(let x) = $0 { return x } else { return 0 } })]
    }

    static func isBinary(_ series: [Double]) -> Bool { series.allSatisfy { $0 == 0 || $0 == 1 } }
}

/// The difference between two runs on the samples both scored: for each figure, first minus second
/// with its interval (paired proportions: Newcombe's hybrid score interval and McNemar's exact
/// test; other means: a paired bootstrap).
public struct PairedComparison: Sendable {
    public var metric: String
    public var first: Double
    public var second: Double
    public var difference: Double
    public var ci95: ConfidenceInterval
    /// McNemar's exact p-value for rates; nil for means.
    public var pValue: Double?
    /// Samples scored in both runs.
    public var n: Int

    public var json: JSONValue {
        .object(JSONObject([
            ("metric", .string(metric)), ("first", .double(first)), ("second", .double(second)), ("difference", .double(difference)),
            ("ci95", .array([.double(ci95.low), .double(ci95.high)])), ("p_value", pValue.map(JSONValue.double) ?? .null), ("n", .int(n)),
        ]))
    }

    public static func compare(_ a: [ScoredSample], _ b: [ScoredSample], scorers: [String], labels: [String: [String]] = [:],
                               seed: UInt64 = 0) -> [PairedComparison] {
        let second = Dictionary(b.compactMap { s in s.scores.map { (s.id, $0) } }, uniquingKeysWith: { x, _ in x })
        var pairs: [(first: [String: ScoreValue], second: [String: ScoreValue])] = []
        for sample in a {
            if let scores = sample.scores, let other = second[sample.id] { pairs.append((scores, other)) }
        }
        var result: [PairedComparison] = []
        for scorer in scorers {
            let both = pairs.compactMap { p -> (ScoreValue, ScoreValue)? in
                guard let x = p.first[scorer], let y = p.second[scorer] else { return nil }
                return (x, y)
            }
            guard !both.isEmpty else { continue }
            for (name, indicator) in MetricsCalculator.measures(scorer: scorer, values: both.map(\.0) + both.map(\.1), known: labels[scorer] ?? []) {
                let xs = both.map { indicator($0.0) }
                let ys = both.map { indicator($0.1) }
                let meanX = xs.reduce(0, +) / Double(xs.count)
                let meanY = ys.reduce(0, +) / Double(ys.count)
                if MetricsCalculator.isBinary(xs) && MetricsCalculator.isBinary(ys) {
                    var table = (a: 0, b: 0, c: 0, d: 0)
                    for (x, y) in zip(xs, ys) {
                        switch (x == 1, y == 1) {
                        case (true, true): table.a += 1
                        case (true, false): table.b += 1
                        case (false, true): table.c += 1
                        case (false, false): table.d += 1
                        }
                    }
                    let paired = Statistics.pairedProportionDifference(bothYes: table.a, onlyFirst: table.b, onlySecond: table.c, bothNo: table.d)
                    let test = Statistics.mcNemar(onlyFirst: table.b, onlySecond: table.c)
                    result.append(PairedComparison(metric: name, first: meanX, second: meanY, difference: paired.difference,
                                                   ci95: paired.interval, pValue: test.pValue, n: xs.count))
                } else {
                    let paired = Statistics.pairedBootstrapDifference(xs, ys, seed: seed)
                    result.append(PairedComparison(metric: name, first: meanX, second: meanY, difference: paired.difference,
                                                   ci95: paired.interval, pValue: nil, n: xs.count))
                }
            }
        }
        return result
    }
}
