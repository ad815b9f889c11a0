import XCTest
@testable import Engine

final class SamplerTests: XCTestCase {
    /// With no filter, the sampler draws over the logits without building the candidate list; the
    /// token must be the one the list would have given, for every seed and temperature, with
    /// banned (-infinity) tokens anywhere, first and last included.
    func testDrawingOverAllLogitsIsTheCandidateListsDraw() {
        for seed in 0..<200 as Range<UInt64> {
            var logits = randomLogits(300, seed: seed, ties: seed % 3 == 0)
            for i in stride(from: Int(seed % 7), to: logits.count, by: 5) { logits[i] = -.infinity }
            if seed % 4 == 0 { logits[0] = -.infinity; logits[logits.count - 1] = -.infinity }
            for temperature in [0.3, 1, 2.5] as [Float] {
                let parameters = SamplingParameters(temperature: temperature, topK: 0, topP: 1, minP: 0, seed: seed)
                var direct = TokenSampler(parameters: parameters), listed = TokenSampler(parameters: parameters)
                for _ in 0..<5 {
                    XCTAssertEqual(direct.drawFromAll(logits), listed.draw(from: Candidates(logits: logits)),
                                   "seed \(seed) temperature \(temperature)")
                }
            }
        }
        var sampler = TokenSampler(parameters: SamplingParameters(temperature: 1, topK: 0, topP: 1, minP: 0, seed: 1))
        XCTAssertNil(sampler.drawFromAll([-.infinity, -.infinity]))
        XCTAssertThrowsError(try sampler.sample(logits: [-.infinity, -.infinity]))
    }

    func randomLogits(_ n: Int, seed: UInt64, ties: Bool = false) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<n).map { _ in
            let x = Float(generator.nextUnit() * 20 - 10)
            return ties ? x.rounded() : x
        }
    }

    func testGreedyIsArgmaxAfterBias() throws {
        var sampler = TokenSampler(parameters: .greedy)
        XCTAssertEqual(try sampler.sample(logits: [0, 3, 3, 1]), 1, "ties go to the lower id")
        var biased = SamplingParameters.greedy
        biased.logitBias = [1: -.infinity, 3: 2.5]
        var sampler2 = TokenSampler(parameters: biased)
        XCTAssertEqual(try sampler2.sample(logits: [0, 3, 3, 1]), 3)
    }

    func testMaskAndBanLeaveNothing() {
        var sampler = TokenSampler(parameters: .llamaCppDefaults)
        XCTAssertThrowsError(try sampler.sample(logits: [1, 2, 3], allowed: [false, false, false])) {
            XCTAssertEqual($0 as? SamplingError, .noCandidates)
        }
        var greedy = TokenSampler(parameters: .greedy)
        XCTAssertEqual(try greedy.sample(logits: [5, 2, 3], allowed: [false, false, true]), 2)
    }

    func testRepetitionPenaltyFollowsLlamaCpp() throws {
        // Positive logits are divided, negative multiplied: token 0 (4 -> 2) loses to token 1 (3).
        var p = SamplingParameters.greedy
        p.repetitionPenalty = 2
        var sampler = TokenSampler(parameters: p)
        sampler.acceptPrompt([0])
        XCTAssertEqual(try sampler.sample(logits: [4, 3, -1]), 1)
        // Negative: -1 * 2 = -2 loses to -1.5.
        var sampler2 = TokenSampler(parameters: p)
        sampler2.acceptPrompt([0])
        XCTAssertEqual(try sampler2.sample(logits: [-1, -1.5, -3]), 1)
        // Outside the window, no penalty.
        p.penaltyWindow = 2
        var sampler3 = TokenSampler(parameters: p)
        sampler3.acceptPrompt([0, 2, 2])
        XCTAssertEqual(try sampler3.sample(logits: [4, 3, -1]), 0)
    }

    func testPresenceAndFrequencyPenaltiesCountGeneratedTokensOnly() throws {
        var p = SamplingParameters.greedy
        p.presencePenalty = 0.5
        p.frequencyPenalty = 1
        var sampler = TokenSampler(parameters: p)
        sampler.acceptPrompt([0, 0, 0])   // the prompt does not count
        XCTAssertEqual(try sampler.sample(logits: [3, 2, 0]), 0)
        sampler.accept(0)                 // 3 - 1 - 0.5 = 1.5 < 2
        XCTAssertEqual(try sampler.sample(logits: [3, 2, 0]), 1)
        sampler.accept(1)                 // 2 - 1.5 = 0.5; token 0 still 1.5
        XCTAssertEqual(try sampler.sample(logits: [3, 2, 0]), 0)
    }

    func testSameSeedSameTokens() throws {
        let logits = randomLogits(5000, seed: 1)
        func run(_ seed: UInt64) throws -> [Int32] {
            var s = TokenSampler(parameters: SamplingParameters(temperature: 1.1, topK: 0, topP: 0.97, minP: 0.01, seed: seed))
            return try (0..<50).map { _ in try s.sample(logits: logits) }
        }
        XCTAssertEqual(try run(5), try run(5))
        XCTAssertNotEqual(try run(5), try run(6))
    }

    func testTopKMatchesFullSort() {
        for seed in 0..<30 as Range<UInt64> {
            let logits = randomLogits(2000, seed: seed, ties: seed % 2 == 0)
            let k = Int(seed * 7 % 200) + 1
            var candidates = Candidates(logits: logits)
            TopK(k).apply(to: &candidates)
            let reference = logits.indices.sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }.prefix(k)
            XCTAssertEqual(candidates.tokens, reference.map { Int32($0) })
            XCTAssertTrue(candidates.sortedDescending)
        }
    }

    func testTopPFastPathMatchesFullSort() {
        for seed in 0..<40 as Range<UInt64> {
            var logits = randomLogits(3000, seed: 100 + seed, ties: seed % 3 == 0)
            if seed % 4 == 0 { logits = logits.map { $0 * 0.05 } }  // flat: the fast path falls back
            let p = Float(seed % 10) / 10 + 0.05
            var fast = Candidates(logits: logits)
            TopP(p).apply(to: &fast)
            var slow = Candidates(logits: logits)
            slow.sortDescending()
            TopP(p).apply(to: &slow)
            XCTAssertEqual(fast.tokens, slow.tokens, "seed \(seed) p \(p)")
        }
    }

    func testMinPKeepsTokensWithinTheRatio() {
        var candidates = Candidates(logits: [0, log(0.5), log(0.1), log(0.09), -.infinity])
        MinP(0.1).apply(to: &candidates)
        XCTAssertEqual(candidates.tokens, [0, 1, 2])
    }

    func testLogprobs() {
        let logits: [Float] = [1, 2, 3, 0.5]
        let lp = TokenLogprobs(logits: logits, token: 1, topCount: 2)
        let z = logits.map { exp(Double($0)) }.reduce(0, +)
        XCTAssertEqual(Double(lp.logprob), log(exp(2) / z), accuracy: 1e-6)
        XCTAssertEqual(lp.top.map(\.token), [2, 1])
        XCTAssertEqual(Double(lp.top[0].logprob), log(exp(3) / z), accuracy: 1e-6)
        XCTAssertEqual(TokenLogprobs(logits: logits, token: 0, topCount: 0).top, [])
    }

    func testValidation() {
        let bad: [SamplingParameters] = [
            SamplingParameters(temperature: -1), SamplingParameters(temperature: .nan), SamplingParameters(topK: -1),
            SamplingParameters(topP: 0), SamplingParameters(topP: 1.5), SamplingParameters(minP: -0.1),
            SamplingParameters(repetitionPenalty: 0), SamplingParameters(presencePenalty: 1000),
            SamplingParameters(penaltyWindow: -2), SamplingParameters(logitBias: [50: 1]), SamplingParameters(logitBias: [1: .nan]),
        ]
        for p in bad {
            XCTAssertThrowsError(try p.validate(vocabularySize: 10), "\(p)")
        }
        XCTAssertNoThrow(try SamplingParameters.llamaCppDefaults.validate(vocabularySize: 10))
        XCTAssertNoThrow(try SamplingParameters(logitBias: [3: -.infinity]).validate(vocabularySize: 10))
    }
}

