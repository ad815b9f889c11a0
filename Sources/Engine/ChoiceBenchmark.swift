import Foundation
import Models

/// Multiple-choice scoring speed, as the audit's in-process target scores a question: `choices`
/// continuations of `choiceTokens` tokens after a question of `questionTokens`, each scored by the
/// log-probability of its own tokens, through a `BatchExecutor` with a slot per choice.
///
/// - `shared` (how Hearth scores): all choices submitted together, each scored from its first own
///   token, so the executor computes the question once, in one choice's slot, and the others copy
///   it and feed only their own tokens, in shared passes; only the rows that predict a choice's
///   tokens multiply the output matrix.
/// - not `shared` (for comparison: how Hearth scored before, and what scoring each prompt whole
///   costs): one choice after another, every prompt token's log-probability computed, nothing
///   reused.
///
/// Every repetition is a new question (random, seeded ids), so no cache from an earlier one helps.
/// The figure is choices scored per second.
public struct ChoiceBenchmark: Sendable, Equatable {
    public let questionTokens: Int
    public let choices: Int
    public let choiceTokens: Int
    public let shared: Bool

    public init(questionTokens: Int, choices: Int, choiceTokens: Int = 4, shared: Bool = true) {
        self.questionTokens = max(1, questionTokens)
        self.choices = max(1, choices)
        self.choiceTokens = max(1, choiceTokens)
        self.shared = shared
    }

    /// "mc512x4" (a 512-token question, 4 choices); "mc512x4 whole" for the unshared comparison.
    public var name: String { "mc\(questionTokens)x\(choices)" + (shared ? "" : " whole") }

    public var contextLength: Int { questionTokens + choiceTokens }

    /// Choices per second of each repetition, after one untimed warm-up question.
    public func run(model: LanguageModel, threads: Int, batchSize: Int? = nil, repetitions: Int, warmUp: Bool = true,
                    seed: UInt64, cacheType: KVCacheType = .f32) throws -> [Double] {
        let executor = BatchExecutor(model: model, slots: choices, contextLength: contextLength + 1, threads: threads,
                                     batchSize: batchSize ?? 64, cacheType: cacheType, queueCapacity: choices)
        defer {
            let stopped = DispatchSemaphore(value: 0)
            Task.detached {
                await executor.shutdown(deadline: Date())
                stopped.signal()
            }
            stopped.wait()
        }
        var tokens = BenchmarkTokens(vocabularySize: min(model.config.vocabularySize, model.tokenizer.vocabularySize),
                                     beginning: model.tokenizer.addsBOS ? model.tokenizer.bosToken : nil, seed: seed)
        if warmUp { _ = try measure(executor, tokens: &tokens) }
        return try (0..<repetitions).map { _ in Double(choices) / (try measure(executor, tokens: &tokens)) }
    }

    /// Seconds to score one question's choices.
    private func measure(_ executor: BatchExecutor, tokens: inout BenchmarkTokens) throws -> Double {
        let question = tokens.sequence(count: questionTokens)
        let prompts = (0..<choices).map { _ in question + tokens.continuation(count: choiceTokens) }
        let failures = FailureBox()
        let finished = DispatchSemaphore(value: 0)
        func job(_ prompt: [Int32]) -> GenerationJob {
            GenerationJob(prompt: prompt, options: GenerationOptions(maxTokens: 0), promptLogprobs: 1,
                          promptLogprobsFrom: shared ? questionTokens : 1) { event in
                switch event {
                case .finished: finished.signal()
                case .failed(let error): failures.record(error); finished.signal()
                default: break
                }
                return true
            }
        }
        let clock = ContinuousClock()
        let start = clock.now
        if shared {
            _ = try executor.submit(prompts.map(job))
            for _ in prompts { finished.wait() }
        } else {
            for prompt in prompts {
                _ = try executor.submit([job(prompt)])
                finished.wait()
            }
        }
        let seconds = (clock.now - start).seconds
        if let error = failures.first { throw error }
        return seconds
    }
}

/// The first error a job reported, from the executor's thread.
private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?

    func record(_ error: Error) {
        lock.lock()
        if self.error == nil { self.error = error }
        lock.unlock()
    }

    var first: Error? {
        lock.lock()
        defer { lock.unlock() }
        return error
    }
}
