import Audit
import Foundation
import GRDB
import JSON

/// The run database: one SQLite file (GRDB) holding every run, sample, score, request and cached
/// response. Each sample is written in one transaction as it finishes, in WAL mode, so killing the
/// process loses at most the samples still running and never leaves half a sample.
public final class AuditDatabase: RunJournal, ResponseCache, @unchecked Sendable {
    public let path: String
    let queue: DatabaseQueue

    /// `$HEARTH_AUDIT_DB`, else `$XDG_DATA_HOME/hearth/audit.sqlite` (default `~/.local/share`).
    public static var defaultPath: String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["HEARTH_AUDIT_DB"], !path.isEmpty { return path }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share").path
        return URL(fileURLWithPath: data).appendingPathComponent("hearth/audit.sqlite").path
    }

    public init(path: String = AuditDatabase.defaultPath) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch {
            throw AuditLogError("the audit database \(path) cannot be opened: \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE run (
                    id TEXT PRIMARY KEY, key TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL,
                    task_name TEXT NOT NULL, task_version TEXT NOT NULL, dataset_sha256 TEXT NOT NULL,
                    target_name TEXT NOT NULL, spec TEXT NOT NULL, sample_count INTEGER NOT NULL);
                CREATE INDEX run_key ON run(key);
                CREATE TABLE sample (
                    run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE, sample_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
                    status TEXT NOT NULL, input TEXT NOT NULL, transcript TEXT, error TEXT,
                    prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, seconds REAL NOT NULL, finished_at REAL NOT NULL,
                    PRIMARY KEY (run_id, sample_id));
                CREATE TABLE score (
                    run_id TEXT NOT NULL, sample_id TEXT NOT NULL, scorer TEXT NOT NULL, value TEXT NOT NULL,
                    answer TEXT, explanation TEXT NOT NULL, metadata TEXT NOT NULL,
                    PRIMARY KEY (run_id, sample_id, scorer),
                    FOREIGN KEY (run_id, sample_id) REFERENCES sample(run_id, sample_id) ON DELETE CASCADE);
                CREATE TABLE request (
                    run_id TEXT NOT NULL, sample_id TEXT NOT NULL, seq INTEGER NOT NULL, purpose TEXT NOT NULL,
                    request TEXT NOT NULL, response TEXT, error TEXT, seconds REAL NOT NULL, cached INTEGER NOT NULL,
                    PRIMARY KEY (run_id, sample_id, seq));
                CREATE TABLE response_cache (key TEXT PRIMARY KEY, response TEXT NOT NULL, created_at REAL NOT NULL);
                """)
            // Wall time of the run's invocations, summed: the time a resumed run really took.
            try db.execute(sql: "ALTER TABLE run ADD COLUMN wall_seconds REAL NOT NULL DEFAULT 0")
        }
        // Runs whose model outputs were replaced by their hashes (see withholdOutputs).
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE run ADD COLUMN outputs_withheld INTEGER NOT NULL DEFAULT 0")
        }
        return migrator
    }

    // MARK: - Runs

    /// The unfinished or finished run with the same key (the same command again resumes it), or
    /// a new one.
    public func openRun(_ spec: RunSpec, spec json: JSONValue, forceNew: Bool) throws -> (id: String, resumed: Bool) {
        try write { db in
            if !forceNew, let id = try String.fetchOne(db, sql: "SELECT id FROM run WHERE key = ? ORDER BY created_at DESC LIMIT 1", arguments: [spec.key]) {
                try db.execute(sql: "UPDATE run SET updated_at = ? WHERE id = ?", arguments: [Date().timeIntervalSince1970, id])
                return (id, true)
            }
            let id = Self.newRunID()
            let now = Date().timeIntervalSince1970
            try db.execute(sql: """
                INSERT INTO run (id, key, created_at, updated_at, task_name, task_version, dataset_sha256, target_name, spec, sample_count)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, spec.key, now, now, spec.task.name, spec.task.version, spec.task.dataset.sha256,
                                 spec.target.name, json.serialized(.compact), spec.samples.count])
            return (id, false)
        }
    }

    /// A run id: the date and six random hex digits, sortable and short enough to type.
    static func newRunID() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "\(formatter.string(from: Date()))-\(String(format: "%06x", UInt32.random(in: 0..<(1 << 24))))"
    }

    public func runs() throws -> [RunRow] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.*, (SELECT COUNT(*) FROM sample s WHERE s.run_id = r.id AND s.status = 'done') AS done,
                       (SELECT COUNT(*) FROM sample s WHERE s.run_id = r.id AND s.status = 'error') AS errors
                FROM run r ORDER BY created_at
                """).map(RunRow.init(row:))
        }
    }

    /// A run by id, or by a unique prefix of its id, or "last"/"latest".
    public func run(_ reference: String) throws -> RunRow {
        let all = try runs()
        if reference == "last" || reference == "latest", let last = all.last { return last }
        if let exact = all.first(where: { $0.id == reference }) { return exact }
        let matches = all.filter { $0.id.hasPrefix(reference) || $0.id.hasSuffix(reference) }
        guard matches.count == 1 else {
            throw AuditLogError(matches.isEmpty ? "no run '\(reference)' in \(path); `hearth audit list` shows the runs"
                                                : "'\(reference)' names \(matches.count) runs; give more of the id")
        }
        return matches[0]
    }

    public func addWallTime(run: String, seconds: Double) throws {
        try write { db in try db.execute(sql: "UPDATE run SET wall_seconds = wall_seconds + ? WHERE id = ?", arguments: [seconds, run]) }
    }

    public func wallTime(run: String) throws -> Double {
        try read { db in try Double.fetchOne(db, sql: "SELECT wall_seconds FROM run WHERE id = ?", arguments: [run]) ?? 0 }
    }

    // MARK: - Samples

    public func doneSampleIDs(run: String) throws -> Set<String> {
        try read { db in Set(try String.fetchAll(db, sql: "SELECT sample_id FROM sample WHERE run_id = ? AND status = 'done'", arguments: [run])) }
    }

    public func record(_ result: SampleResult, run: String) throws {
        try write { db in
            // A retried sample replaces its error record whole.
            try db.execute(sql: "DELETE FROM score WHERE run_id = ? AND sample_id = ?", arguments: [run, result.sample.id])
            try db.execute(sql: "DELETE FROM request WHERE run_id = ? AND sample_id = ?", arguments: [run, result.sample.id])
            try db.execute(sql: "DELETE FROM sample WHERE run_id = ? AND sample_id = ?", arguments: [run, result.sample.id])
            try db.execute(sql: """
                INSERT INTO sample (run_id, sample_id, ordinal, status, input, transcript, error, prompt_tokens, completion_tokens, seconds, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run, result.sample.id, result.ordinal, result.status.rawValue, result.sample.json.serialized(.compact),
                                 result.transcript?.json.serialized(.compact), result.error,
                                 result.requests.reduce(0) { $0 + Self.tokens($1, "prompt_tokens") },
                                 result.requests.reduce(0) { $0 + Self.tokens($1, "completion_tokens") },
                                 result.seconds, result.finishedAt.timeIntervalSince1970])
            for (scorer, score) in result.scores {
                try Self.insert(score, scorer: scorer, run: run, sample: result.sample.id, db: db)
            }
            for (seq, request) in result.requests.enumerated() {
                try db.execute(sql: """
                    INSERT INTO request (run_id, sample_id, seq, purpose, request, response, error, seconds, cached) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [run, result.sample.id, seq, request.purpose, request.request.serialized(.compact),
                                     request.response?.serialized(.compact), request.error, request.seconds, request.cached])
            }
            try db.execute(sql: "UPDATE run SET updated_at = ? WHERE id = ?", arguments: [Date().timeIntervalSince1970, run])
        }
    }

    /// Tokens of a request that the target computed (a cached answer costs none).
    static func tokens(_ request: RequestRecord, _ field: String) -> Int {
        request.cached ? 0 : request.response?["usage"]?[field]?.intValue ?? 0
    }

    static func insert(_ score: Score, scorer: String, run: String, sample: String, db: Database) throws {
        try db.execute(sql: """
            INSERT INTO score (run_id, sample_id, scorer, value, answer, explanation, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [run, sample, scorer, score.value.json.serialized(.compact), score.answer, score.explanation,
                             JSONValue.object(score.metadata).serialized(.compact)])
    }

    /// Replaces the scores of one scorer for the given samples (re-scoring a stored run).
    public func replaceScores(run: String, scorer: String, _ scores: [(sample: String, score: Score)]) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM score WHERE run_id = ? AND scorer = ?", arguments: [run, scorer])
            for (sample, score) in scores { try Self.insert(score, scorer: scorer, run: run, sample: sample, db: db) }
        }
    }

    public func samples(run: String) throws -> [SampleRow] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM sample WHERE run_id = ? ORDER BY ordinal", arguments: [run])
            let scoreRows = try Row.fetchAll(db, sql: "SELECT * FROM score WHERE run_id = ?", arguments: [run])
            var scores: [String: [StoredScore]] = [:]
            for row in scoreRows { scores[row["sample_id"], default: []].append(StoredScore(row: row)) }
            return rows.map { SampleRow(row: $0, scores: scores[$0["sample_id"] as String] ?? []) }
        }
    }

    public func requests(run: String, sample: String) throws -> [RequestRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM request WHERE run_id = ? AND sample_id = ? ORDER BY seq", arguments: [run, sample]).map { row in
                RequestRecord(purpose: row["purpose"], request: (try? JSONParser.parse(row["request"] as String)) ?? .null,
                              response: (row["response"] as String?).flatMap { try? JSONParser.parse($0) }, error: row["error"],
                              seconds: row["seconds"], cached: row["cached"])
            }
        }
    }

    // MARK: - Response cache

    public func response(forKey key: String) -> JSONValue? {
        let text = try? read { db in try String.fetchOne(db, sql: "SELECT response FROM response_cache WHERE key = ?", arguments: [key]) }
        return text.flatMap { $0 }.flatMap { try? JSONParser.parse($0) }
    }

    public func store(_ response: JSONValue, forKey key: String) {
        _ = try? write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO response_cache (key, response, created_at) VALUES (?, ?, ?)",
                           arguments: [key, response.serialized(.compact), Date().timeIntervalSince1970])
        }
    }

    // MARK: -

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.read(body) } catch let error as AuditLogError { throw error } catch {
            throw AuditLogError("reading \(path) failed: \(error)")
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.write(body) } catch let error as AuditLogError { throw error } catch {
            throw AuditLogError("writing \(path) failed: \(error)")
        }
    }
}

