import Audit
import AuditLog
import Foundation
import JSON

/// One run as the report shows it: the summary `hearth audit show RUN --output json` prints, the
/// same figures per topic and language, and every sample's record.
public struct ReportRun: Sendable {
    public let summary: RunSummary
    /// Exactly `RunSummary.json` (no grouping), as `show --output json` prints it.
    public let summaryJSON: JSONValue
    /// The fields of the topic × language groups: `topic` (or `category` when no sample has a
    /// topic) and `language`, those that samples have.
    public let groupFields: [String]
    /// `RunSummary.load(…, groupBy: groupFields).json["groups"]`.
    public let groups: JSONValue
    /// `SampleExport.json` of each sample, with request and response bodies only when small.
    public let samples: [JSONValue]

    public var id: String { summary.run.id }
    public var taskName: String { summary.run.taskName }
    public var targetName: String { summary.run.targetName }
}

/// The data of one report: the runs, in the order given.
public struct AuditReport: Sendable {
    public let runs: [ReportRun]
    public let generated: Date
    public let title: String

    /// Request and response bodies of a sample are kept when they take at most this many bytes
    /// (serialized); larger ones are replaced by null with `"omitted": true`.
    public static let defaultRequestBytes = 4096

    public init(runs references: [String], database: AuditDatabase, requestBytes: Int = AuditReport.defaultRequestBytes,
                generated: Date = Date(), title: String? = nil) throws {
        var seen = Set<String>()
        var runs: [ReportRun] = []
        for reference in references {
            let summary = try RunSummary.load(run: reference, database: database, groupBy: [])
            guard seen.insert(summary.run.id).inserted else { continue }
            runs.append(try Self.reportRun(summary, database: database, requestBytes: requestBytes))
        }
        self.runs = runs
        self.generated = generated
        self.title = title ?? Self.defaultTitle(runs)
    }

    static func defaultTitle(_ runs: [ReportRun]) -> String {
        var tasks: [String] = []
        for run in runs where !tasks.contains(run.taskName) { tasks.append(run.taskName) }
        return "Audit report: " + (tasks.isEmpty ? "no runs" : tasks.joined(separator: ", "))
    }

    static func reportRun(_ summary: RunSummary, database: AuditDatabase, requestBytes: Int) throws -> ReportRun {
        let metadata = summary.samples.map { $0.input["metadata"]?.objectValue ?? JSONObject() }
        var fields: [String] = []
        if metadata.contains(where: { $0["topic"] != nil }) { fields.append("topic") }
        else if metadata.contains(where: { $0["category"] != nil }) { fields.append("category") }
        if metadata.contains(where: { $0["language"] != nil }) { fields.append("language") }
        let groups: JSONValue = fields.isEmpty ? .array([])
            : (try RunSummary.load(run: summary.run.id, database: database, groupBy: fields).json["groups"] ?? .array([]))
        var samples: [JSONValue] = []
        samples.reserveCapacity(summary.samples.count)
        for sample in summary.samples {
            let requests = try database.requests(run: summary.run.id, sample: sample.sampleID)
            samples.append(Self.trimmed(SampleExport.json(sample, requests: requests), requestBytes: requestBytes))
        }
        return ReportRun(summary: summary, summaryJSON: summary.json, groupFields: fields, groups: groups, samples: samples)
    }

    /// A sample's record with large request and response bodies left out (their timing and
    /// errors stay).
    static func trimmed(_ record: JSONValue, requestBytes: Int) -> JSONValue {
        guard var object = record.objectValue, let requests = record["requests"]?.arrayValue else { return record }
        object["requests"] = .array(requests.map { request in
            guard var fields = request.objectValue else { return request }
            let size = (request["request"] ?? .null).serialized(.compact).utf8.count + (request["response"] ?? .null).serialized(.compact).utf8.count
            if size > requestBytes {
                fields["request"] = .null
                fields["response"] = .null
                fields["omitted"] = .bool(true)
            }
            return .object(fields)
        })
        return .object(object)
    }

    /// Everything the page's script reads, as one JSON value.
    public var data: JSONValue {
        .object(JSONObject([
            ("format", "hearth-report-1"),
            ("generated", .string(ISO8601DateFormatter().string(from: generated))),
            ("title", .string(title)),
            ("runs", .array(runs.map { run in
                .object(JSONObject([
                    ("summary", run.summaryJSON),
                    ("group_by", .array(run.groupFields.map(JSONValue.string))),
                    ("groups", run.groups),
                    ("samples", .array(run.samples)),
                ]))
            })),
        ]))
    }

    /// The data as the text of a `<script type="application/json">` element: compact JSON in
    /// which no `<`, `>` or `&` appears (each is written as a \u escape, valid inside JSON strings,
    /// the only place they can occur), so no transcript can close the element; non-finite numbers,
    /// which JSON cannot carry, become null.
    public var embeddedData: String {
        Self.scriptSafe(Self.finite(data).serialized(.compact))
    }

    public static func scriptSafe(_ json: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(json.utf8.count + 256)
        for byte in json.utf8 {
            switch byte {
            case UInt8(ascii: "<"): out += Array("\\u003c".utf8)
            case UInt8(ascii: ">"): out += Array("\\u003e".utf8)
            case UInt8(ascii: "&"): out += Array("\\u0026".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func finite(_ value: JSONValue) -> JSONValue {
        switch value {
        case .double(let x): return x.isFinite ? value : .null
        case .array(let items): return .array(items.map(finite))
        case .object(let object): return .object(JSONObject(object.map { ($0.key, finite($0.value)) }))
        default: return value
        }
    }
}

extension JSONValue {
    /// The element at `index` of an array, or nil.
    func item(_ index: Int) -> JSONValue? {
        guard let items = arrayValue, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
