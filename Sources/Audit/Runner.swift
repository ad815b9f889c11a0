import Foundation
import JSON

/// What makes a run reproducible, recorded before any sample runs.
public struct RunSpec: Sendable {
    public var task: AuditTask
    public var target: TargetIdentity
    public var judge: TargetIdentity?
    public var engineVersion: String
    public var engineCommit: String
    /// Samples run: the first `limit` of the dataset, or all.
    public var limit: Int?
    public var command: String
    /// Price of the machine per hour, or of an endpoint per million tokens, for the cost estimate.
    public var pricing: JSONObject

    public init(task: AuditTask, target: TargetIdentity, judge: TargetIdentity? = nil, engineVersion: String, engineCommit: String,
                limit: Int? = nil, command: String, pricing: JSONObject = JSONObject()) {
        self.task = task
        self.target = target
        self.judge = judge
        self.engineVersion = engineVersion
        self.engineCommit = engineCommit
        self.limit = limit
        self.command = command
        self.pricing = pricing
    }

    public var samples: ArraySlice<Sample> { task.dataset.samples.prefix(limit ?? Int.max) }

    /// Runs with the same key compute the same thing, so a later command with the same key resumes
    /// the earlier run instead of starting anew.
    public var key: String {
        let parts: [JSONValue] = [
            .string(task.name), .string(task.version), .string(task.dataset.sha256), task.solver.json,
            .array(task.scorers.map(\.json)), task.generation.json, .string(target.key), .string(judge?.key ?? ""),
            limit.map { .int($0) } ?? .null,
        ]
        return JSONValue.array(parts).serialized(JSONFormat(itemSeparator: ",", keySeparator: ":", asciiOnly: false, sortKeys: true)).sha256Hex
    }
}

/// One sample's outcome as recorded: done (scored) or an error (never scored as wrong).
public struct SampleResult: Sendable {
    public enum Status: String, Sendable { case done, error }
    public var sample: Sample
    /// The sample's position in the dataset (0-based), for stable ordering.
    public var ordinal: Int
    public var status: Status
    public var transcript: Transcript?
    /// By scorer name, in the task's order.
    public var scores: [(scorer: String, score: Score)]
    public var error: String?
    public var requests: [RequestRecord]
    public var seconds: Double
    public var finishedAt: Date

    public init(sample: Sample, ordinal: Int, status: Status, transcript: Transcript?, scores: [(scorer: String, score: Score)],
                error: String?, requests: [RequestRecord], seconds: Double, finishedAt: Date = Date()) {
        self.sample = sample
        self.ordinal = ordinal
        self.status = status
        self.transcript = transcript
        self.scores = scores
        self.error = error
        self.requests = requests
        self.seconds = seconds
        self.finishedAt = finishedAt
    }
}

/// Where a run's records go as they happen (the run database).
public protocol RunJournal: Sendable {
    /// Ids of the samples of `run` already recorded as done (they are not run again).
    func doneSampleIDs(run: String) throws -> Set<String>
    /// Records one sample, atomically: all of its records or none.
    func record(_ result: SampleResult, run: String) throws
}

/// Progress as samples finish.
public struct RunProgress: Sendable {
    public var done: Int
    public var errors: Int
    public var total: Int
    /// Samples already done before this invocation (resumed).
    public var skipped: Int
    public var elapsed: Double
}

/// Runs a task's samples against a target with bounded concurrency, scores each as it finishes and
/// records it at once. Samples already done in the run are skipped, so an interrupted run resumes
/// where it stopped and a re-run retries only the errors.
public struct AuditRunner: Sendable {
    public let spec: RunSpec
    public let target: any ModelTarget
    public let judge: (any ModelTarget)?
    public let journal: any RunJournal
    public let cache: (any ResponseCache)?
    public let concurrency: Int

    public init(spec: RunSpec, target: any ModelTarget, judge: (any ModelTarget)? = nil, journal: any RunJournal,
                cache: (any ResponseCache)?, concurrency: Int) {
        self.spec = spec
        self.target = target
        self.judge = judge
        self.journal = journal
        self.cache = cache
        self.concurrency = max(1, concurrency)
    }

    /// Runs what is left of `run`; returns the number of samples that ended in an error now.
    @discardableResult
    public func run(id run: String, progress: @escaping @Sendable (RunProgress) -> Void = { _ in }) async throws -> Int {
        let scorers = try spec.task.scorers.enumerated().map { ($0.element.name, try $0.element.makeScorer(judge: judge, path: "scorers[\($0.offset)]")) }
        let done = try journal.doneSampleIDs(run: run)
        let pending = spec.samples.enumerated().filter { !done.contains($0.element.id) }
        let total = spec.samples.count
        let start = Date()
        var counts = (done: done.count, errors: 0)
        progress(RunProgress(done: counts.done, errors: 0, total: total, skipped: done.count, elapsed: 0))
        let solver = Solver(spec: spec.task.solver, settings: spec.task.generation, cache: cache)

        try await withThrowingTaskGroup(of: SampleResult.self) { group in
            var next = 0
            func launch() {
                guard next < pending.count else { return }
                let (ordinal, sample) = pending[next]
                next += 1
                group.addTask { await self.runSample(sample, ordinal: ordinal, solver: solver, scorers: scorers) }
            }
            for _ in 0..<min(concurrency, pending.count) { launch() }
            while let result = try await group.next() {
                // Recorded before anything else happens: a kill after this loses nothing of it.
                try journal.record(result, run: run)
                counts.done += result.status == .done ? 1 : 0
                counts.errors += result.status == .error ? 1 : 0
                progress(RunProgress(done: counts.done, errors: counts.errors, total: total, skipped: done.count,
                                     elapsed: Date().timeIntervalSince(start)))
                try Task.checkCancellation()
                launch()
            }
        }
        return counts.errors
    }

    func runSample(_ sample: Sample, ordinal: Int, solver: Solver, scorers: [(String, any Scorer)]) async -> SampleResult {
        let log = RequestLog()
        let start = Date()
        var transcript: Transcript?
        var scores: [(scorer: String, score: Score)] = []
        do {
            let solved = try await solver.solve(sample, target: target, log: log)
            transcript = solved
            let context = ScoringContext(log: log, cache: cache)
            for (name, scorer) in scorers {
                do {
                    scores.append((name, try await scorer.score(sample, solved, context: context)))
                } catch {
                    throw ScoringFailure(scorer: name, underlying: error)
                }
            }
        } catch {
            return SampleResult(sample: sample, ordinal: ordinal, status: .error, transcript: transcript, scores: [],
                                error: "\(error)", requests: log.records, seconds: Date().timeIntervalSince(start))
        }
        return SampleResult(sample: sample, ordinal: ordinal, status: .done, transcript: transcript, scores: scores,
                            error: nil, requests: log.records, seconds: Date().timeIntervalSince(start))
    }
}

struct ScoringFailure: Error, CustomStringConvertible {
    let scorer: String
    let underlying: Error
    var description: String { "scorer \(scorer): \(underlying)" }
}
