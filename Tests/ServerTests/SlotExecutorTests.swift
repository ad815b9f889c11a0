import Engine
import Foundation
import Models
import Server
import XCTest

/// The slot executor on SmolLM2: determinism under load, cancellation, the bounded queue, shutdown.
final class SlotExecutorTests: XCTestCase {
    /// Collects one job's events; thread-safe, since the executor calls from its slot threads.
    final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var _text = ""
        private var _outcome: GenerationOutcome?
        private var _error: Error?
        private var _tokens = 0
        let done = DispatchSemaphore(value: 0)
        /// Stop after this many tokens (the client "disconnects").
        let stopAfter: Int?

        init(stopAfter: Int? = nil) { self.stopAfter = stopAfter }

        var text: String { lock.withLock { _text } }
        var outcome: GenerationOutcome? { lock.withLock { _outcome } }
        var error: Error? { lock.withLock { _error } }
        var tokens: Int { lock.withLock { _tokens } }

        func sink(_ event: GenerationEvent) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            switch event {
            case .token(let token):
                _text += token.text
                _tokens += 1
                if let stopAfter, _tokens >= stopAfter {
                    done.signal()
                    return false
                }
            case .finished(let outcome):
                _outcome = outcome
                done.signal()
            case .failed(let error):
                _error = error
                done.signal()
            default: break
            }
            return true
        }

        func job(_ prompt: [Int32], _ options: GenerationOptions) -> GenerationJob {
            GenerationJob(prompt: prompt, options: options) { self.sink($0) }
        }

        func wait() async {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    self.done.wait()
                    continuation.resume()
                }
            }
        }
    }

    func seeded(_ seed: UInt64, maxTokens: Int = 24) -> GenerationOptions {
        var sampling = SamplingParameters.openAIDefaults
        sampling.temperature = 0.9
        sampling.seed = seed
        return GenerationOptions(maxTokens: maxTokens, sampling: sampling)
    }

    /// The determinism check: a seeded request alone, then the same among 15 concurrent
    /// others (other prompts, other seeds, sharing the slots), gives the same text.
    func testSeededRequestIsTheSameAloneAndUnderLoad() async throws {
        let model = try SharedModel.smolLM2()
        let executor = SlotExecutor(model: model, slots: 4, contextLength: 256, queueCapacity: 32)
        let prompt = model.tokenizer.encode("Write a short poem about the sea.", addSpecial: true, parseSpecial: true)

        let alone = Collector()
        _ = try executor.submit([alone.job(prompt, seeded(1234))])
        await alone.wait()
        XCTAssertNotNil(alone.outcome)

        var others: [Collector] = []
        var jobs: [GenerationJob] = []
        for i in 0..<15 {
            let other = Collector()
            others.append(other)
            let text = "Story number \(i): once upon a time" + String(repeating: " and then", count: i)
            jobs.append(other.job(model.tokenizer.encode(text, addSpecial: true, parseSpecial: true), seeded(UInt64(i), maxTokens: 16 + i)))
        }
        let again = Collector()
        // Submitted in the middle, so it lands on a slot whose cache holds another prompt.
        jobs.insert(again.job(prompt, seeded(1234)), at: 7)
        for job in jobs { _ = try executor.submit([job]) }
        await again.wait()
        for other in others { await other.wait() }

        XCTAssertEqual(again.text, alone.text)
        XCTAssertEqual(again.outcome, alone.outcome.map {
            GenerationOutcome(finishReason: $0.finishReason, promptTokens: $0.promptTokens,
                              completionTokens: $0.completionTokens, reusedPromptTokens: again.outcome?.reusedPromptTokens ?? 0)
        })
        XCTAssertTrue(others.allSatisfy { $0.outcome != nil })
        await executor.shutdown(deadline: Date())
    }

    /// A consumer that stops (the client left) frees its slot: the next job runs at once.
    func testCancelledJobFreesItsSlot() async throws {
        let model = try SharedModel.smolLM2()
        let executor = SlotExecutor(model: model, slots: 1, contextLength: 256, queueCapacity: 4)
        let prompt = model.tokenizer.encode("Count: one, two, three,", addSpecial: true, parseSpecial: true)
        let leaving = Collector(stopAfter: 3)
        let next = Collector()
        _ = try executor.submit([leaving.job(prompt, seeded(1, maxTokens: 200))])
        _ = try executor.submit([next.job(prompt, seeded(2, maxTokens: 4))])
        await leaving.wait()
        await next.wait()
        XCTAssertEqual(leaving.tokens, 3)
        XCTAssertNil(leaving.outcome)
        XCTAssertEqual(next.outcome?.completionTokens, 4)
        // The slot counts itself free just after the job's last event.
        for _ in 0..<1000 where executor.activeCount != 0 { try await Task.sleep(nanoseconds: 1_000_000) }
        XCTAssertEqual(executor.activeCount, 0)
        await executor.shutdown(deadline: Date())
    }

    func testQueueIsBoundedAndTicketsWithdrawQueuedJobs() async throws {
        let model = try SharedModel.smolLM2()
        let executor = SlotExecutor(model: model, slots: 1, contextLength: 256, queueCapacity: 2)
        let prompt = model.tokenizer.encode("Hello", addSpecial: true, parseSpecial: true)
        let running = Collector(stopAfter: 1_000)
        _ = try executor.submit([running.job(prompt, seeded(1, maxTokens: 200))])
        while executor.activeCount == 0 { try await Task.sleep(nanoseconds: 1_000_000) }
        // One slot busy: two may wait, a third is refused, and so are two at once beyond the room.
        let waiting = (0..<2).map { _ in Collector() }
        let ticket = try executor.submit(waiting.map { $0.job(prompt, seeded(3, maxTokens: 2)) })
        XCTAssertEqual(executor.queueDepth, 2)
        XCTAssertThrowsError(try executor.submit([Collector().job(prompt, seeded(4))])) { error in
            guard case SubmissionError.queueFull(let seconds) = error else { return XCTFail("\(error)") }
            XCTAssertGreaterThanOrEqual(seconds, 1)
        }
        ticket.cancel()
        XCTAssertEqual(executor.queueDepth, 0)
        XCTAssertNoThrow(try executor.submit([Collector().job(prompt, seeded(5, maxTokens: 1))]))
        await executor.shutdown(deadline: Date())
        XCTAssertThrowsError(try executor.submit([Collector().job(prompt, seeded(6))])) { error in
            XCTAssertEqual(error as? SubmissionError, .shuttingDown)
        }
    }

    func testShutdownFailsQueuedJobsAndCancelsRunningOnesAtTheDeadline() async throws {
        let model = try SharedModel.smolLM2()
        let executor = SlotExecutor(model: model, slots: 1, contextLength: 512, queueCapacity: 4)
        let prompt = model.tokenizer.encode("Hello", addSpecial: true, parseSpecial: true)
        let running = Collector()
        let queued = Collector()
        var options = seeded(1, maxTokens: 400)
        options.stopAtEndOfGeneration = false
        _ = try executor.submit([running.job(prompt, options)])
        _ = try executor.submit([queued.job(prompt, seeded(2))])
        while running.tokens == 0 { try await Task.sleep(nanoseconds: 1_000_000) }
        await executor.shutdown(deadline: Date())
        XCTAssertEqual(queued.error as? SubmissionError, .shuttingDown)
        XCTAssertEqual(running.error as? SubmissionError, .shuttingDown)
        XCTAssertNil(running.outcome)
        XCTAssertLessThan(running.tokens, 400)
    }
}
