import Foundation
import GGUF
import Kernels
@testable import Models
import XCTest

/// The work per token that `hearth bench --budget` sets against the machine, counted by hand on a
/// tiny model, and the ceilings' microbenchmarks giving real figures.
final class BudgetTests: XCTestCase {
    func testWorkPerTokenIsCountedFromTheWeights() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-budget-\(UUID().uuidString).gguf")
        defer { try? FileManager.default.removeItem(at: url) }
        try TinyModel().write(to: url)
        let model = try LanguageModel(url: url)
        let budget = ModelBudget(model: model)
        // Per layer: q 32×32, k 16×32, v 16×32, o 32×32, gate and up 64×32, down 32×64; two layers.
        XCTAssertEqual(budget.blockMatrixMultiplyAdds, 2 * (1024 + 512 + 512 + 1024 + 3 * 2048))
        XCTAssertEqual(budget.blockMatrixBytes, 4 * budget.blockMatrixMultiplyAdds, "F32 weights")
        XCTAssertEqual(budget.outputMultiplyAdds, 264 * 32, "the tied output is the embeddings")
        XCTAssertEqual(budget.keyValueBytesPerPosition, 2 * (16 + 16) * 4)
        // A 4-token prompt: each layer attends 1 + 2 + 3 + 4 positions with 4 heads of q·k and p·v
        // (8 + 8), and the output matrix runs once.
        let attention: Double = 2 * 10 * 64 / 4, output: Double = 264 * 32 / 4
        XCTAssertEqual(budget.multiplyAddsPerPromptToken(4, depth: 0), 18_432 + attention + output)
        // Two sequences share the weights of a step; each reads its own cache and embedding row.
        let weights: Double = 73_728 + 264 * 32 * 4, own: Double = 256 * 10 + 32 * 4
        XCTAssertEqual(budget.bytesPerGeneratedToken(context: 10, sequences: 2), weights / 2 + own)
        // A half cache reads half the bytes per position.
        XCTAssertEqual(budget.bytesPerGeneratedToken(context: 10, sequences: 2, cacheType: .f16), weights / 2 + 128 * 10 + 32 * 4)
        // A generated token at 10 positions: every layer attends all 10, and the output matrix is
        // its own (a prompt token but the last shares it).
        XCTAssertEqual(budget.multiplyAddsPerGeneratedToken(context: 10), 18_432 + 2 * 10 * 64 + 264 * 32)
    }

    func testSlidingWindowsBoundWhatAPromptTokenAttends() throws {
        var tiny = TinyModel()
        tiny.architecture = "gemma3"
        tiny.layers = 6
        tiny.slidingWindow = 4
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-budget-\(UUID().uuidString).gguf")
        defer { try? FileManager.default.removeItem(at: url) }
        try tiny.write(to: url)
        let budget = ModelBudget(model: try LanguageModel(url: url))
        let perPosition = 4.0 * 16
        let fixed = Double(budget.blockMatrixMultiplyAdds)
        // 8 tokens after 100: five sliding layers see 4 positions each, the global one 101…108.
        let attended = 5 * 8 * 4 + (101...108).reduce(0, +)
        let output = Double(budget.outputMultiplyAdds) / 8
        XCTAssertEqual(budget.multiplyAddsPerPromptToken(8, depth: 100), fixed + Double(attended) * perPosition / 8 + output)
        // Generating at 100 positions: the sliding layers see 4, the global one 100.
        XCTAssertEqual(budget.multiplyAddsPerGeneratedToken(context: 100),
                       fixed + (5 * 4 + 100) * perPosition + Double(budget.outputMultiplyAdds))
    }

    func testCeilingsAreMeasured() throws {
        let bandwidth = MachineCeilings.readBandwidth(bytes: 1 << 24, threads: 2, repetitions: 2)
        XCTAssertTrue(bandwidth.isFinite && bandwidth > 1e8, "\(bandwidth) bytes/s")
        for type in [GGMLType.q8_0, .q4_K] {
            let peak = try MachineCeilings.matrixPeak(type: type, threads: 1, repetitions: 1)
            XCTAssertTrue(peak.isFinite && peak > 1e8, "\(type): \(peak) multiply-adds/s")
        }
        XCTAssertThrowsError(try MachineCeilings.matrixPeak(type: .f32, threads: 1, repetitions: 1))
    }
}
