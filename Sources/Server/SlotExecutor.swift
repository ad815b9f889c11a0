import Engine
import Foundation
import Models

/// The first executor: `slotCount` slots, each a thread of its own with its own `InferenceContext`
/// (KV cache) and `Generator`, fed from one bounded FIFO queue. Generation never runs on the
/// server's event loops. Each slot's context gets `threadsPerSlot` matrix threads, so two slots of
/// one thread each keep two cores busy.
///
/// Outputs do not depend on load: a job's tokens come from its own prompt, its own sampler seed and
/// its own context, and the kernels are batch-invariant (a row of a batched product equals the
/// single product), so a slot that kept a shared prefix in its cache computes what a fresh one would.
public final class SlotExecutor: GenerationExecutor, @unchecked Sendable {
    public let slotCount: Int
    public let contextLength: Int
    /// Jobs that may wait beyond the busy slots.
    public let queueCapacity: Int

    private struct Queued {
        let id: UInt64
        let job: GenerationJob
    }

    private let condition = NSCondition()
    private var queue: [Queued] = []
    private var running = 0
    private var nextID: UInt64 = 0
    private var acceptsJobs = true
    private var stopThreads = false
    /// After this time running jobs are cancelled (set by `shutdown`).
    private var cancelRunningAfter: Date?
    private var liveThreads = 0
    /// Seconds a job has recently taken, smoothed, for the `Retry-After` estimate.
    private var averageJobSeconds = 2.0

    public init(model: LanguageModel, slots: Int, contextLength: Int, threadsPerSlot: Int = 1, queueCapacity: Int) {
        slotCount = max(1, slots)
        self.queueCapacity = max(0, queueCapacity)
        let contexts = (0..<slotCount).map { _ in
            model.makeContext(contextLength: contextLength, threads: max(1, threadsPerSlot))
        }
        self.contextLength = contexts[0].contextLength
        liveThreads = slotCount
        for (index, context) in contexts.enumerated() {
            let generator = Generator(context: context)
            // The thread holds the executor until `shutdown` ends it.
            let thread = Thread { self.slotLoop(generator) }
            thread.name = "hearth-slot-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    public var queueDepth: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    public var activeCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return running
    }

    public func submit(_ jobs: [GenerationJob]) throws -> JobTicket {
        condition.lock()
        defer { condition.unlock() }
        guard acceptsJobs else { throw SubmissionError.shuttingDown }
        // Queued jobs take the free slots first; whatever is left over waits.
        let freeSlots = slotCount - running
        guard queue.count + jobs.count - freeSlots <= queueCapacity else {
            // Waiting jobs ahead, spread over the slots, each taking about the recent average.
            let ahead = Double(queue.count + running) / Double(slotCount)
            throw SubmissionError.queueFull(retryAfterSeconds: max(1, Int((ahead * averageJobSeconds).rounded(.up))))
        }
        let first = nextID + 1
        for job in jobs {
            nextID += 1
            queue.append(Queued(id: nextID, job: job))
        }
        let ids = first...nextID
        condition.broadcast()
        return JobTicket { [weak self] in self?.remove(ids) }
    }

    private func remove(_ ids: ClosedRange<UInt64>) {
        condition.lock()
        queue.removeAll { ids.contains($0.id) }
        condition.unlock()
    }

    public func shutdown(deadline: Date) async {
        for entry in beginShutdown(deadline: deadline) { _ = entry.job.sink(.failed(SubmissionError.shuttingDown)) }
        while liveThreadCount > 0 {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// Stops taking jobs and returns those that were waiting.
    private func beginShutdown(deadline: Date) -> [Queued] {
        condition.lock()
        defer { condition.unlock() }
        acceptsJobs = false
        cancelRunningAfter = deadline
        stopThreads = true
        let dropped = queue
        queue.removeAll()
        condition.broadcast()
        return dropped
    }

    private var liveThreadCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return liveThreads
    }

    private var pastCancelDeadline: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelRunningAfter.map { Date() >= $0 } ?? false
    }

    private func slotLoop(_ generator: Generator) {
        while true {
            condition.lock()
            while queue.isEmpty && !stopThreads { condition.wait() }
            guard !queue.isEmpty else {
                liveThreads -= 1
                condition.unlock()
                return
            }
            let entry = queue.removeFirst()
            running += 1
            condition.unlock()

            let start = Date()
            Self.run(entry.job, on: generator) { !self.pastCancelDeadline }
            let seconds = Date().timeIntervalSince(start)

            condition.lock()
            running -= 1
            averageJobSeconds = 0.8 * averageJobSeconds + 0.2 * seconds
            condition.unlock()
        }
    }

    /// Runs one job to its end on `generator`'s thread; `mayContinue` is asked between tokens.
    static func run(_ job: GenerationJob, on generator: Generator, mayContinue: () -> Bool) {
        guard job.sink(.started) else { return }
        do {
            if let top = job.promptLogprobs {
                let logprobs = try promptLogprobs(job.prompt, top: top, generator: generator)
                guard job.sink(.promptLogprobs(logprobs)) else { return }
            }
            if job.options.maxTokens == 0 {
                // Nothing to generate (scoring a prompt): skip evaluating it a second time.
                let outcome = GenerationOutcome(finishReason: "length", promptTokens: job.prompt.count,
                                                completionTokens: 0, reusedPromptTokens: 0)
                _ = job.sink(.finished(outcome))
                return
            }
            var consumerLeft = false
            var interrupted = false
            let summary = try generator.generate(prompt: job.prompt, options: job.options, constraint: job.constraint) { token in
                guard job.sink(.token(token)) else {
                    consumerLeft = true
                    return false
                }
                guard mayContinue() else {
                    interrupted = true
                    return false
                }
                return true
            }
            if consumerLeft { return }
            if interrupted {
                _ = job.sink(.failed(SubmissionError.shuttingDown))
                return
            }
            _ = job.sink(.finished(GenerationOutcome(
                finishReason: summary.finishReason.openAIValue, promptTokens: summary.promptTokens,
                completionTokens: summary.completionTokens, reusedPromptTokens: summary.reusedPromptTokens)))
        } catch {
            // A failed generation may leave the cache half-written; start the next one afresh.
            generator.reset()
            _ = job.sink(.failed(error))
        }
    }

    /// Log-probabilities of each prompt token given the ones before it, computed in chunks so the
    /// logits held at once stay at `chunk × vocabulary`. Leaves the generator reset.
    static func promptLogprobs(_ prompt: [Int32], top: Int, generator: Generator, chunk: Int = 32) throws -> [TokenLogprobs?] {
        let context = generator.context
        let vocabulary = context.model.config.vocabularySize
        generator.reset()
        defer { generator.reset() }
        var result: [TokenLogprobs?] = [nil]
        result.reserveCapacity(prompt.count)
        var start = 0
        // Row i of the logits predicts token i + 1, so the last prompt token is never fed here.
        while start < prompt.count - 1 {
            let end = min(start + chunk, prompt.count - 1)
            let logits = try context.evaluateAll(Array(prompt[start..<end]))
            for row in 0..<(end - start) {
                let rowLogits = Array(logits[(row * vocabulary)..<((row + 1) * vocabulary)])
                result.append(TokenLogprobs(logits: rowLogits, token: prompt[start + row + 1], topCount: top))
            }
            start = end
        }
        return result
    }
}
