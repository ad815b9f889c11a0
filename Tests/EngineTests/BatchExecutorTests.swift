import Engine
import Foundation
import Models
import TestSupport
import XCTest

/// The batch executor on SmolLM2: determinism under load, cancellation, the bounded queue, shutdown.
final class BatchExecutorTests: XCTestCase {
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
        let executor = BatchExecutor(model: model, slots: 4, contextLength: 256, queueCapacity: 32)
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

    /// What a job gives when run alone with the engine's own `Generator` on a context of its own.
    func loneText(_ model: LanguageModel, _ prompt: [Int32], _ options: GenerationOptions) throws -> String {
        let generator = Generator(context: model.makeContext(contextLength: 256, threads: 1))
        var text = ""
        try generator.generate(prompt: prompt, options: options) { token in
            text += token.text
            return true
        }
        return text
    }

    /// Four jobs admitted together run in shared forward passes (a token of each per pass), and
    /// each produces exactly what it produces alone.
    func testConcurrentJobsShareForwardPassesAndComputeWhatTheyComputeAlone() async throws {
        let model = try SharedModel.smolLM2()
        let executor = BatchExecutor(model: model, slots: 4, contextLength: 256, threads: 2, queueCapacity: 8)
        let texts = ["The sea is", "Once upon a time, in a land far away,", "def fibonacci(n):", "Paris is the capital of"]
        var collectors: [Collector] = []
        var jobs: [GenerationJob] = []
        var expected: [String] = []
        for (i, text) in texts.enumerated() {
            let prompt = model.tokenizer.encode(text, addSpecial: true, parseSpecial: true)
            var options = seeded(UInt64(100 + i), maxTokens: 20)
            options.stopAtEndOfGeneration = false
            expected.append(try loneText(model, prompt, options))
            let collector = Collector()
            collectors.append(collector)
            jobs.append(collector.job(prompt, options))
        }
        _ = try executor.submit(jobs)
        for collector in collectors { await collector.wait() }
        XCTAssertEqual(collectors.map(\.text), expected)
        XCTAssertEqual(collectors.map { $0.outcome?.completionTokens }, [20, 20, 20, 20])
        let statistics = executor.statistics
        // 80 generated tokens and the prompts in about 21 passes: far fewer than one per token.
        XCTAssertGreaterThanOrEqual(statistics.rows, 80)
        XCTAssertLessThanOrEqual(statistics.passes * 3, statistics.rows, "\(statistics)")
        await executor.shutdown(deadline: Date())
    }

    /// The choices of one request (one prompt, several seeds) compute the prompt once: the others
    /// copy its keys and values, and still produce what each produces alone.
    func testChoicesOfOnePromptComputeItOnce() async throws {
        let model = try SharedModel.smolLM2()
        let executor = BatchExecutor(model: model, slots: 3, contextLength: 256, threads: 2, queueCapacity: 8)
        let prompt = model.tokenizer.encode(String(repeating: "A long shared system prompt about many things. ", count: 6),
                                            addSpecial: true, parseSpecial: true)
        let collectors = (0..<3).map { _ in Collector() }
        let options = (0..<3).map { seeded(UInt64(7 + $0), maxTokens: 8) }
        _ = try executor.submit(zip(collectors, options).map { $0.job(prompt, $1) })
        for collector in collectors { await collector.wait() }
        for (collector, option) in zip(collectors, options) {
            XCTAssertEqual(collector.text, try loneText(model, prompt, option))
        }
        XCTAssertEqual(collectors.map { $0.outcome?.reusedPromptTokens }, [0, prompt.count - 1, prompt.count - 1])
        XCTAssertEqual(executor.statistics.reusedPromptTokens, 2 * (prompt.count - 1))
        // A later request with the same prompt takes it from a cache too.
        let later = Collector()
        _ = try executor.submit([later.job(prompt, options[0])])
        await later.wait()
        XCTAssertEqual(later.text, collectors[0].text)
        XCTAssertEqual(later.outcome?.reusedPromptTokens, prompt.count - 1)
        await executor.shutdown(deadline: Date())
    }