public struct AuditLogError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A run as listed.
public struct RunRow: Sendable {
    public let id: String
    public let createdAt: Date
    public let updatedAt: Date
    public let taskName: String
    public let taskVersion: String
    public let datasetSHA256: String
    public let targetName: String
    /// Everything `RunSpec` records, as JSON.
    public let spec: JSONValue
    public let sampleCount: Int
    public let done: Int
    public let errors: Int

    init(row: Row) {
        id = row["id"]
        createdAt = Date(timeIntervalSince1970: row["created_at"])
        updatedAt = Date(timeIntervalSince1970: row["updated_at"])
        taskName = row["task_name"]
        taskVersion = row["task_version"]
        datasetSHA256 = row["dataset_sha256"]
        targetName = row["target_name"]
        spec = (try? JSONParser.parse(row["spec"] as String)) ?? .null
        sampleCount = row["sample_count"]
        done = row["done"] ?? 0
        errors = row["errors"] ?? 0
    }
}

public struct StoredScore: Sendable {
    public let scorer: String
    public let score: Score

    init(row: Row) {
        scorer = row["scorer"]
        let value = (try? JSONParser.parse(row["value"] as String)).flatMap(ScoreValue.init(json:)) ?? .label("?")
        let metadata = (try? JSONParser.parse(row["metadata"] as String))?.objectValue ?? JSONObject()
        score = Score(value: value, answer: row["answer"], explanation: row["explanation"], metadata: metadata)
    }
}

