import Foundation
import GGUF
@testable import Models
import XCTest

/// Qwen3-MoE's mixture of experts: the routing rule, the stacked expert tensors, and the files
/// that must be refused. (The fast path against the scalar reference and batch invariance are in
/// ForwardTests, with the other architectures; the independent check against `transformers` is in
/// TransformersReferenceTests.)
final class MixtureOfExpertsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-moe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func build(_ tiny: TinyModel, name: String = "moe", dropping: String? = nil,
                       overrides: [String: GGUFValue] = [:]) throws -> URL {
        let url = directory.appendingPathComponent("\(name).gguf")
        try tiny.write(to: url, dropping: dropping, overrides: overrides)
        return url
    }

    private var tiny: TinyModel {
        var tiny = TinyModel()
        tiny.architecture = "qwen3moe"
        return tiny
    }

    func testRoutingTakesTheMostLikelyExpertsAndRenormalisesTheirWeights() {
        let logits: [Float] = [0, 2, 1, 2, -1]
        let chosen = logits.withUnsafeBufferPointer { MixtureRouting.choose(logits: $0, used: 2, normalize: true) }
        // Experts 1 and 3 tie at the top; each gets half once renormalised; reported in expert order.
        XCTAssertEqual(chosen.map(\.expert), [1, 3])
        XCTAssertEqual(chosen.map(\.weight), [0.5, 0.5])
        let three = logits.withUnsafeBufferPointer { MixtureRouting.choose(logits: $0, used: 3, normalize: false) }
        XCTAssertEqual(three.map(\.expert), [1, 2, 3])
        let exps = logits.map { exp(Double($0)) }, total = exps.reduce(0, +)
        for choice in three { XCTAssertEqual(Double(choice.weight), exps[choice.expert] / total, accuracy: 1e-7) }
    }

    func testConfigAndExpertSlicesAreRead() throws {
        let model = try LanguageModel(url: build(tiny))
        let experts = try XCTUnwrap(model.config.experts)
        XCTAssertEqual(experts, ModelConfig.Experts(count: 8, used: 2, feedForwardLength: 32, normalizeWeights: true))
        XCTAssertNotNil(model.config.block.attention.headNorms, "Qwen3's attention")
        guard case .experts(let router, let slices) = model.weights.layers[0].feedForward else { return XCTFail("dense") }
        XCTAssertEqual(router.rows, 8)
        XCTAssertEqual(slices.count, 8)
        // Each expert is its own slice of the stacked tensor, one expert's bytes after the other.
        XCTAssertEqual(slices[1].gate.data - slices[0].gate.data, 32 * slices[0].gate.rowBytes)
        XCTAssertEqual(slices[7].down.rows, 32)
        XCTAssertEqual(slices[7].down.columns, 32)
        // Without the length key, llama.cpp's fallback: feed_forward_length / expert_used_count.
        let fallback = try LanguageModel(url: build(tiny, name: "fallback", overrides: [
            "qwen3moe.feed_forward_length": .uint32(64), "qwen3moe.expert_feed_forward_length": .uint32(32),
        ]))
        XCTAssertEqual(fallback.config.experts?.feedForwardLength, 32)
    }

    func testMalformedMixturesAreRefusedWithTheirName() throws {
        XCTAssertThrowsError(try LanguageModel(url: build(tiny, name: "over", overrides: ["qwen3moe.expert_used_count": .uint32(9)]))) { error in
            XCTAssertEqual((error as? ModelError).map { "\($0)" }, "metadata 'qwen3moe.expert_used_count': 9 exceeds the 8 experts")
        }
        XCTAssertThrowsError(try LanguageModel(url: build(tiny, name: "count", overrides: ["qwen3moe.expert_count": .uint32(6)]))) { error in
            guard case .tensorShape(let name, _, _) = error as? ModelError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "blk.0.ffn_gate_exps.weight")
        }
        XCTAssertThrowsError(try LanguageModel(url: build(tiny, name: "router", dropping: "blk.1.ffn_gate_inp.weight"))) { error in
            XCTAssertEqual(error as? ModelError, .missingTensor("blk.1.ffn_gate_inp.weight"))
        }
        var noKey = tiny
        noKey.experts.count = 8
        XCTAssertThrowsError(try LanguageModel(url: build(noKey, name: "nokey", overrides: ["qwen3moe.expert_count": .uint32(0)]))) { error in
            guard case .invalidMetadata(let key, _) = error as? ModelError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "qwen3moe.expert_count")
        }
        // A dense Qwen3 file's tensors under the MoE name are refused, not run as dense.
        var dense = TinyModel()
        dense.architecture = "qwen3"
        XCTAssertThrowsError(try LanguageModel(url: build(dense, name: "dense", overrides: [
            "general.architecture": .string("qwen3moe"),
        ])))
    }

    /// The experts change the result: the same file with one expert's weights swapped for another's
    /// routes to different outputs, so the routing is not silently ignored.
    func testTheChosenExpertsDecideTheOutput() throws {
        let a = try LanguageModel(url: build(tiny, name: "a"))
        var twoOfEight = tiny
        twoOfEight.experts.used = 1
        let b = try LanguageModel(url: build(twoOfEight, name: "b"))
        let tokens: [Int32] = [1, 259, 260, 261]
        let logitsA = try a.makeContext(contextLength: 16).evaluateAll(tokens)
        let logitsB = try b.makeContext(contextLength: 16).evaluateAll(tokens)
        XCTAssertNotEqual(logitsA, logitsB, "top-1 and top-2 routing must differ")
    }
}