    /// Prompt log-probabilities (`echo`) computed among other work equal a lone context's.
    func testPromptLogprobsInABatchEqualALoneContexts() async throws {
        let model = try SharedModel.smolLM2()
        let executor = BatchExecutor(model: model, slots: 2, contextLength: 256, threads: 2, batchSize: 8, queueCapacity: 8)
        let prompt = model.tokenizer.encode("The quick brown fox jumps over the lazy dog, and then it runs away.",
                                            addSpecial: true, parseSpecial: true)
        let logits = try model.makeContext(contextLength: 256).evaluateAll(prompt)
        let vocabulary = model.config.vocabularySize
        let expected: [TokenLogprobs?] = [nil] + (1..<prompt.count).map { i in
            TokenLogprobs(logits: Array(logits[((i - 1) * vocabulary)..<(i * vocabulary)]), token: prompt[i], topCount: 2)
        }
        final class Scored: @unchecked Sendable { var logprobs: [TokenLogprobs?]? }
        let scored = Scored()
        let done = DispatchSemaphore(value: 0)
        let busy = Collector()
        _ = try executor.submit([busy.job(model.tokenizer.encode("Hello", addSpecial: true, parseSpecial: true), seeded(1, maxTokens: 30))])
        _ = try executor.submit([GenerationJob(prompt: prompt, options: GenerationOptions(maxTokens: 0), promptLogprobs: 2) { event in
            switch event {
            case .promptLogprobs(let logprobs): scored.logprobs = logprobs
            case .finished, .failed: done.signal()
            default: break
            }
            return true
        }])
        await busy.wait()
        done.wait()
        XCTAssertEqual(scored.logprobs, expected)
        await executor.shutdown(deadline: Date())
    }

    /// Multiple-choice scoring: choices after one question, scored from their first own token,
    /// compute the question once (the first choice's slot) and only their own tokens after it, and
    /// get exactly a lone context's log-probabilities for those tokens; nothing before is scored.
    func testScoredChoicesComputeTheirQuestionOnce() async throws {
        let model = try SharedModel.smolLM2()
        let executor = BatchExecutor(model: model, slots: 4, contextLength: 256, threads: 2, batchSize: 8, queueCapacity: 8)
        let question = model.tokenizer.encode("Question: which of these is a primary colour? Answer:", addSpecial: true, parseSpecial: true)
        let choices = [" red", " green leaves", " the colour of the sky at noon", " none"].map {
            model.tokenizer.encode($0, addSpecial: false, parseSpecial: false)
        }
        final class Scored: @unchecked Sendable {
            var logprobs: [TokenLogprobs?]?
            var outcome: GenerationOutcome?
        }
        let scored = choices.map { _ in Scored() }
        let done = DispatchSemaphore(value: 0)
        _ = try executor.submit(zip(choices, scored).map { choice, result in
            GenerationJob(prompt: question + choice, options: GenerationOptions(maxTokens: 0), promptLogprobs: 2,
                          promptLogprobsFrom: question.count) { event in
                switch event {
                case .promptLogprobs(let logprobs): result.logprobs = logprobs
                case .finished(let outcome): result.outcome = outcome; done.signal()
                case .failed: done.signal()
                default: break
                }
                return true
            }
        })
        for _ in choices { done.wait() }
        let vocabulary = model.config.vocabularySize
        for (choice, result) in zip(choices, scored) {
            let prompt = question + choice
            let logits = try model.makeContext(contextLength: 256).evaluateAll(prompt)
            let expected: [TokenLogprobs?] = (0..<prompt.count).map { i in
                i < question.count ? nil
                    : TokenLogprobs(logits: Array(logits[((i - 1) * vocabulary)..<(i * vocabulary)]), token: prompt[i], topCount: 2)
            }
            XCTAssertEqual(result.logprobs, expected)
        }
        XCTAssertEqual(scored.map { $0.outcome?.reusedPromptTokens }, [0] + Array(repeating: question.count - 1, count: 3))
        await executor.shutdown(deadline: Date())
    }

    /// A scoring job has one entry per prompt token whichever rows it wants, none of them (the
    /// scored part starting at or past the end) included, and a job that generates nothing
    /// finishes without the last row's logits.
    func testScoringJobsHaveAnEntryPerPromptToken() async throws {
        let model = try SharedModel.smolLM2()
        let executor = BatchExecutor(model: model, slots: 2, contextLength: 64, threads: 2, batchSize: 4, queueCapacity: 8)
        let prompt = model.tokenizer.encode("One two three four five six seven", addSpecial: true, parseSpecial: true)
        for from in [1, prompt.count - 1, prompt.count, prompt.count + 3] {
            for maxTokens in [0, 1] {
                final class Scored: @unchecked Sendable {
                    var logprobs: [TokenLogprobs?]?
                    var outcome: GenerationOutcome?
                }
                let result = Scored()
                let done = DispatchSemaphore(value: 0)
                _ = try executor.submit([GenerationJob(prompt: prompt, options: GenerationOptions(maxTokens: maxTokens, sampling: .greedy),
                                                       promptLogprobs: 0, promptLogprobsFrom: from) { event in
                    switch event {
                    case .promptLogprobs(let logprobs): result.logprobs = logprobs
                    case .finished(let outcome): result.outcome = outcome; done.signal()
                    case .failed: done.signal()
                    default: break
                    }
                    return true
                }])
                done.wait()
                let logprobs = try XCTUnwrap(result.logprobs, "from \(from) maxTokens \(maxTokens)")
                XCTAssertEqual(logprobs.count, prompt.count, "from \(from) maxTokens \(maxTokens)")
                XCTAssertEqual(logprobs.indices.filter { logprobs[$0] != nil }, Array(max(1, from)..<max(max(1, from), prompt.count)),
                               "from \(from) maxTokens \(maxTokens)")
                XCTAssertNotNil(result.outcome, "from \(from) maxTokens \(maxTokens)")
                if maxTokens == 0 { XCTAssertEqual(result.outcome?.finishReason, .maxTokens) }
            }
        }
        await executor.shutdown(deadline: Date())
    }

