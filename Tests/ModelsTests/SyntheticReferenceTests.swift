import Foundation
import GGUF
import Models
import XCTest

/// Architecture variants that none of the real test models has — Llama 3.1's RoPE frequency factors,
/// linear RoPE scaling, Qwen3's per-head Q/K norm and head size — held to an independent reference on
/// tiny synthetic models. scripts/reference/make_synthetic_fixtures.py wrote each model (GGUF, saved as
/// `.bin`) together with the fp64 reference's logits at every position and llama.cpp's logits on the
/// same file, so these tests need neither Python nor llama.cpp.
final class SyntheticReferenceTests: XCTestCase {
    struct Fixture: Decodable {
        struct LlamaCpp: Decodable {
            let max_abs_error: Double
            let mean_abs_error: Double
            let verification_f32_kv_max_abs_error: Double
        }

        let name: String
        let architecture: String
        let file: String
        let tokens: [Int32]
        let llamacpp: LlamaCpp
        let fp64_logits: [[Double]]
        let llamacpp_logits: [[Double]]
    }

    static let fixtureNames = ["llama31-rope-freqs", "llama-linear-rope", "qwen3", "qwen3-q8_0"]

    /// The scalar path promises float32 precision against fp64: |Δ| ≤ 1e-4 · max(1, max |logit|).
    static let scalarRelativeTolerance = 1e-4

    /// Float32 arithmetic end to end (llama.cpp with an F32 KV cache, Hearth's fast path on F32
    /// weights) lands within ~2e-7 · max |logit| of fp64 on these models. Below this floor, "no farther
    /// from fp64 than llama.cpp" would compare rounding noise with rounding noise, so the fast path
    /// may always be this far off even where llama.cpp happens to be closer.
    static let float32RelativeFloor = 1e-5

