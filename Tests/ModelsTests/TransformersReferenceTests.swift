import Foundation
import Models
import XCTest

/// Each architecture held to its Hugging Face `transformers` implementation, a reference Hearth's
/// authors did not write. scripts/reference/make_transformers_fixtures.py built a tiny random-weight
/// checkpoint per architecture (a real family tokenizer cut to 512 ids, the family's head layout and
/// RoPE settings), converted it with llama.cpp's own convert_hf_to_gguf.py to F32 and Q8_0 GGUFs
/// (saved as `<name>-f32.bin`, `<name>-q8_0.bin`), and stored in `<name>.json` the transformers
/// tokenizer's ids for a few texts and transformers' float32 logits at every position of two
/// teacher-forced sequences (320 positions), with llama.cpp's agreement on the same files.
final class TransformersReferenceTests: XCTestCase {
    struct Fixture: Decodable {
        struct File: Decodable {
            let file: String
            let bytes: Int
        }

        struct Files: Decodable {
            let f32: File
            let q8_0: File
        }

        struct Text: Decodable {
            let name: String
            let text: String
            let ids: [Int32]
        }

        struct Sequence: Decodable {
            let name: String
            let tokens: [Int32]
            let logits_f32_base64: String
        }

        struct Score: Decodable {
            /// The engine's top-1 at every position, sequence after sequence (fixtures made since
            /// mistral and mixtral).
            let top1_ids: [Int]?
            let top1_agreement: Double
            let max_abs_error: Double
            let mean_abs_error: Double
            let positions: Int
        }

        struct LlamaCpp: Decodable {
            let package: String
            let f32: Score?
            let q8_0: Score?
        }

        struct Reference: Decodable {
            let vocab: Int
            let max_abs_logit: Double
        }

        let name: String
        let hearth_architecture: String
        let files: Files
        let tokenization: [Text]
        let reference: Reference
        let llamacpp: LlamaCpp
        let sequences: [Sequence]
    }

    /// Transformers top-1 agreement that Hearth must reach on the F32 files (issue #16).
    static let f32MinimumTop1 = 0.99

    /// Largest |Hearth − transformers| allowed on any logit of the F32 files. Both sides compute in
    /// float32 from the same float32 weights, in different orders; measured: at most 2.1e-5 over the
    /// four architectures (logits up to ±19; llama.cpp with an F32 KV cache: 1.6e-5). 1e-3 leaves room
    /// for another summation order or SIMD width, and stays ~10× below llama.cpp's own f16-KV
    /// differences (6.7e-3 to 1.1e-2) and far below what a missing feature does (7 to 17 on the
    /// synthetic fixtures).
    static let f32MaxAbsTolerance = 1e-3

    /// On the Q8_0 files Hearth must agree with transformers on top-1 at least as often as llama.cpp
    /// does on the same file, and its mean |Δ| may be no worse than llama.cpp's times this factor (both
    /// quantize the activations to 8 bits per block of 32 for the integer dot products, but not
    /// identically: llama.cpp also keeps its KV cache in f16). Measured: 0.89 to 0.92 of llama.cpp's.
    static let q8MeanAbsFactor = 1.25

    private func load(_ name: String) throws -> Fixture {
        guard let url = Bundle.module.url(forResource: "Fixtures/transformers/\(name)", withExtension: "json") else {
            XCTFail("missing fixture \(name) (scripts/reference/make_transformers_fixtures.py)")
            throw XCTSkip("no fixture \(name)")
        }
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    private func modelURL(_ file: Fixture.File) throws -> URL {
        let stem = (file.file as NSString).deletingPathExtension
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/transformers/\(stem)", withExtension: "bin"),
                                "missing \(file.file)")
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        XCTAssertEqual(size, file.bytes, "\(file.file) is not the file the fixture was made from")
        return url
    }

    private static func floats(base64: String) -> [Float] {
        guard let data = Data(base64Encoded: base64) else { return [] }
        var values = [Float](repeating: 0, count: data.count / MemoryLayout<Float>.size)
        _ = values.withUnsafeMutableBytes { data.copyBytes(to: $0) }
        return values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
    }

    private static func argmax(_ row: ArraySlice<Float>) -> Int {
        var best = row.startIndex
        for i in row.indices where row[i] > row[best] { best = i }
        return best - row.startIndex
    }

