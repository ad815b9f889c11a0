import XCTest
import Models
import TestSupport
@testable import Engine

/// Generation on the real SmolLM2 model: stop strings, logprobs, constraints, cancellation, and the
/// reuse of a cached prompt prefix giving exactly what a fresh context gives.
final class GeneratorTests: XCTestCase {
    static var cachedModel: LanguageModel?

    func model() throws -> LanguageModel {
        if let model = Self.cachedModel { return model }
        let model = try LanguageModel(url: try TestModels.url("smollm2-135m-instruct"))
        Self.cachedModel = model
        return model
    }

    func tokens(_ text: String) throws -> [Int32] {
        try model().tokenizer.encode(text, addSpecial: true, parseSpecial: true)
    }

    func run(_ generator: Generator, _ prompt: [Int32], _ options: GenerationOptions,
             constraint: TokenConstraint? = nil) throws -> (text: String, tokens: [Int32], summary: GenerationSummary, events: [GeneratedToken]) {
        var text = ""
        var tokens: [Int32] = []
        var events: [GeneratedToken] = []
        let summary = try generator.generate(prompt: prompt, options: options, constraint: constraint) { event in
            text += event.text
            if let token = event.token { tokens.append(token) }
            events.append(event)
            return true
        }
        return (text, tokens, summary, events)
    }

    func testPrefixReuseGivesWhatAFreshContextGives() throws {
        let model = try model()
        let first = try tokens("<|im_start|>user\nName three rivers.<|im_end|>\n<|im_start|>assistant\n")
        let second = first + (try model.tokenizer.encode("The Nile.<|im_end|>\n<|im_start|>user\nAnd three seas?<|im_end|>\n<|im_start|>assistant\n",
                                                        addSpecial: false, parseSpecial: true))
        let options = GenerationOptions(maxTokens: 12, sampling: .greedy, stopAtEndOfGeneration: false)
        let shared = Generator(context: model.makeContext(contextLength: 256, threads: 2))
        _ = try run(shared, first, options)
        let reused = try run(shared, second, options)
        XCTAssertEqual(reused.summary.reusedPromptTokens, first.count, "the whole first prompt stays cached")
        let fresh = try run(Generator(context: model.makeContext(contextLength: 256, threads: 2)), second, options)
        XCTAssertEqual(reused.tokens, fresh.tokens)
        XCTAssertEqual(fresh.summary.reusedPromptTokens, 0)
        // A different prompt shares only its first tokens.
        let other = try run(shared, try tokens("<|im_start|>user\nSomething else"), options)
        XCTAssertGreaterThan(other.summary.reusedPromptTokens, 0)
        XCTAssertLessThan(other.summary.reusedPromptTokens, first.count)
    }

    func testStopStringIsNotEmittedAndEndsGeneration() throws {
        let model = try model()
        let prompt = try tokens("The capital of France is")
        let generator = Generator(context: model.makeContext(contextLength: 128, threads: 2))
        let options = GenerationOptions(maxTokens: 40, sampling: .greedy, stopAtEndOfGeneration: false)
        let full = try run(generator, prompt, options)
        XCTAssertEqual(full.summary.finishReason, .maxTokens)
        XCTAssertEqual(full.summary.completionTokens, 40)
        // A stop string that starts inside the text and most likely spans a token boundary.
        let characters = Array(full.text)
        let start = characters.count / 3
        let stop = String(characters[start..<(start + 5)])
        let expected = String(full.text[..<full.text.range(of: stop)!.lowerBound])
        var stopping = options
        stopping.stop = [stop]
        let stopped = try run(generator, prompt, stopping)
        XCTAssertEqual(stopped.text, expected)
        XCTAssertEqual(stopped.summary.finishReason, .stopSequence)
        XCTAssertEqual(stopped.summary.matchedStop, stop)
        XCTAssertLessThan(stopped.summary.completionTokens, 40)
    }

