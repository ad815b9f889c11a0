import Foundation
import Models

/// One sequence to generate: what to feed, how to sample, and where to report.
///
/// The executor calls `sink` from its own thread, in order: `.started` when a slot takes the job,
/// then optionally `.promptLogprobs`, the `.token`s, and exactly one `.finished` or `.failed`.
/// `sink` returns false when nobody wants the rest (the client went away): the executor then stops
/// the job as soon as it can and frees the slot.
public struct GenerationJob: @unchecked Sendable {
    public let prompt: [Int32]
    public let options: GenerationOptions
    /// Restricts the output (structured output); a fresh instance per job, used by one thread at a time.
    public let constraint: TokenConstraint?
    /// Log-probabilities of the prompt's own tokens (for `echo`), with this many alternatives each.
    public let promptLogprobs: Int?
    /// The first prompt position whose log-probability is wanted (1: all of them); earlier entries
    /// are nil. Only the row before it on needs the output matrix, and the positions before that
    /// row may come from a cached prefix: a choice after a shared question is a short pass.
    public let promptLogprobsFrom: Int
    public let sink: @Sendable (GenerationEvent) -> Bool

    public init(prompt: [Int32], options: GenerationOptions, constraint: TokenConstraint? = nil,
                promptLogprobs: Int? = nil, promptLogprobsFrom: Int = 1, sink: @escaping @Sendable (GenerationEvent) -> Bool) {
        self.prompt = prompt
        self.options = options
        self.constraint = constraint
        self.promptLogprobs = promptLogprobs
        self.promptLogprobsFrom = max(1, promptLogprobsFrom)
        self.sink = sink
    }

    /// Prompt positions whose keys and values may come from a cache rather than be computed: all
    /// but the last, which is fed again for the logits that choose the first token; for a scored
    /// prompt, none from the row that predicts the first scored token on.
    var reusablePromptLength: Int {
        let all = prompt.count - 1
        guard promptLogprobs != nil else { return all }
        return max(0, min(all, promptLogprobsFrom - 1))
    }
}

public enum GenerationEvent: @unchecked Sendable {
    /// A slot took the job off the queue.
    case started
    /// One entry per prompt token; the first is nil (nothing predicts it).
    case promptLogprobs([TokenLogprobs?])
    case token(GeneratedToken)
    case finished(GenerationOutcome)
    case failed(Error)
}

public struct GenerationOutcome: Sendable, Equatable {
    /// Why the sequence ended; rendered for a protocol (OpenAI's `finish_reason`) only at the edge.
    public let finishReason: FinishReason
    public let promptTokens: Int
    public let completionTokens: Int
    /// Prompt tokens taken from a cached shared prefix (an earlier request's, another choice's) instead of computed.
    public let reusedPromptTokens: Int
    /// Of the completion tokens, those inside a reasoning block.
    public let reasoningTokens: Int

    public init(finishReason: FinishReason, promptTokens: Int, completionTokens: Int, reusedPromptTokens: Int, reasoningTokens: Int = 0) {
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.reusedPromptTokens = reusedPromptTokens
        self.reasoningTokens = reasoningTokens
    }
}

/// Why a set of jobs was not queued.
public enum SubmissionError: Error, Equatable {
    /// Every slot is busy and the queue is full; retrying after about this many seconds may work.
    case queueFull(retryAfterSeconds: Int)
    case shuttingDown
}

/// Runs generations for one model (`BatchExecutor`: continuous batching, one forward pass shared by
/// all running sequences). The HTTP layer only submits jobs and reads their events, so the way
/// they are executed can change without touching it.
public protocol GenerationExecutor: AnyObject, Sendable {
    /// Sequences that can run at once.
    var slotCount: Int { get }
    /// The context length of every slot.
    var contextLength: Int { get }
    /// Jobs waiting for a slot.
    var queueDepth: Int { get }
    /// Jobs running now.
    var activeCount: Int { get }
    /// Work done so far (forward passes, tokens computed, prompt tokens reused).
    var statistics: ExecutorStatistics { get }
    /// Bytes of memory the slots' KV caches hold now.
    var residentCacheBytes: Int { get }
    /// Queues `jobs` together (the choices of one request), all or none. The returned ticket
    /// takes back those still queued.
    func submit(_ jobs: [GenerationJob]) throws -> JobTicket
    /// Refuses new jobs, fails the queued ones with `SubmissionError.shuttingDown`, lets running
    /// ones finish until `deadline`, after which they are cancelled. Returns when all have ended.
    func shutdown(deadline: Date) async
}

/// A handle on submitted jobs: cancelling takes back those still queued (running ones stop when
/// their sink returns false).
public final class JobTicket: @unchecked Sendable {
    private let onCancel: @Sendable () -> Void
    private let lock = NSLock()
    private var cancelled = false

    public init(onCancel: @escaping @Sendable () -> Void) {
        self.onCancel = onCancel
    }

    public func cancel() {
        lock.lock()
        let first = !cancelled
        cancelled = true
        lock.unlock()
        if first { onCancel() }
    }
}

/// Counters of an executor's work, for `/metrics`: rows per pass is the batch the sequences shared.
public struct ExecutorStatistics: Sendable, Equatable {
    /// Forward passes run.
    public var passes = 0
    /// Token rows those passes computed (prompt tokens and generated tokens).
    public var rows = 0
    /// Prompt tokens not computed because a slot's cache held them (a shared prefix).
    public var reusedPromptTokens = 0

    public init() {}
}

/// What an executor that runs no model of its own (a test double) reports.
extension GenerationExecutor {
    public var statistics: ExecutorStatistics { ExecutorStatistics() }
    public var residentCacheBytes: Int { 0 }
}