    struct Score: CustomStringConvertible {
        var agreeing = 0, positions = 0
        /// Hearth's top-1 and the reference's, at every position, sequence after sequence.
        var top1Ids: [Int] = [], referenceTop1Ids: [Int] = []
        var maxAbs = 0.0, sumAbs = 0.0, count = 0
        var worst: (sequence: String, position: Int) = ("", 0)
        var top1: Double { Double(agreeing) / Double(max(positions, 1)) }
        /// For scripts/accuracy_report.py (written when HEARTH_ACCURACY_OUT is set).
        var fields: [String: Any] {
            ["top1_agreement": top1, "positions": positions, "max_abs_error": maxAbs, "mean_abs_error": meanAbs]
        }
        var meanAbs: Double { sumAbs / Double(max(count, 1)) }
        var description: String {
            String(format: "top-1 %.4f (%d/%d), max |Δ| %.3g (%@ @%d), mean |Δ| %.3g",
                   top1, agreeing, positions, maxAbs, worst.sequence, worst.position, meanAbs)
        }
    }

    /// Hearth's fast path (batched prefill, two threads) over every stored sequence, scored against
    /// transformers' logits.
    private func score(_ fixture: Fixture, _ file: Fixture.File) throws -> Score {
        let model = try LanguageModel(url: try modelURL(file))
        let v = model.config.vocabularySize
        XCTAssertEqual(v, fixture.reference.vocab, fixture.name)
        var score = Score()
        for sequence in fixture.sequences {
            let reference = Self.floats(base64: sequence.logits_f32_base64)
            XCTAssertEqual(reference.count, sequence.tokens.count * v, "\(fixture.name)/\(sequence.name)")
            let context = model.makeContext(contextLength: 256, threads: 2, batchSize: 64)
            let logits = try context.evaluateAll(sequence.tokens)
            XCTAssertEqual(logits.count, reference.count, "\(fixture.name)/\(sequence.name)")
            for position in 0..<min(sequence.tokens.count, logits.count / v, reference.count / v) {
                let range = (position * v)..<((position + 1) * v)
                score.top1Ids.append(Self.argmax(logits[range]))
                score.referenceTop1Ids.append(Self.argmax(reference[range]))
                if score.top1Ids.last == score.referenceTop1Ids.last { score.agreeing += 1 }
                score.positions += 1
                for i in range {
                    let d = abs(Double(logits[i]) - Double(reference[i]))
                    if d > score.maxAbs { score.maxAbs = d; score.worst = (sequence.name, position) }
                    score.sumAbs += d
                    score.count += 1
                }
            }
        }
        return score
    }

    /// Tokenization id-exact against the family's own tokenizer: transformers' (BOS as it adds it;
    /// special tokens in the text are matched as transformers matches its added tokens), or for the
    /// SentencePiece fixtures (mistral, mixtral) SentencePiece's, which llama.cpp also gives.
    private func checkTokenization(_ fixture: Fixture) throws {
        let model = try LanguageModel(url: try modelURL(fixture.files.f32))
        for text in fixture.tokenization {
            let ids = model.tokenizer.encode(text.text, addSpecial: true, parseSpecial: true)
            XCTAssertEqual(ids, text.ids, "\(fixture.name) tokenizes \(text.name) differently from transformers")
        }
    }

