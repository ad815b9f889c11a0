import Foundation
import GGUF
import Models
import Tokenizers
import XCTest
@testable import FuzzTargets
import TestSupport

/// Replays every committed fuzz input through its target: the seeds (Fuzz/corpus/TARGET) and the
/// inputs that once crashed or broke an invariant (Fuzz/regressions/TARGET, named for what they
/// found). A target traps on failure, so a regression fails the whole test run loudly.
final class CorpusReplayTests: XCTestCase {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func inputs(_ target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        var found: [(String, [UInt8])] = []
        for folder in ["corpus", "regressions"] {
            let directory = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { continue }
            for name in names.sorted() where !name.hasPrefix(".") {
                found.append(("\(folder)/\(target.rawValue)/\(name)", Array(try Data(contentsOf: directory.appendingPathComponent(name)))))
            }
        }
        return found
    }

    func replay(_ target: FuzzTarget, minimumSeeds: Int) throws {
        let inputs = try Self.inputs(target)
        XCTAssertGreaterThanOrEqual(inputs.count, minimumSeeds, "the \(target) corpus is missing")
        for input in inputs { target.run(input.bytes) }
    }

    func testGGUF() throws { try replay(.gguf, minimumSeeds: 6) }
    func testTemplate() throws { try replay(.template, minimumSeeds: 100) }
    func testJSON() throws { try replay(.json, minimumSeeds: 10) }
    func testSchema() throws { try replay(.schema, minimumSeeds: 10) }
    func testRequest() throws { try replay(.request, minimumSeeds: 5) }

    /// The tokenizer inputs through each catalog model's tokenizer (two byte-level BPE, one SentencePiece).
    func testTokenizers() throws {
        let inputs = try Self.inputs(.tokenizer)
        XCTAssertGreaterThanOrEqual(inputs.count, 30)
        for model in [TestModels.smolLM2, TestModels.qwen25Coder, TestModels.gemma3] {
            let tokenizer = try Tokenizer(url: try TestModels.url(model))
            for input in inputs { input.bytes.withUnsafeBytes { TokenizerFuzzing.run($0, tokenizer: tokenizer) } }
        }
    }

    /// The GGUF seeds were written by llama.cpp's `gguf` package; each must load as a model, or
    /// the fuzzer would start from files the loader refuses.
    func testGGUFSeedsLoad() throws {
        let seeds = try Self.inputs(.gguf).filter { $0.name.hasPrefix("corpus/") }
        XCTAssertGreaterThanOrEqual(seeds.count, 6)
        var architectures: Set<String> = []
        for seed in seeds {
            let model = try LanguageModel(file: GGUFFile(bytes: seed.bytes), url: URL(fileURLWithPath: seed.name))
            architectures.insert(model.file.metadata.string("general.architecture") ?? "")
        }
        XCTAssertEqual(architectures, ["llama", "qwen2", "qwen3", "gemma3"])
    }
}

final class GGUFFieldMutatorTests: XCTestCase {
    /// The scan finds the header's counts where the format puts them, and follows the whole layout
    /// to the tensor table's last field (a tensor's offset, 8 bytes).
    func testScanFollowsTheLayout() throws {
        let seed = try XCTUnwrap(CorpusReplayTests.inputs(.gguf).first { $0.name.hasPrefix("corpus/") })
        let file = try GGUFFile(bytes: seed.bytes)
        let fields = seed.bytes.withUnsafeBytes { GGUFFieldMutator.fields(of: $0) }
        XCTAssertEqual(fields.prefix(3).map(\.offset), [4, 8, 16])
        XCTAssertEqual(fields.prefix(3).map(\.width), [4, 8, 8])
        let last = try XCTUnwrap(fields.last)
        XCTAssertEqual(last.width, 8)
        XCTAssertLessThanOrEqual(last.offset + 8, file.dataOffset)
        // Per tensor: name length, dimension count, the dimensions, type, offset.
        let tensorFields = file.tensors.reduce(0) { $0 + 4 + $1.dimensions.count }
        XCTAssertEqual(fields.filter { !$0.inArray }.count >= tensorFields + 3, true)
    }

    /// A structural mutation rewrites one field and nothing else; the size never changes.
    func testMutationChangesOneFieldInPlace() throws {
        let seed = try XCTUnwrap(CorpusReplayTests.inputs(.gguf).first { $0.name.hasPrefix("corpus/") }).bytes
        var structural = 0
        for round in 0..<200 {
            var bytes = seed
            var fellBack = false
            let size = bytes.withUnsafeMutableBufferPointer { buffer in
                GGUFFieldMutator.mutate(buffer.baseAddress!, size: buffer.count, maxSize: buffer.count, seed: UInt32(round)) { _, size, _ in
                    fellBack = true
                    return size
                }
            }
            XCTAssertEqual(size, seed.count)
            if fellBack { continue }
            structural += 1
            let changed = zip(seed, bytes).enumerated().filter { $1.0 != $1.1 }.map(\.offset)
            if let first = changed.first, let last = changed.last { XCTAssertLessThan(last - first, 8, "round \(round)") }
        }
        XCTAssertGreaterThan(structural, 100)
    }
}