final class StopSequenceTests: XCTestCase {
    func feed(_ pieces: [String], stops: [String]) -> (String, String?) {
        var matcher = StopSequenceMatcher(stops)
        var out = ""
        for piece in pieces {
            out += matcher.append(piece)
            if matcher.matched != nil { break }
        }
        out += matcher.finish()
        return (out, matcher.matched)
    }

    func testStopSpanningTokensIsNotEmitted() {
        XCTAssertEqual(feed(["Hello", " Wor", "ld", "!"], stops: ["World"]).0, "Hello ")
        XCTAssertEqual(feed(["Hello", " Wor", "ld", "!"], stops: ["World"]).1, "World")
        XCTAssertEqual(feed(["a<", "|e", "nd|>b"], stops: ["<|end|>"]).0, "a")
    }

    func testHeldBackTextIsReleasedWhenItCannotMatch() {
        var matcher = StopSequenceMatcher(["\n\n"])
        XCTAssertEqual(matcher.append("one\n"), "one")
        XCTAssertEqual(matcher.append("two"), "\ntwo")
        XCTAssertEqual(matcher.append("\n"), "")
        XCTAssertEqual(matcher.finish(), "\n")
    }

    func testEarliestMatchWins() {
        XCTAssertEqual(feed(["xx abc def"], stops: ["def", "abc"]).0, "xx ")
        XCTAssertEqual(feed(["xx abc def"], stops: ["def", "abc"]).1, "abc")
        XCTAssertEqual(feed(["no stop here"], stops: ["zzz"]).0, "no stop here")
        XCTAssertEqual(feed(["a", "b"], stops: []).0, "ab")
    }

    func testUnicode() {
        XCTAssertEqual(feed(["日本", "語で", "す"], stops: ["語で"]).0, "日本")
        XCTAssertEqual(feed(["café", " ok"], stops: ["é "]).0, "caf")
    }
}