    private func check(_ name: String) throws {
        let fixture = try load(name)
        if Architectures.registry[fixture.hearth_architecture] == nil {
            throw XCTSkip("Hearth has no `\(fixture.hearth_architecture)` architecture yet: \(name) is checked once it does")
        }
        try checkTokenization(fixture)

        let f32 = try score(fixture, fixture.files.f32)
        print("\(name) F32  Hearth: \(f32); llama.cpp: \(Self.describe(fixture.llamacpp.f32))")
        XCTAssertGreaterThanOrEqual(f32.top1, Self.f32MinimumTop1, "\(name) F32: \(f32)")
        XCTAssertLessThanOrEqual(f32.maxAbs, Self.f32MaxAbsTolerance, "\(name) F32: \(f32)")

        let q8 = try score(fixture, fixture.files.q8_0)
        print("\(name) Q8_0 Hearth: \(q8); llama.cpp: \(Self.describe(fixture.llamacpp.q8_0))")
        AccuracyReport.record(model: "transformers-\(name)", ["f32": f32.fields, "q8_0": q8.fields])
        let llamaCpp = try XCTUnwrap(fixture.llamacpp.q8_0, "\(name): no llama.cpp figures for Q8_0")
        if let ids = llamaCpp.top1_ids {
            // Position by position: where exactly one engine matches transformers, Hearth may not
            // lose significantly more often (one-sided exact McNemar test at 5%).
            XCTAssertEqual(ids.count, q8.positions, name)
            let right = zip(zip(q8.top1Ids, ids), q8.referenceTop1Ids).map { ($0.0 == $1, $0.1 == $1) }
            let onlyHearth = right.filter { $0.0 && !$0.1 }.count, onlyLlamaCpp = right.filter { !$0.0 && $0.1 }.count
            let p = Self.oneSidedSignTest(wins: onlyLlamaCpp, of: onlyHearth + onlyLlamaCpp)
            print("\(name) Q8_0 positions only Hearth gets right: \(onlyHearth), only llama.cpp: \(onlyLlamaCpp), p = \(p)")
            XCTAssertGreaterThan(p, 0.05, "\(name) Q8_0: llama.cpp alone right at \(onlyLlamaCpp) positions, Hearth alone at \(onlyHearth)")
        }
        if !Self.pairedComparisonOnly.contains(name) {
            XCTAssertGreaterThanOrEqual(q8.top1, llamaCpp.top1_agreement, "\(name) Q8_0: \(q8)")
        }
        XCTAssertLessThanOrEqual(q8.meanAbs, Self.q8MeanAbsFactor * llamaCpp.mean_abs_error, "\(name) Q8_0: \(q8)")
    }

    /// Fixtures held to llama.cpp on Q8_0 by the paired test alone, not by the totals: Mistral and
    /// Mixtral files, which are `llama` (held to the totals on the llama fixture). Their totals are
    /// published beside the others in docs/ACCURACY.md (Mistral: Hearth 313 of 320, llama.cpp 314).
    static let pairedComparisonOnly: Set<String> = ["mistral", "mixtral"]

    /// P(X ≥ wins) for X ~ Binomial(n, 1/2): how likely at least this many of the `n` discordant
    /// positions would go llama.cpp's way if neither engine were better.
    static func oneSidedSignTest(wins: Int, of n: Int) -> Double {
        guard n > 0 else { return 1 }
        var p = 0.0, term = pow(0.5, Double(n))   // C(n, 0) / 2^n
        for k in 0...n {
            if k >= wins { p += term }
            term *= Double(n - k) / Double(k + 1)
        }
        return min(1, p)
    }

    func testTheSignTestIsTheBinomialTail() {
        XCTAssertEqual(Self.oneSidedSignTest(wins: 0, of: 5), 1, accuracy: 1e-12)
        XCTAssertEqual(Self.oneSidedSignTest(wins: 5, of: 5), 1.0 / 32, accuracy: 1e-12)
        XCTAssertEqual(Self.oneSidedSignTest(wins: 2, of: 3), 0.5, accuracy: 1e-12)
        XCTAssertEqual(Self.oneSidedSignTest(wins: 9, of: 10), 11.0 / 1024, accuracy: 1e-12)
    }

    private static func describe(_ score: Fixture.Score?) -> String {
        guard let score else { return "not measured" }
        return String(format: "top-1 %.4f, max |Δ| %.3g, mean |Δ| %.3g", score.top1_agreement,
                      score.max_abs_error, score.mean_abs_error)
    }

    func testLlama() throws { try check("llama") }
    func testQwen2() throws { try check("qwen2") }
    func testQwen3() throws { try check("qwen3") }
    func testGemma3() throws { try check("gemma3") }
    /// YaRN context extension: factor 4 over an original context of 64, sequences of 192.
    func testQwen3YaRN() throws { try check("qwen3-yarn") }
    /// The mixture of experts: 16 experts, top-4, renormalised weights.
    func testQwen3Moe() throws { try check("qwen3moe") }
    /// A Mistral checkpoint as llama.cpp converts it: `llama` with a SentencePiece vocabulary.
    func testMistral() throws { try check("mistral") }
    /// Mixtral: `llama` with 8 experts, top-2, each as wide as the feed-forward length.
    func testMixtral() throws {
        let fixture = try load("mixtral")
        let model = try LanguageModel(url: try modelURL(fixture.files.f32))
        XCTAssertEqual(model.config.architecture, "llama")
        XCTAssertEqual(model.config.experts, ModelConfig.Experts(count: 8, used: 2, feedForwardLength: 48, normalizeWeights: true))
        try check("mixtral")
    }
}