    /// The multiple-choice benchmark runs both ways and names its tests as `hearth bench` prints them.
    func testChoiceBenchmarkScoresBothWays() throws {
        let model = try SharedModel.smolLM2()
        for shared in [true, false] {
            let test = ChoiceBenchmark(questionTokens: 24, choices: 3, shared: shared)
            XCTAssertEqual(test.name, shared ? "mc24x3" : "mc24x3 whole")
            let samples = try test.run(model: model, threads: 2, repetitions: 2, warmUp: false, seed: 5)
            XCTAssertEqual(samples.count, 2)
            XCTAssertTrue(samples.allSatisfy { $0.isFinite && $0 > 0 }, "\(samples)")
        }
    }

    /// A job the engine cannot run (a token outside the vocabulary, a prompt longer than the
    /// context) fails alone: the jobs beside it finish.
    func testABadJobFailsAloneAndTheOthersFinish() async throws {
        let model = try SharedModel.smolLM2()
        let executor = BatchExecutor(model: model, slots: 3, contextLength: 64, threads: 1, queueCapacity: 8)
        let prompt = model.tokenizer.encode("Hello there", addSpecial: true, parseSpecial: true)
        let good = Collector(), badToken = Collector(), tooLong = Collector()
        _ = try executor.submit([good.job(prompt, seeded(1, maxTokens: 10)),
                                 badToken.job(prompt + [Int32(model.config.vocabularySize)], seeded(2)),
                                 tooLong.job(Array(repeating: prompt[1], count: 64), seeded(3))])
        for collector in [good, badToken, tooLong] { await collector.wait() }
        XCTAssertEqual(good.outcome?.completionTokens, 10)
        XCTAssertEqual(badToken.error as? ModelError, .invalidToken(Int32(model.config.vocabularySize), vocabularySize: model.config.vocabularySize))
        XCTAssertEqual(tooLong.error as? GenerationError, .promptTooLong(tokens: 64, context: 64))
        await executor.shutdown(deadline: Date())
    }

    /// A consumer that stops (the client left) frees its slot: the next job runs at once.
    func testCancelledJobFreesItsSlot() async throws {
        let model = try SharedModel.smolLM2()
        let executor = BatchExecutor(model: model, slots: 1, contextLength: 256, queueCapacity: 4)
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

    /// A client that leaves while its prompt is still being computed frees the slot before the
    /// prompt is done (its ticket is cancelled; there is no token to refuse yet).
    func testCancellingARunningJobStopsItsPrompt() async throws {
        let model = try SharedModel.smolLM2()
        let executor = BatchExecutor(model: model, slots: 1, contextLength: 512, threads: 1, batchSize: 4, queueCapacity: 4)
        let long = model.tokenizer.encode(String(repeating: "a long prompt with many words ", count: 40), addSpecial: true, parseSpecial: true)
        XCTAssertGreaterThan(long.count, 200)
        let leaving = Collector()
        let ticket = try executor.submit([leaving.job(long, seeded(1))])
        while executor.activeCount == 0 { try await Task.sleep(nanoseconds: 1_000_000) }
        ticket.cancel()
        let next = Collector()
        _ = try executor.submit([next.job(model.tokenizer.encode("Hi", addSpecial: true, parseSpecial: true), seeded(2, maxTokens: 3))])
        await next.wait()
        XCTAssertEqual(next.outcome?.completionTokens, 3)
        XCTAssertNil(leaving.outcome)
        XCTAssertEqual(leaving.tokens, 0)
        XCTAssertLessThan(executor.statistics.rows, long.count, "the cancelled prompt was computed to the end")
        await executor.shutdown(deadline: Date())
    }

    func testQueueIsBoundedAndTicketsWithdrawQueuedJobs() async throws {
        let model = try SharedModel.smolLM2()
        let executor = BatchExecutor(model: model, slots: 1, contextLength: 256, queueCapacity: 2)
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
        let executor = BatchExecutor(model: model, slots: 1, contextLength: 512, queueCapacity: 4)
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