    func testLogprobsOfGreedyTokensAreTheTopAlternative() throws {
        let model = try model()
        let generator = Generator(context: model.makeContext(contextLength: 64, threads: 1))
        var options = GenerationOptions(maxTokens: 8, sampling: .greedy, stopAtEndOfGeneration: false)
        options.logprobs = 3
        let result = try run(generator, try tokens("One, two, three,"), options)
        let withTokens = result.events.filter { $0.token != nil }
        XCTAssertEqual(withTokens.count, 8)
        for event in withTokens {
            let lp = try XCTUnwrap(event.logprobs)
            XCTAssertEqual(lp.token, event.token)
            XCTAssertEqual(lp.top.count, 3)
            XCTAssertEqual(lp.top[0].token, lp.token)
            XCTAssertEqual(lp.top[0].logprob, lp.logprob)
            XCTAssertLessThanOrEqual(lp.logprob, 0)
            XCTAssertGreaterThanOrEqual(lp.top[0].logprob, lp.top[1].logprob)
        }
    }

    /// Allows only tokens made of ASCII digits, and is satisfied after five of them.
    final class DigitsConstraint: TokenConstraint {
        let digitTokens: [Int32]
        var accepted: [Int32] = []
        init(model: LanguageModel) {
            let tokenizer = model.tokenizer
            digitTokens = (0..<Int32(tokenizer.vocabularySize)).filter { token in
                let piece = tokenizer.piece(token, renderSpecial: false)
                return !piece.isEmpty && piece.allSatisfy { (0x30...0x39).contains($0) }
            }
        }
        func allowedTokens(into mask: inout [Bool]) {
            for token in digitTokens { mask[Int(token)] = true }
        }
        func accept(_ token: Int32) throws {
            XCTAssertTrue(digitTokens.contains(token))
            accepted.append(token)
        }
        var isComplete: Bool { accepted.count == 5 }
    }

    func testConstraintMasksAndEndsGeneration() throws {
        let model = try model()
        let generator = Generator(context: model.makeContext(contextLength: 64, threads: 1))
        let constraint = DigitsConstraint(model: model)
        XCTAssertFalse(constraint.digitTokens.isEmpty)
        let options = GenerationOptions(maxTokens: 20, sampling: SamplingParameters(temperature: 1, seed: 3))
        let result = try run(generator, try tokens("My favourite word is"), options, constraint: constraint)
        XCTAssertEqual(result.summary.finishReason, .constraintSatisfied)
        XCTAssertEqual(result.tokens.count, 5)
        XCTAssertTrue(result.text.allSatisfy(\.isNumber), result.text)
    }

    func testCancellationAndZeroMaxTokens() throws {
        let model = try model()
        let generator = Generator(context: model.makeContext(contextLength: 64, threads: 1))
        var count = 0
        let summary = try generator.generate(prompt: try tokens("Once upon a time"),
                                             options: GenerationOptions(maxTokens: 30, sampling: .greedy, stopAtEndOfGeneration: false)) { _ in
            count += 1
            return count < 3
        }
        XCTAssertEqual(summary.finishReason, .cancelled)
        XCTAssertEqual(summary.completionTokens, 3)
        let none = try run(generator, try tokens("Once upon a time"), GenerationOptions(maxTokens: 0))
        XCTAssertEqual(none.summary.finishReason, .maxTokens)
        XCTAssertEqual(none.text, "")
        XCTAssertEqual(none.summary.completionTokens, 0)
    }

    func testSeededSamplingIsReproducibleAcrossContexts() throws {
        let model = try model()
        let prompt = try tokens("Write a haiku about the sea:")
        let options = GenerationOptions(maxTokens: 24, sampling: SamplingParameters(temperature: 0.9, seed: 42), stopAtEndOfGeneration: false)
        let a = try run(Generator(context: model.makeContext(contextLength: 64, threads: 1)), prompt, options)
        let b = try run(Generator(context: model.makeContext(contextLength: 64, threads: 2)), prompt, options)
        XCTAssertEqual(a.tokens, b.tokens, "the thread count does not change the arithmetic")
        var other = options
        other.sampling.seed = 43
        XCTAssertNotEqual(a.tokens, try run(Generator(context: model.makeContext(contextLength: 64, threads: 1)), prompt, other).tokens)
    }

    func testInvalidOptionsAreErrors() throws {
        let model = try model()
        let generator = Generator(context: model.makeContext(contextLength: 64, threads: 1))
        XCTAssertThrowsError(try run(generator, try tokens("x"), GenerationOptions(maxTokens: -1)))
        XCTAssertThrowsError(try run(generator, try tokens("x"), GenerationOptions(sampling: SamplingParameters(topP: 2))))
        XCTAssertThrowsError(try run(generator, [], GenerationOptions()))
    }
}
