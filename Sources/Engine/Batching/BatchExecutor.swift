import Foundation
import Models

/// Continuous batching: one engine thread per model advances every running sequence in shared
/// forward passes. Each step feeds one token for every sequence that is generating and fills the
/// rest of the pass with prompt tokens of sequences that are starting; new jobs take free slots
/// between steps and finished ones leave at once. Each slot has its own KV cache in one
/// `BatchedContext`; a new job takes the free slot whose cache shares the longest prefix with its
/// prompt, or copies that prefix from any slot that has it (several choices of one prompt, a
/// shared system prompt), so only what is new is computed.
///
/// Outputs do not depend on load: a job's tokens come from its own prompt and its own sampler
/// seed, and a sequence's arithmetic does not depend on the other rows of a pass nor on how its
/// prompt was split (see `BatchedContext`), so a job computes the same alone or among others.
public final class BatchExecutor: GenerationExecutor, @unchecked Sendable {
    public let slotCount: Int
    public let contextLength: Int
    /// Jobs that may wait beyond the busy slots.
    public let queueCapacity: Int

    private let model: LanguageModel
    private let context: BatchedContext

    private struct Queued {
        let id: UInt64
        let job: GenerationJob
    }

    // Shared with submitters, under `condition`.
    private let condition = NSCondition()
    private var queue: [Queued] = []
    private var running = 0
    private var nextID: UInt64 = 0
    private var acceptsJobs = true
    private var stopping = false
    /// After this time running jobs are cancelled (set by `shutdown`).
    private var cancelRunningAfter: Date?
    private var engineRunning = true
    /// Seconds a job has recently taken, smoothed, for the `Retry-After` estimate.
    private var averageJobSeconds = 2.0
    private var counters = ExecutorStatistics()
    /// Jobs whose consumer cancelled them, for the engine to stop if they are running.
    private var withdrawn: [ClosedRange<UInt64>] = []

    // The engine thread's own.
    private var slots: [Slot]
    private var active: [ActiveSequence] = []
    private var useCounter = 0