/// A recorded sample.
public struct SampleRow: Sendable {
    public let sampleID: String
    public let ordinal: Int
    public let status: SampleResult.Status
    public let input: JSONValue
    public let transcript: Transcript?
    public let error: String?
    public let promptTokens: Int
    public let completionTokens: Int
    public let seconds: Double
    public let scores: [StoredScore]

    init(row: Row, scores: [StoredScore]) {
        sampleID = row["sample_id"]
        ordinal = row["ordinal"]
        status = SampleResult.Status(rawValue: row["status"]) ?? .error
        input = (try? JSONParser.parse(row["input"] as String)) ?? .null
        transcript = (row["transcript"] as String?).flatMap { try? JSONParser.parse($0) }.flatMap { try? Transcript(json: $0) }
        error = row["error"]
        promptTokens = row["prompt_tokens"]
        completionTokens = row["completion_tokens"]
        seconds = row["seconds"]
        self.scores = scores
    }

    public var sample: Sample? { try? Sample(json: input, index: ordinal + 1) }

    public var scored: ScoredSample {
        ScoredSample(id: sampleID, metadata: input["metadata"]?.objectValue ?? JSONObject(),
                     scores: status == .done ? Dictionary(scores.map { ($0.scorer, $0.score.value) }, uniquingKeysWith: { a, _ in a }) : nil)
    }
}
