import Foundation
import GGUF
import TestSupport
import XCTest
@testable import Tokenizers

/// The committed corpus and llama.cpp's answers for it (scripts/make_tokenizer_fixtures.py).
struct CorpusEntry: Decodable {
    let name: String
    let hex: String
    var bytes: [UInt8] { Hex.decode(hex) }
}

struct Corpus: Decodable {
    let strings: [CorpusEntry]
}

struct ExpectedCase: Decodable {
    let name: String
    let plain: [Int32]
    let special: [Int32]
    let add_special: [Int32]
    let decode_plain: String
    let decode_special: String
    let decode_add_special_removed: String
}

/// A long repetitive input and a digest of llama.cpp's ids for it (add_special, parse_special).
struct ExpectedHostile: Decodable {
    let name: String
    let pattern: String
    let `repeat`: Int
    let count: Int
    let fnv1a64: String
    let head: [Int32]
}

struct ExpectedModel: Decodable {
    let model: String
    let vocab_size: Int
    let bos: Int32?
    let eos: Int32?
    let add_bos: Bool
    let add_eos: Bool
    let eog: [Int32]
    let attr_runs: [[Int]]
    let pieces_fnv1a64_special: String
    let pieces_fnv1a64_plain: String
    let pieces_sample: [String: String]?
    let cases: [ExpectedCase]
    let hostile: [ExpectedHostile]?
    // Variants only: the catalog model whose metadata they change, and how.
    let source: String?
    let set: [String: OverrideValue]?
    let drop: [String]?
}

/// A metadata value a variant sets: the fixture script writes strings and booleans.
enum OverrideValue: Decodable {
    case string(String)
    case bool(Bool)

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .bool(value) } else { self = .string(try container.decode(String.self)) }
    }

    var ggufValue: GGUFValue {
        switch self {
        case .string(let value): return .string(value)
        case .bool(let value): return .bool(value)
        }
    }
}

enum Hex {
    static func decode(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        precondition(digits.count % 2 == 0, "odd hex length")
        func value(_ c: UInt8) -> UInt8 {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: preconditionFailure("bad hex digit")
            }
        }
        return stride(from: 0, to: digits.count, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
    }

    static func encode(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

enum Fixtures {
    static var directory: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONDecoder().decode(T.self, from: data)
    }

    static let corpus: Corpus = try! load("tokenizer_corpus.json", as: Corpus.self)

    static func expected(_ model: String) throws -> ExpectedModel {
        try load("tokenizer_expected_\(model).json", as: ExpectedModel.self)
    }
}

/// Tokenizers of the catalog models, loaded once per test process (Gemma's vocabulary is 262,144
/// tokens). Skips the test when the model file is absent (fails under HEARTH_REQUIRE_MODELS=1).
enum ModelTokenizers {
    static let catalogNames = ["smollm2-135m-instruct", "gemma3-270m", "qwen2.5-coder-0.5b-instruct"]

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Tokenizer] = [:]

    static func tokenizer(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Tokenizer {
        let url = try TestModels.url(name, file: file, line: line)
        lock.lock()
        defer { lock.unlock() }
        if let cached = cache[name] { return cached }
        let tokenizer = try Tokenizer(url: url)
        cache[name] = tokenizer
        return tokenizer
    }

    /// A catalog model's metadata with keys changed and removed, as a fixture variant describes.
    static func variant(_ expected: ExpectedModel, file: StaticString = #filePath, line: UInt = #line) throws -> Tokenizer {
        let source = try XCTUnwrap(expected.source)
        let url = try TestModels.url(source, file: file, line: line)
        let metadata = try GGUFFile(url: url).metadata
        let overrides = expected.set ?? [:]
        let dropped = Set(expected.drop ?? []).union(overrides.keys)
        var entries = metadata.entries.filter { !dropped.contains($0.key) }
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) { entries.append((key, value.ggufValue)) }
        return try Tokenizer(metadata: GGUFMetadata(entries))
    }
}

/// 64-bit FNV-1a, the digest the fixture script records over every token's piece.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    }

    var hex: String { String(format: "%016llx", value) }
}

/// Builds GGUF metadata for a small hand-made vocabulary.
enum SyntheticVocabulary {
    static func metadata(
        model: String, pre: String? = nil, tokens: [String], types: [Int32]? = nil, scores: [Float]? = nil,
        merges: [String]? = nil, extra: [(String, GGUFValue)] = []
    ) -> GGUFMetadata {
        var entries: [(key: String, value: GGUFValue)] = [("tokenizer.ggml.model", .string(model))]
        if let pre { entries.append(("tokenizer.ggml.pre", .string(pre))) }
        entries.append(("tokenizer.ggml.tokens", .array(.string(tokens))))
        if let types { entries.append(("tokenizer.ggml.token_type", .array(.int32(types)))) }
        if let scores { entries.append(("tokenizer.ggml.scores", .array(.float32(scores)))) }
        if let merges { entries.append(("tokenizer.ggml.merges", .array(.string(merges)))) }
        for (key, value) in extra { entries.append((key, value)) }
        return GGUFMetadata(entries)
    }

    /// The 256 single-byte tokens of GPT-2's alphabet, in byte order.
    static var byteLevelAlphabet: [String] {
        (0..<256).map { byte in
            String(String.UnicodeScalarView([Unicode.Scalar(ByteLevel.codepointForByte[byte])!]))
        }
    }
}
