import Engine
import Foundation
import GGUF
import Kernels
@testable import Models
import XCTest

/// The forward code on synthetic models: fast path against the scalar reference, batching, and the
/// errors a malformed model or request must produce.
final class ForwardTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-forward-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func build(_ tiny: TinyModel, name: String = "tiny", dropping: String? = nil,
                       overrides: [String: GGUFValue] = [:]) throws -> URL {
        let url = directory.appendingPathComponent("\(name).gguf")
        try tiny.write(to: url, dropping: dropping, overrides: overrides)
        return url
    }

    private let tokens: [Int32] = [1, 259, 260, 261, 262, 263, 100, 101, 102, 7, 8, 9, 263, 262, 261, 260]

    /// With F32 weights the fast path quantizes nothing, so it must agree with the scalar reference to
    /// float rounding: this is what holds the fast forward code (chunking, caching, attention, RoPE) to
    /// the plain one. With Q8_0 weights the fast path also quantizes activations to 8 bits, whose noise
    /// random un-normalised weights amplify layer after layer; the budget only catches gross errors
    /// there (the kernels' own tests hold the quantized products to their scalar twins exactly).
    func testFastPathMatchesReferenceOnEveryArchitecture() throws {
        for variant in ["llama", "qwen2", "qwen3", "gemma3", "qwen3moe", "mixtral"] {
            for (type, tolerance) in [(GGMLType.f32, Float(1e-4)), (.q8_0, 0.1)] {
                let architecture = variant == "mixtral" ? "llama" : variant
                var tiny = TinyModel()
                tiny.architecture = architecture
                tiny.llamaMixture = variant == "mixtral"
                tiny.matrixType = type
                tiny.tiedOutput = architecture != "qwen2"
                let model = try LanguageModel(url: build(tiny, name: "\(variant)-\(type)"))
                let reference = try ReferenceModel(model: model)
                let context = model.makeContext(contextLength: 32, threads: 2, batchSize: 5)
                let fast = try context.evaluateAll(tokens)
                let v = model.config.vocabularySize
                var worst: Float = 0
                for (t, token) in tokens.enumerated() {
                    let expected = reference.step(token)
                    let scale = max(1, expected.map(abs).max()!)
                    for i in 0..<v { worst = max(worst, abs(fast[t * v + i] - expected[i]) / scale) }
                }
                XCTAssertLessThanOrEqual(worst, tolerance, "\(variant) \(type)")
            }
        }
    }

    func testRopeFrequencyFactorsAreApplied() throws {
        var tiny = TinyModel()
        tiny.ropeFactors = [1, 1, 4, 8]
        let scaled = try LanguageModel(url: build(tiny, name: "scaled"))
        XCTAssertEqual(scaled.config.ropeFrequencyFactors, [1, 1, 4, 8])
        let reference = try ReferenceModel(model: scaled)
        let fast = try scaled.makeContext(contextLength: 32).evaluateAll(tokens)
        let v = scaled.config.vocabularySize
        for (t, token) in tokens.enumerated() {
            let expected = reference.step(token)
            for i in 0..<v { XCTAssertEqual(fast[t * v + i], expected[i], accuracy: 1e-4 * max(1, abs(expected[i]))) }
        }
        // And they change the result: the same weights without factors give other logits.
        let plain = try LanguageModel(url: build(TinyModel(), name: "plain"))
        XCTAssertNotEqual(try plain.makeContext(contextLength: 32).evaluate(tokens), Array(fast[((tokens.count - 1) * v)...]))
        tiny.ropeFactors = [1, 1, 4]
        XCTAssertThrowsError(try LanguageModel(url: build(tiny, name: "bad")))
    }

    /// A token's logits do not depend on how the prompt was cut into chunks, nor on the thread count:
    /// the property the server's determinism rests on.
    func testLogitsDoNotDependOnBatchingOrThreads() throws {
        for architecture in ["gemma3", "qwen3moe"] {
            try assertBatchInvariant(architecture)
        }
    }

    /// A mixture of experts gathers each expert's rows from the whole pass: a row's result must
    /// still not depend on which other rows chose the same experts.
    private func assertBatchInvariant(_ architecture: String) throws {
        var tiny = TinyModel()
        tiny.matrixType = .q8_0
        tiny.architecture = architecture
        let model = try LanguageModel(url: build(tiny, name: architecture))
        let whole = try model.makeContext(contextLength: 32, threads: 1, batchSize: 64).evaluateAll(tokens)
        let chunked = try model.makeContext(contextLength: 32, threads: 2, batchSize: 3).evaluateAll(tokens)
        XCTAssertEqual(whole, chunked)
        let stepwise = model.makeContext(contextLength: 32, threads: 2)
        var last: [Float] = []
        for token in tokens { last = try stepwise.evaluate([token]) }
        let v = model.config.vocabularySize
        XCTAssertEqual(last, Array(whole[((tokens.count - 1) * v)...]), architecture)
    }

    func testSlidingWindowLimitsWhatALayerSees() throws {
        // With every layer sliding over 4 positions, the logits at position 10 depend only on tokens 7-10;
        // changing token 2 must not change them, while changing token 8 must.
        var tiny = TinyModel()
        tiny.architecture = "gemma3"
        tiny.layers = 1
        tiny.slidingWindow = 4
        let model = try LanguageModel(url: build(tiny))
        XCTAssertEqual(model.config.slidingLayers, [true])
        func logits(_ sequence: [Int32]) throws -> [Float] {
            try model.makeContext(contextLength: 32).evaluate(sequence)
        }
        let base = Array(tokens[0..<11])
        var early = base; early[2] = 100
        var inside = base; inside[8] = 100
        XCTAssertEqual(try logits(base), try logits(early))
        XCTAssertNotEqual(try logits(base), try logits(inside))
    }

    func testGemmaLayerPattern() throws {
        var tiny = TinyModel()
        tiny.architecture = "gemma3"
        tiny.layers = 18
        let model = try LanguageModel(url: build(tiny))
        let global = model.config.slidingLayers.enumerated().filter { !$0.element }.map(\.offset)
        XCTAssertEqual(global, [5, 11, 17])
        XCTAssertEqual(model.config.slidingRopeFrequencyBase, 10_000)
    }

    func testUnsupportedArchitectureListsTheSupportedOnes() throws {
        var tiny = TinyModel()
        tiny.architecture = "mamba"
        XCTAssertThrowsError(try LanguageModel(url: build(tiny))) { error in
            XCTAssertEqual(error as? ModelError, .unsupportedArchitecture("mamba", supported: ["gemma3", "llama", "qwen2", "qwen3", "qwen3moe"]))
            XCTAssertTrue(String(describing: error).contains("supported: gemma3, llama, qwen2, qwen3, qwen3moe"))
        }
    }

    /// Llama files may carry Q/K/V biases (llama.cpp reads them when present): both passes add them.
    func testLlamaReadsAttentionBiasesWhenPresent() throws {
        var tiny = TinyModel()
        tiny.attentionBiases = true
        let model = try LanguageModel(url: build(tiny, name: "biased"))
        XCTAssertEqual(model.weights.layers[1].valueBias?.count, tiny.kvHeads * tiny.headSize)
        let reference = try ReferenceModel(model: model)
        let fast = try model.makeContext(contextLength: 16, threads: 2).evaluateAll(Array(tokens.prefix(6)))
        let v = model.config.vocabularySize
        for (t, token) in tokens.prefix(6).enumerated() {
            let expected = reference.step(token)
            for i in 0..<v { XCTAssertEqual(fast[t * v + i], expected[i], accuracy: 1e-4 * max(1, abs(expected[i]))) }
        }
        let plain = try LanguageModel(url: build(TinyModel(), name: "plain"))
        XCTAssertNil(plain.weights.layers[0].queryBias)
    }

    /// A tensor the architecture's block does not name would be left out of the arithmetic: refused.
    func testTensorsTheArchitectureDoesNotReadAreRefused() throws {
        var qwen3 = TinyModel()
        qwen3.architecture = "qwen3"
        qwen3.attentionBiases = true
        XCTAssertThrowsError(try LanguageModel(url: build(qwen3, name: "q3"))) { error in
            XCTAssertEqual(error as? ModelError, .unexpectedTensor("blk.0.attn_q.bias", architecture: "qwen3", others: 5))
            XCTAssertEqual("\(error)", "the model file holds the tensor 'blk.0.attn_q.bias' (and 5 others), which Hearth's 'qwen3' "
                           + "does not use; running without it would give wrong results")
        }
        var llama = TinyModel()
        llama.extraVectors = ["blk.1.attn_output.bias": llama.embedding]
        XCTAssertThrowsError(try LanguageModel(url: build(llama, name: "ob"))) { error in
            XCTAssertEqual(error as? ModelError, .unexpectedTensor("blk.1.attn_output.bias", architecture: "llama", others: 0))
        }
        // Gemma 3's post norms are its own: in a Llama file they are refused, not skipped.
        var postNorms = TinyModel()
        postNorms.extraVectors = ["blk.0.post_attention_norm.weight": postNorms.embedding, "blk.0.post_ffw_norm.weight": postNorms.embedding]
        XCTAssertThrowsError(try LanguageModel(url: build(postNorms, name: "pn"))) { error in
            XCTAssertEqual(error as? ModelError, .unexpectedTensor("blk.0.post_attention_norm.weight", architecture: "llama", others: 1))
        }
    }

    func testMissingTensorAndBadMetadataAreNamed() throws {
        XCTAssertThrowsError(try LanguageModel(url: build(TinyModel(), dropping: "blk.1.ffn_up.weight"))) { error in
            XCTAssertEqual(error as? ModelError, .missingTensor("blk.1.ffn_up.weight"))
        }
        XCTAssertThrowsError(try LanguageModel(url: build(TinyModel(), name: "h",
                                                          overrides: ["llama.attention.head_count_kv": .uint32(3)]))) { error in
            guard case .invalidMetadata(let key, _) = error as? ModelError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "llama.attention.head_count_kv")
        }
        XCTAssertThrowsError(try LanguageModel(url: build(TinyModel(), name: "w",
                                                          overrides: ["llama.embedding_length": .uint32(48)]))) { error in
            guard case .tensorShape = error as? ModelError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try LanguageModel(url: build(TinyModel(), name: "l",
                                                          overrides: ["llama.rope.scaling.type": .string("longrope")]))) { error in
            XCTAssertTrue(String(describing: error).contains("RoPE scaling 'longrope' is not supported (supported: linear, none, yarn)"), "\(error)")
        }
        // YaRN is decoded as llama.cpp decodes it, and the variants Hearth does not compute are refused.
        let yarn = try LanguageModel(url: build(TinyModel(), name: "y", overrides: [
            "llama.rope.scaling.type": .string("yarn"), "llama.rope.scaling.factor": .float32(4),
            "llama.rope.scaling.original_context_length": .uint32(16),
        ]))
        XCTAssertEqual(yarn.config.ropeYaRN, YaRN(factor: 4, originalContext: 16))
        XCTAssertEqual(yarn.config.ropeScale, 1, "YaRN replaces linear scaling")
        for (name, overrides, expected) in [
            ("y1", ["llama.rope.scaling.type": GGUFValue.string("yarn")], "lacks the metadata key 'llama.rope.scaling.factor'"),
            ("y2", ["llama.rope.scaling.type": .string("yarn"), "llama.rope.scaling.factor": .float32(1)], "YaRN needs a factor above 1"),
            ("y3", ["llama.rope.scaling.type": .string("yarn"), "llama.rope.scaling.factor": .float32(4),
                    "llama.rope.scaling.yarn_log_multiplier": .float32(0.1)], "this YaRN variant is not supported"),
        ] {
            XCTAssertThrowsError(try LanguageModel(url: build(TinyModel(), name: name, overrides: overrides))) { error in
                XCTAssertTrue(String(describing: error).contains(expected), "\(name): \(error)")
            }
        }
        XCTAssertThrowsError(try LanguageModel(url: build(TinyModel(), name: "b",
                                                          overrides: ["llama.block_count": .string("two")]))) { error in
            XCTAssertEqual(error as? ModelError, .invalidMetadata(key: "llama.block_count", reason: "expected an integer"))
        }
    }

    func testContextAndTokenBoundsAreErrorsNotCrashes() throws {
        let model = try LanguageModel(url: build(TinyModel()))
        let context = model.makeContext(contextLength: 8)
        XCTAssertThrowsError(try context.evaluate(Array(tokens[0..<9]))) { error in
            XCTAssertEqual(error as? ModelError, .contextExceeded(tokens: 9, context: 8))
        }
        XCTAssertEqual(context.position, 0, "a rejected request leaves the context as it was")
        XCTAssertThrowsError(try context.evaluate([1, 99_999])) { error in
            XCTAssertEqual(error as? ModelError, .invalidToken(99_999, vocabularySize: model.config.vocabularySize))
        }
        XCTAssertThrowsError(try context.evaluate([-1]))
        let generator = Generator(context: context)
        XCTAssertThrowsError(try generator.generate(prompt: Array(tokens[0..<8]), options: GenerationOptions()) { _ in true }) { error in
            XCTAssertEqual(error as? GenerationError, .promptTooLong(tokens: 8, context: 8))
        }
    }

    func testSeededSamplingIsReproducible() throws {
        let model = try LanguageModel(url: build(TinyModel()))
        func run(seed: UInt64) throws -> [Int32] {
            let generator = Generator(context: model.makeContext(contextLength: 40))
            var out: [Int32] = []
            try generator.generate(prompt: [1, 260], options: GenerationOptions(maxTokens: 20, temperature: 1.5, seed: seed,
                                                                               stopAtEndOfGeneration: false)) {
                if let token = $0.token { out.append(token) }
                return true
            }
            return out
        }
        XCTAssertEqual(try run(seed: 7), try run(seed: 7))
        XCTAssertEqual(try run(seed: 7).count, 20)
        XCTAssertNotEqual(try run(seed: 7), try run(seed: 8))
    }
}