    /// - Parameters:
    ///   - slots: sequences that run at once, each with a KV cache of `contextLength` positions.
    ///   - threads: threads of the forward passes.
    ///   - batchSize: rows of one forward pass (generated tokens plus prompt tokens).
    ///   - cacheType: how the slots' KV caches store keys and values.
    public init(model: LanguageModel, slots: Int, contextLength: Int, threads: Int = 1, batchSize: Int = 64,
                cacheType: KVCacheType = .f32, queueCapacity: Int) {
        slotCount = max(1, slots)
        self.queueCapacity = max(0, queueCapacity)
        self.model = model
        let length = max(2, min(contextLength, model.config.contextLength))
        self.contextLength = length
        context = BatchedContext(model: model, sequences: slotCount, contextLength: length, threads: max(1, threads),
                                 batchSize: max(batchSize, slotCount), cacheType: cacheType)
        self.slots = (0..<slotCount).map { _ in Slot() }
        // The thread holds the executor until `shutdown` ends it.
        let thread = Thread { self.engineLoop() }
        thread.name = "hearth-batch"
        thread.stackSize = 8 << 20
        thread.start()
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

    /// Bytes of memory the slots' KV caches hold now (positions written and not since dropped).
    public var residentCacheBytes: Int { context.residentCacheBytes }

    public var statistics: ExecutorStatistics {
        condition.lock()
        defer { condition.unlock() }
        return counters
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

    /// Takes back the queued jobs among `ids`; running ones stop before the next pass (a client
    /// that left while its long prompt was being computed frees its slot at once).
    private func remove(_ ids: ClosedRange<UInt64>) {
        condition.lock()
        queue.removeAll { ids.contains($0.id) }
        withdrawn.append(ids)
        condition.unlock()
    }

    public func shutdown(deadline: Date) async {
        for entry in beginShutdown(deadline: deadline) { _ = entry.job.sink(.failed(SubmissionError.shuttingDown)) }
        while isEngineRunning {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// Stops taking jobs and returns those that were waiting.
    private func beginShutdown(deadline: Date) -> [Queued] {
        condition.lock()
        defer { condition.unlock() }
        acceptsJobs = false
        cancelRunningAfter = deadline
        stopping = true
        let dropped = queue
        queue.removeAll()
        condition.broadcast()
        return dropped
    }

    private var isEngineRunning: Bool {
        condition.lock()
        defer { condition.unlock() }
        return engineRunning
    }

    // MARK: - The engine thread

    private func engineLoop() {
        while true {
            condition.lock()
            while queue.isEmpty && active.isEmpty && !stopping { condition.wait() }
            if stopping && queue.isEmpty && active.isEmpty {
                engineRunning = false
                condition.unlock()
                return
            }
            let cancelled = withdrawn
            withdrawn.removeAll()
            let admitted = queue.prefix(slotCount - active.count)
            queue.removeFirst(admitted.count)
            running += admitted.count
            let pastDeadline = cancelRunningAfter.map { Date() >= $0 } ?? false
            condition.unlock()

            for sequence in active where cancelled.contains(where: { $0.contains(sequence.id) }) {
                end(sequence, with: nil)
            }
            for entry in admitted { admit(entry) }
            if pastDeadline {
                for sequence in active { end(sequence, with: .failed(SubmissionError.shuttingDown)) }
                continue
            }
            if !active.isEmpty { step() }
        }
    }

    /// Gives `job` a slot, reusing the longest cached prefix of its prompt.
    private func admit(_ entry: Queued) {
        let job = entry.job
        let start = Date()
        guard job.sink(.started) else { return release(since: start) }
        let generation: SequenceGeneration
        do {
            generation = try SequenceGeneration(prompt: job.prompt, options: job.options, constraint: job.constraint,
                                                model: model, contextLength: contextLength)
        } catch {
            _ = job.sink(.failed(error))
            return release(since: start)
        }
        if job.options.maxTokens == 0 && job.promptLogprobs == nil {
            // Nothing to generate and nothing to score.
            _ = job.sink(.finished(GenerationOutcome(finishReason: .maxTokens,
                                                     promptTokens: job.prompt.count, completionTokens: 0,
                                                     reusedPromptTokens: 0)))
            return release(since: start)
        }
        let prompt = job.prompt
        let reusable = job.reusablePromptLength
        let shared = slots.map { min(reusable, $0.sharedPrefix(with: prompt)) }
        let free = slots.indices.filter { slots[$0].sequence == nil }
        // The free slot that shares most; among equals, the one used longest ago (its cache is the
        // least likely to be wanted again).
        let slot = free.max { (shared[$0], -slots[$0].lastUse) < (shared[$1], -slots[$1].lastUse) }!
        let donor = slots.indices.max { shared[$0] < shared[$1] }!
        var reused = shared[slot]
        if shared[donor] > reused {
            context.copyPrefix(from: donor, to: slot, length: shared[donor], keeping: reused)
            reused = shared[donor]
        } else {
            context.truncate(sequence: slot, to: reused)
        }
        slots[slot].cachedTokens = Array(prompt[..<reused])
        useCounter += 1
        slots[slot].lastUse = useCounter
        condition.lock()
        counters.reusedPromptTokens += reused
        condition.unlock()
        let sequence = ActiveSequence(id: entry.id, job: job, slot: slot, generation: generation, reused: reused, started: start)
        slots[slot].sequence = sequence
        active.append(sequence)
    }

    /// One forward pass for every running sequence, then each one's next token.
    private func step() {
        var inputs: [BatchedContext.Input] = []
        var owners: [ActiveSequence] = []
        var budget = context.batchSize
        for sequence in active {
            if let token = sequence.nextToken {
                inputs.append(.init(sequence: sequence.slot, tokens: [token], logits: .last))
                owners.append(sequence)
                budget -= 1
            }
        }
        // Prompts fill what is left, oldest first.
        for sequence in active where sequence.nextToken == nil && budget > 0 {
            guard adoptSharedPrefix(sequence) else { continue }
            let take = min(budget, sequence.pendingPrompt.count)
            let chunk = Array(sequence.pendingPrompt.prefix(take))
            let isLast = take == sequence.pendingPrompt.count
            let logits: BatchedContext.Input.Logits
            if sequence.promptLogprobs != nil {
                // Rows from the one that predicts the first scored token on. The last prompt row
                // predicts no prompt token: it is wanted only to choose a first generated token,
                // so a scoring job that generates nothing skips it (a multiple-choice choice of
                // four tokens then multiplies the output matrix four times, not five).
                let firstWanted = max(0, sequence.job.promptLogprobsFrom - 1 - sequence.fedPrompt)
                let generates = sequence.job.options.maxTokens > 0
                let end = isLast && !generates ? take - 1 : take
                // Scoring that starts past this chunk still needs the last row to generate from.
                logits = firstWanted < end ? .rows(firstWanted..<end) : isLast && generates ? .last : .none
            } else {
                logits = isLast ? .last : .none
            }
            inputs.append(.init(sequence: sequence.slot, tokens: chunk, logits: logits))
            owners.append(sequence)
            budget -= take
        }

        let logits: [[Float]]
        do {
            logits = try context.evaluate(inputs)
            let rows = inputs.reduce(0) { $0 + $1.tokens.count }
            condition.lock()
            counters.passes += (rows + context.batchSize - 1) / context.batchSize
            counters.rows += rows
            condition.unlock()
        } catch {
            // Inputs are checked when jobs are admitted, so this is a bug: fail what was in the step.
            for sequence in owners {
                slots[sequence.slot].cachedTokens = []
                context.truncate(sequence: sequence.slot, to: 0)
                end(sequence, with: .failed(error))
            }
            return
        }

        // Which sequences choose a token now, with the logits that choose it.
        var choosing: [(sequence: ActiveSequence, logits: [Float])] = []
        for (index, sequence) in owners.enumerated() {
            let fed = inputs[index].tokens
            slots[sequence.slot].cachedTokens += fed
            if sequence.nextToken != nil {
                choosing.append((sequence, logits[index]))
                continue
            }
            sequence.pendingPrompt.removeFirst(fed.count)
            if let top = sequence.job.promptLogprobs, case .rows(let rows) = inputs[index].logits {
                collectPromptLogprobs(sequence, fed: fed.count, firstRow: rows.lowerBound, logits: logits[index], top: top)
            } else if sequence.promptLogprobs != nil {
                // One entry per prompt token predicted: the last prompt row predicts none.
                let predicted = sequence.pendingPrompt.isEmpty ? fed.count - 1 : fed.count
                sequence.promptLogprobs!.append(contentsOf: repeatElement(nil, count: predicted))
            }
            if sequence.pendingPrompt.isEmpty {
                if let scored = sequence.promptLogprobs {
                    guard sequence.job.sink(.promptLogprobs(scored)) else {
                        end(sequence, with: nil)
                        continue
                    }
                }
                // A job that generates nothing ends at its first step without reading logits
                // (`SequenceGeneration.step` checks maxTokens first), and has none for it.
                // The last row chooses: a `.last` input's logits are that row already.
                let vocabulary = model.config.vocabularySize
                let last = logits[index].count == vocabulary ? logits[index] : Array(logits[index].suffix(vocabulary))
                choosing.append((sequence, sequence.job.options.maxTokens == 0 ? [] : last))
            }
        }
        chooseTokens(choosing)
    }

    /// Takes the longest prefix of `sequence`'s prompt that another slot's cache now holds beyond
    /// what it has itself; returns false when an earlier sequence still computing its prompt will
    /// soon hold more of it (the choices of one request, requests with one system prompt), so it
    /// waits for that rather than computing the same tokens twice.
    private func adoptSharedPrefix(_ sequence: ActiveSequence) -> Bool {
        let prompt = sequence.job.prompt
        let limit = sequence.job.reusablePromptLength
        var fed = prompt.count - sequence.pendingPrompt.count
        // Any other slot's cache: a running sequence's, or one that ended since this one started
        // waiting for it (the first choice of a question, done before the others resume).
        for other in slots.indices where other != sequence.slot {
            let available = min(limit, slots[other].sharedPrefix(with: prompt))
            guard available > fed else { continue }
            // Its first `fed` positions hold the same tokens, computed the same way: only the
            // rest is copied.
            context.copyPrefix(from: other, to: sequence.slot, length: available, keeping: fed)
            slots[sequence.slot].cachedTokens = Array(prompt[..<available])
            sequence.pendingPrompt = prompt[available...]
            sequence.promptLogprobs?.append(contentsOf: repeatElement(nil, count: available - fed))
            sequence.reused += available - fed
            condition.lock()
            counters.reusedPromptTokens += available - fed
            condition.unlock()
            fed = available
        }
        for other in active {
            if other === sequence { break }
            guard other.nextToken == nil else { continue }
            if min(limit, commonPrefixLength(other.job.prompt, prompt)) > fed { return false }
        }
        return true
    }

    /// Appends the log-probabilities of the prompt tokens predicted by the rows just fed (row i
    /// predicts the prompt token after it); `logits` holds the rows from `firstRow` on, and the
    /// tokens the rows before it predict are not scored (nil).
    private func collectPromptLogprobs(_ sequence: ActiveSequence, fed: Int, firstRow: Int, logits: [Float], top: Int) {
        let vocabulary = model.config.vocabularySize
        let prompt = sequence.job.prompt
        let firstFed = prompt.count - sequence.pendingPrompt.count - fed
        for row in 0..<fed where firstFed + row + 1 < prompt.count {
            guard row >= firstRow else {
                sequence.promptLogprobs!.append(nil)
                continue
            }
            let offset = (row - firstRow) * vocabulary
            let rowLogits = Array(logits[offset..<(offset + vocabulary)])
            sequence.promptLogprobs!.append(TokenLogprobs(logits: rowLogits, token: prompt[firstFed + row + 1], topCount: top))
        }
    }

    /// Samples every choosing sequence's next token (on the context's threads: each sequence's
    /// sampler and constraint are its own), then reports them in order on this thread.
    private func chooseTokens(_ choosing: [(sequence: ActiveSequence, logits: [Float])]) {
        var steps = [Result<SequenceGeneration.Step, Error>?](repeating: nil, count: choosing.count)
        steps.withUnsafeMutableBufferPointer { results in
            context.parallelFor(choosing.count) { i in
                let (sequence, logits) = choosing[i]
                let room = self.context.position(of: sequence.slot) < self.contextLength
                results[i] = Result(catching: { try sequence.generation.step(logits: logits, roomForMore: room) })
            }
        }
        for (i, entry) in choosing.enumerated() {
            let sequence = entry.sequence
            let step: SequenceGeneration.Step
            do {
                step = try steps[i]!.get()
            } catch {
                end(sequence, with: .failed(error))
                continue
            }
            var consumerLeft = false
            for event in step.events where !consumerLeft {
                // Declining the text released at the end changes nothing: generation is over.
                consumerLeft = !sequence.job.sink(.token(event)) && event.token != nil
            }
            if consumerLeft {
                end(sequence, with: nil)
            } else if let token = step.nextToken {
                sequence.nextToken = token
            } else {
                let summary = sequence.generation.summary(reusedPromptTokens: sequence.reused)
                end(sequence, with: .finished(GenerationOutcome(
                    finishReason: summary.finishReason, promptTokens: summary.promptTokens,
                    completionTokens: summary.completionTokens, reusedPromptTokens: summary.reusedPromptTokens,
                    reasoningTokens: summary.reasoningTokens)))
            }
        }
    }

    /// Reports `event` (none when the consumer has left) and frees the sequence's slot; its cache
    /// stays for a later prompt that shares its prefix.
    private func end(_ sequence: ActiveSequence, with event: GenerationEvent?) {
        if let event { _ = sequence.job.sink(event) }
        slots[sequence.slot].sequence = nil
        active.removeAll { $0 === sequence }
        release(since: sequence.started)
    }

    private func release(since start: Date) {
        let seconds = Date().timeIntervalSince(start)
        condition.lock()
        running -= 1
        averageJobSeconds = 0.8 * averageJobSeconds + 0.2 * seconds
        condition.unlock()
    }
}

/// One KV cache of the batch: the tokens it holds and the sequence using it, if any.
private struct Slot {
    /// The tokens whose keys and values are in the slot's cache, in order.
    var cachedTokens: [Int32] = []
    var sequence: ActiveSequence?
    /// When a sequence last took the slot (a counter).
    var lastUse = 0

    func sharedPrefix(with prompt: [Int32]) -> Int {
        commonPrefixLength(cachedTokens, prompt)
    }
}

/// A job in a slot: the prompt tokens still to feed, then the token to feed next.
private final class ActiveSequence {
    let id: UInt64
    let job: GenerationJob
    let slot: Int
    let generation: SequenceGeneration
    /// Prompt tokens taken from a cache rather than computed.
    var reused: Int
    let started: Date
    var pendingPrompt: ArraySlice<Int32>
    /// Prompt tokens in the cache so far (computed or reused).
    var fedPrompt: Int { job.prompt.count - pendingPrompt.count }
    /// Set once the prompt is in: the token chosen last, to feed in the next step.
    var nextToken: Int32?
    /// Log-probabilities of the prompt tokens so far (for `echo`); nil when not asked for.
    var promptLogprobs: [TokenLogprobs?]?

    init(id: UInt64, job: GenerationJob, slot: Int, generation: SequenceGeneration, reused: Int, started: Date) {
        self.id = id
        self.job = job
        self.slot = slot
        self.generation = generation
        self.reused = reused
        self.started = started
        pendingPrompt = job.prompt[reused...]
        // Nothing predicts the first token, and reused positions are not scored.
        promptLogprobs = job.promptLogprobs == nil ? nil : Array(repeating: nil, count: reused + 1)
    }
}
