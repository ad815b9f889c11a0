import Audit
import Foundation
import JSON

/// A run's figures as `run` and `show` print them (text, or the JSON object of docs/AUDIT.md).
public struct RunSummary: Sendable {
    public let run: RunRow
    public let samples: [SampleRow]
    public let metrics: [(name: String, value: MetricValue)]
    public let groups: [(key: [String: String], metrics: [(name: String, value: MetricValue)], errors: Int)]
    public let groupBy: [String]
    public let contrasts: [PairedContrast]
    public let wallSeconds: Double

    public static func load(run id: String, database: AuditDatabase, groupBy: [String]) throws -> RunSummary {
        let run = try database.run(id)
        let samples = try database.samples(run: run.id)
        let calculator = MetricsCalculator(scorerSpecs: run.spec["task"]?["scorers"]?.arrayValue ?? [])
        let scored = samples.map(\.scored)
        return RunSummary(run: run, samples: samples, metrics: calculator.metrics(scored), groups: calculator.groups(scored, by: groupBy),
                          groupBy: groupBy, contrasts: PairedContrast.contrasts(scored, calculator: calculator, by: groupBy),
                          wallSeconds: try database.wallTime(run: run.id))
    }

    public static func scorerNames(_ run: RunRow) -> [String] {
        (run.spec["task"]?["scorers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    public var errors: Int { samples.filter { $0.status == .error }.count }
    public var promptTokens: Int { samples.reduce(0) { $0 + $1.promptTokens } }
    public var completionTokens: Int { samples.reduce(0) { $0 + $1.completionTokens } }

    /// The estimated cost: machine time at its price per hour, or tokens at an endpoint's prices.
    public var cost: Double? {
        let pricing = run.spec["pricing"]
        var total: Double?
        if let perHour = pricing?["per_hour"]?.doubleValue { total = (total ?? 0) + perHour * wallSeconds / 3600 }
        if let input = pricing?["per_million_input"]?.doubleValue { total = (total ?? 0) + input * Double(promptTokens) / 1e6 }
        if let output = pricing?["per_million_output"]?.doubleValue { total = (total ?? 0) + output * Double(completionTokens) / 1e6 }
        return total
    }

    public static func metricsJSON(_ metrics: [(name: String, value: MetricValue)]) -> JSONValue {
        .object(JSONObject(metrics.map { ($0.name, $0.value.json) }))
    }

    public var json: JSONValue {
        let task = run.spec["task"] ?? .null
        return .object(JSONObject([
            ("run", .string(run.id)),
            ("task", .object(JSONObject([
                ("name", .string(run.taskName)), ("version", .string(run.taskVersion)), ("dataset_sha256", .string(run.datasetSHA256)),
                ("dataset", task["dataset"] ?? .null), ("solver", task["solver"] ?? .null), ("scorers", task["scorers"] ?? .null),
            ]))),
            ("target", run.spec["target"] ?? .null),
            ("judge", run.spec["judge"] ?? .null),
            ("engine", run.spec["engine"] ?? .null),
            ("settings", task["generation"] ?? .null),
            ("created", .string(ISO8601DateFormatter().string(from: run.createdAt))),
            ("samples", .object(JSONObject([("total", .int(run.sampleCount)), ("done", .int(run.done)), ("errors", .int(run.errors))]))),
            ("metrics", Self.metricsJSON(metrics)),
            ("groups", .array(groups.map { group in
                .object(JSONObject([
                    ("key", .object(JSONObject(groupBy.map { ($0, .string(group.key[$0] ?? "")) }))),
                    ("metrics", Self.metricsJSON(group.metrics)), ("errors", .int(group.errors)),
                ]))
            })),
            ("contrasts", .array(contrasts.map(\.json))),
            ("errors", .int(errors)),
            ("tokens", .object(JSONObject([("prompt", .int(promptTokens)), ("completion", .int(completionTokens))]))),
            ("time", .object(JSONObject([
                ("wall_seconds", .double(wallSeconds)),
                ("completion_tokens_per_second", .double(wallSeconds > 0 ? Double(completionTokens) / wallSeconds : 0)),
            ]))),
            ("cost", cost.map(JSONValue.double) ?? .null),
            ("command", run.spec["command"] ?? .null),
        ]))
    }

    public var text: String {
        var lines: [String] = []
        lines.append("run \(run.id)  \(run.taskName) (version \(run.taskVersion)) · \(run.targetName)")
        lines.append("  samples \(run.done) done of \(run.sampleCount), \(run.errors) errors (not scored)")
        lines += Self.metricLines(metrics, indent: "  ")
        for group in groups {
            lines.append("  [" + groupBy.map { "\($0)=\(group.key[$0] ?? "")" }.joined(separator: ", ") + "]" + (group.errors > 0 ? "  \(group.errors) errors" : ""))
            lines += Self.metricLines(group.metrics, indent: "    ")
        }
        if !contrasts.isEmpty {
            lines.append("  sensitive − control (paired):")
            let width = contrasts.map(\.metric.count).max() ?? 0
            for contrast in contrasts {
                let key = contrast.key.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                lines.append("    " + contrast.metric.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(format: "  %+.3f  [%+.3f, %+.3f]  (%.3f vs %.3f)  pairs=%d", contrast.difference, contrast.ci95.low, contrast.ci95.high,
                             contrast.sensitive, contrast.control, contrast.n) + (key.isEmpty ? "" : "  \(key)"))
            }
        }
        let rate = wallSeconds > 0 ? Double(completionTokens) / wallSeconds : 0
        lines.append("  tokens \(promptTokens) in, \(completionTokens) out; \(String(format: "%.1f", wallSeconds)) s; \(String(format: "%.1f", rate)) tokens/s out")
        if let cost { lines.append("  cost ≈ \(String(format: "%.4f", cost))") }
        return lines.joined(separator: "\n")
    }

    public static func metricLines(_ metrics: [(name: String, value: MetricValue)], indent: String) -> [String] {
        let width = metrics.map(\.name.count).max() ?? 0
        return metrics.map { name, value in
            indent + name.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "  %.3f  [%.3f, %.3f]  n=%d", value.value, value.ci95.low, value.ci95.high, value.n)
        }
    }
}

/// A recorded sample as export and `show --samples` write it.
public enum SampleExport {
    public static func json(_ sample: SampleRow, requests: [RequestRecord]) -> JSONValue {
        .object(JSONObject([
            ("id", .string(sample.sampleID)), ("status", .string(sample.status.rawValue)), ("input", sample.input),
            ("transcript", sample.transcript?.json ?? .null), ("error", sample.error.map(JSONValue.string) ?? .null),
            ("scores", .object(JSONObject(sample.scores.map { stored in
                (stored.scorer, .object(JSONObject([
                    ("value", stored.score.value.json), ("answer", stored.score.answer.map(JSONValue.string) ?? .null),
                    ("explanation", .string(stored.score.explanation)), ("metadata", .object(stored.score.metadata)),
                ])))
            }))),
            ("requests", .array(requests.map { request in
                .object(JSONObject([
                    ("purpose", .string(request.purpose)), ("request", request.request), ("response", request.response ?? .null),
                    ("error", request.error.map(JSONValue.string) ?? .null), ("seconds", .double(request.seconds)), ("cached", .bool(request.cached)),
                ]))
            })),
            ("prompt_tokens", .int(sample.promptTokens)), ("completion_tokens", .int(sample.completionTokens)), ("seconds", .double(sample.seconds)),
        ]))
    }

    public static func text(_ sample: SampleRow) -> String {
        var lines = ["── \(sample.sampleID) (\(sample.status.rawValue))"]
        for message in sample.transcript?.messages ?? [] {
            var line = "\(message.role): \(message.content)"
            for call in message.toolCalls { line += "\n  → \(call.name)(\(call.arguments))" }
            lines.append(line)
        }
        if let scores = sample.transcript?.choiceScores {
            lines.append("choices: " + scores.map { String(format: "%.4f", $0.logLikelihood) }.joined(separator: ", "))
        }
        if let error = sample.error { lines.append("error: \(error)") }
        for stored in sample.scores {
            lines.append("[\(stored.scorer)] \(stored.score.value.json.serialized(.compact)) — \(stored.score.explanation)")
        }
        return lines.joined(separator: "\n")
    }

    public static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
