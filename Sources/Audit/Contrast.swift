import Foundation
import JSON

/// Sensitive questions against their matched controls, within one run: for each figure, the rate
/// on the sensitive questions minus the rate on their controls, over the pairs where both were
/// scored, with Newcombe's interval for paired proportions. A model that refuses everything shows
/// no gap; one that refuses only the sensitive side shows one, with an interval.
///
/// Samples take part when their metadata has `kind` ("sensitive" or "control") and `pair`; a pair
/// is matched within the same language (and the same values of any grouping fields).
public struct PairedContrast: Sendable {
    public var key: [String: String]
    public var metric: String
    public var sensitive: Double
    public var control: Double
    public var difference: Double
    public var ci95: ConfidenceInterval
    /// Pairs where both sides were scored.
    public var n: Int

    public var json: JSONValue {
        .object(JSONObject([
            ("key", .object(JSONObject(key.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))),
            ("metric", .string(metric)), ("sensitive", .double(sensitive)), ("control", .double(control)),
            ("difference", .double(difference)), ("ci95", .array([.double(ci95.low), .double(ci95.high)])), ("n", .int(n)),
        ]))
    }

    /// The contrasts of every label rate, per value of `fields` (language is always one of them
    /// when samples have it). Empty when no sample has a sensitive/control pair.
    public static func contrasts(_ samples: [ScoredSample], calculator: MetricsCalculator, by fields: [String]) -> [PairedContrast] {
        var keys = fields
        if !keys.contains("language"), samples.contains(where: { $0.metadata["language"] != nil }) { keys.insert("language", at: 0) }
        keys.removeAll { $0 == "kind" || $0 == "pair" }
        func text(_ sample: ScoredSample, _ field: String) -> String {
            switch sample.metadata[field] {
            case nil, .null?: return "(none)"
            case .string(let value)?: return value
            case let other?: return other.serialized(.compact)
            }
        }
        // (group key, pair) -> (sensitive, control)
        var sides: [[String]: [String: (ScoredSample?, ScoredSample?)]] = [:]
        for sample in samples {
            guard let kind = sample.metadata["kind"]?.stringValue, kind == "sensitive" || kind == "control",
                  let pair = sample.metadata["pair"]?.stringValue else { continue }
            let group = keys.map { text(sample, $0) }
            var entry = sides[group, default: [:]][pair] ?? (nil, nil)
            if kind == "sensitive" { entry.0 = sample } else { entry.1 = sample }
            sides[group, default: [:]][pair] = entry
        }
        var result: [PairedContrast] = []
        for group in sides.keys.sorted(by: { $0.joined(separator: "\u{1}") < $1.joined(separator: "\u{1}") }) {
            let pairs = sides[group]!.values.compactMap { entry -> (ScoredSample, ScoredSample)? in
                guard let s = entry.0, let c = entry.1, s.scores != nil, c.scores != nil else { return nil }
                return (s, c)
            }
            guard !pairs.isEmpty else { continue }
            let key = Dictionary(uniqueKeysWithValues: zip(keys, group))
            for comparison in PairedComparison.compare(pairs.map(\.0).enumerated().map { Self.renamed($0.element, $0.offset) },
                                                       pairs.map(\.1).enumerated().map { Self.renamed($0.element, $0.offset) },
                                                       scorers: calculator.scorers, labels: calculator.labels) {
                result.append(PairedContrast(key: key, metric: comparison.metric, sensitive: comparison.first, control: comparison.second,
                                             difference: comparison.difference, ci95: comparison.ci95, n: comparison.n))
            }
        }
        return result
    }

    /// The two sides of a pair under one id, so that `PairedComparison` pairs them.
    private static func renamed(_ sample: ScoredSample, _ index: Int) -> ScoredSample {
        ScoredSample(id: String(index), metadata: sample.metadata, scores: sample.scores)
    }
}