    private func load(_ name: String) throws -> (Fixture, LanguageModel) {
        let directory = "Fixtures/synthetic/\(name)"
        guard let json = Bundle.module.url(forResource: directory, withExtension: "json"),
              let bin = Bundle.module.url(forResource: directory, withExtension: "bin") else {
            XCTFail("missing synthetic fixture \(name) (scripts/reference/make_synthetic_fixtures.py)")
            throw XCTSkip("no fixture \(name)")
        }
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: json))
        return (fixture, try LanguageModel(url: bin))
    }

    /// Largest and mean |engine − fp64| over every logit of every position.
    private func errors(_ rows: [[Float]], against fp64: [[Double]]) -> (max: Double, mean: Double) {
        var worst = 0.0, sum = 0.0, count = 0
        for (row, expected) in zip(rows, fp64) {
            for (value, reference) in zip(row, expected) {
                let d = abs(Double(value) - reference)
                worst = max(worst, d)
                sum += d
                count += 1
            }
        }
        return (worst, sum / Double(max(count, 1)))
    }

    private func argmax<T: Comparable>(_ row: [T]) -> Int { row.indices.max { row[$0] < row[$1] }! }

    func testFixturesDescribeTheVariantsTheyClaim() throws {
        let expectations: [String: (String, (ModelConfig) -> Bool)] = [
            "llama31-rope-freqs": ("llama", { $0.ropeFrequencyFactors != nil && $0.ropeScale == 1 }),
            "llama-linear-rope": ("llama", { $0.ropeScale == 4 && $0.ropeFrequencyFactors == nil }),
            "qwen3": ("qwen3", { $0.block.attention.headNorms != nil && $0.headSize * $0.headCount != $0.embeddingLength }),
            "qwen3-q8_0": ("qwen3", { $0.block.attention.headNorms != nil && $0.ropeStyle == .halves }),
        ]
        for name in Self.fixtureNames {
            let (fixture, model) = try load(name)
            let (architecture, check) = try XCTUnwrap(expectations[name])
            XCTAssertEqual(model.config.architecture, architecture, name)
            XCTAssertEqual(fixture.architecture, architecture, name)
            XCTAssertTrue(check(model.config), "\(name): \(model.config)")
            XCTAssertEqual(fixture.fp64_logits.count, fixture.tokens.count, name)
            XCTAssertTrue(fixture.fp64_logits.allSatisfy { $0.count == model.config.vocabularySize }, name)
        }
    }

    /// Linear RoPE scaling decoded as llama.cpp decodes it (llama_model::load_hparams, llama_context):
    /// an absent `rope.scaling.type` means "linear", "none" never scales, a factor of 0 means none, and
    /// the older key `rope.scale_linear` stands in for `rope.scaling.factor`. (The fixture
    /// llama-linear-rope checks the arithmetic; this checks which files get it.)
    func testRopeScalingIsDecodedAsLlamaCppDecodesIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-rope-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(String, [String: GGUFValue], Double)] = [
            ("no keys", [:], 1),
            ("factor, no type", ["llama.rope.scaling.factor": .float32(4)], 4),
            ("linear", ["llama.rope.scaling.type": .string("linear"), "llama.rope.scaling.factor": .float32(4)], 4),
            ("none", ["llama.rope.scaling.type": .string("none"), "llama.rope.scaling.factor": .float32(4)], 1),
            ("factor 0", ["llama.rope.scaling.factor": .float32(0)], 1),
            ("older key", ["llama.rope.scale_linear": .float32(2)], 2),
        ]
        for (index, (label, overrides, expected)) in cases.enumerated() {
            let url = directory.appendingPathComponent("\(index).gguf")
            try TinyModel().write(to: url, overrides: overrides)
            XCTAssertEqual(try LanguageModel(url: url).config.ropeScale, expected, label)
        }
        let negative = directory.appendingPathComponent("negative.gguf")
        try TinyModel().write(to: negative, overrides: ["llama.rope.scaling.factor": .float32(-2)])
        XCTAssertThrowsError(try LanguageModel(url: negative))
    }

    /// ReferenceModel, one token at a time, against fp64 at every position.
    func testScalarPathMatchesFP64() throws {
        for name in Self.fixtureNames {
            let (fixture, model) = try load(name)
            let reference = try ReferenceModel(model: model)
            let rows = fixture.tokens.map { reference.step($0) }
            let scale = max(1, fixture.fp64_logits.joined().map(abs).max()!)
            let error = errors(rows, against: fixture.fp64_logits)
            XCTAssertLessThanOrEqual(error.max, Self.scalarRelativeTolerance * scale,
                                     "\(name): scalar path max |Δ| \(error.max) (max |logit| \(scale))")
            for (position, row) in rows.enumerated() {
                XCTAssertEqual(argmax(row), argmax(fixture.fp64_logits[position]), "\(name) position \(position)")
            }
            print("\(name): scalar path max |Δ| \(error.max) mean \(error.mean) (max |logit| \(scale))")
        }
    }

    /// InferenceContext over the whole sequence (in chunks, two threads) against fp64: no farther from
    /// it than llama.cpp is, in the largest and the mean |Δ|, or within the float32 floor above; and
    /// the same top-1 token at every position.
    func testFastPathIsNoFartherFromFP64ThanLlamaCpp() throws {
        for name in Self.fixtureNames {
            let (fixture, model) = try load(name)
            let context = model.makeContext(contextLength: 64, threads: 2, batchSize: 16)
            let flat = try context.evaluateAll(fixture.tokens)
            let v = model.config.vocabularySize
            let rows = (0..<fixture.tokens.count).map { Array(flat[($0 * v)..<(($0 + 1) * v)]) }
            let scale = max(1, fixture.fp64_logits.joined().map(abs).max()!)
            let floor = Self.float32RelativeFloor * scale
            let hearth = errors(rows, against: fixture.fp64_logits)
            let llamaCpp = errors(fixture.llamacpp_logits.map { $0.map(Float.init) }, against: fixture.fp64_logits)
            XCTAssertEqual(llamaCpp.max, fixture.llamacpp.max_abs_error, accuracy: 1e-6 * scale, name)
            XCTAssertLessThanOrEqual(hearth.max, max(llamaCpp.max, floor),
                                     "\(name): fast max |Δ| \(hearth.max), llama.cpp \(llamaCpp.max)")
            XCTAssertLessThanOrEqual(hearth.mean, max(llamaCpp.mean, floor),
                                     "\(name): fast mean |Δ| \(hearth.mean), llama.cpp \(llamaCpp.mean)")
            for (position, row) in rows.enumerated() {
                XCTAssertEqual(argmax(row), argmax(fixture.fp64_logits[position]), "\(name) position \(position)")
            }
            print("\(name): fast path max |Δ| \(hearth.max) mean \(hearth.mean); llama.cpp max \(llamaCpp.max) mean \(llamaCpp.mean)")
        }
    }
}
