import Foundation
import XCTest
import TestSupport
@testable import GGUF

/// The reader against gguf-py, the reference implementation: a file written by gguf-py's writer, and
/// the three real models, each compared with what gguf-py's reader saw (Fixtures/make_fixtures.py).
final class ReferenceTests: XCTestCase {
    // MARK: The gguf-py-written file

    func testReadsFileWrittenByGGUFPy() throws {
        let url = try fixtureURL("gguf-py-all-types", "bin")
        let file = try GGUFFile(url: url)
        try compare(file, with: reference().allTypes, label: "gguf-py-all-types")

        let m = file.metadata
        XCTAssertEqual(file.alignment, 64)
        XCTAssertEqual(m["t.u8"], .uint8(200))
        XCTAssertEqual(m["t.i8"], .int8(-100))
        XCTAssertEqual(m["t.u16"], .uint16(60000))
        XCTAssertEqual(m["t.i16"], .int16(-30000))
        XCTAssertEqual(m["t.u32"], .uint32(4_000_000_000))
        XCTAssertEqual(m["t.i32"], .int32(-2_000_000_000))
        XCTAssertEqual(m["t.f32"], .float32(0.1))
        XCTAssertEqual(m["t.u64"], .uint64(18_000_000_000_000_000_000))
        XCTAssertEqual(m["t.i64"], .int64(-9_000_000_000_000_000_000))
        XCTAssertEqual(m["t.f64"], .float64(0.1))
        XCTAssertEqual(m["t.bool.true"], .bool(true))
        XCTAssertEqual(m["t.bool.false"], .bool(false))
        XCTAssertEqual(m["t.string"], .string("héllo, 世界 🔥"))
        XCTAssertEqual(m["t.string.empty"], .string(""))
        XCTAssertEqual(m.array("t.array.strings"), .string(["a", "", "ß", "<0x0A>"]))
        XCTAssertEqual(m.array("t.array.u64"), .uint64([0, UInt64.max]))
        XCTAssertEqual(m.array("t.array.nested"), .array([.int32([1, 2]), .int32([3]), .int32([4, 5, 6])]))
        XCTAssertEqual(m.array("t.array.nested.strings"), .array([.string(["x", "y"]), .string(["z"])]))
        let f32 = try XCTUnwrap(file.tensor(named: "f32.matrix"))
        XCTAssertEqual(f32.dimensions, [5, 3])
        XCTAssertEqual(file.tensor(named: "q4_k.row")?.type, .q4_K)
    }

    // MARK: Real models

    func testSmolLM2MatchesGGUFPy() throws {
        let file = try openAndCompare("smollm2-135m-instruct")
        XCTAssertEqual(file.tensors.count, 272)
        XCTAssertEqual(file.metadata.string("general.architecture"), "llama")
        XCTAssertEqual(file.metadata.string("tokenizer.ggml.pre"), "smollm")
        XCTAssertEqual(file.metadata.array("tokenizer.ggml.tokens")?.count, 49152)
        XCTAssertEqual(file.metadata.int("llama.block_count"), 30)
        XCTAssertEqual(file.metadata.int("llama.attention.head_count_kv"), 3)
        XCTAssertEqual(file.metadata["llama.rope.freq_base"], .float32(100_000))
        XCTAssertEqual(file.metadata["llama.attention.layer_norm_rms_epsilon"], .float32(1e-5))
        XCTAssertEqual(file.metadata.bool("tokenizer.ggml.add_bos_token"), false)
        let embedding = try XCTUnwrap(file.tensor(named: "token_embd.weight"))
        XCTAssertEqual(embedding.type, .q8_0)
        XCTAssertEqual(embedding.dimensions, [576, 49152])
        XCTAssertEqual(embedding.rowByteCount, 612)
        XCTAssertEqual(Set(file.tensors.map(\.type)), [.f32, .q4_1, .q8_0])
    }

    func testGemma3MatchesGGUFPy() throws {
        let file = try openAndCompare("gemma3-270m")
        XCTAssertEqual(file.tensors.count, 236)
        XCTAssertEqual(file.metadata.string("general.architecture"), "gemma3")
        XCTAssertEqual(file.metadata.string("tokenizer.ggml.model"), "llama")
        XCTAssertEqual(file.metadata.array("tokenizer.ggml.tokens")?.count, 262_144)
        XCTAssertEqual(file.metadata.array("tokenizer.ggml.scores")?.floats?.count, 262_144)
        XCTAssertEqual(file.metadata.int("gemma3.attention.sliding_window"), 512)
        XCTAssertEqual(Set(file.tensors.map(\.type)), [.f32, .q5_0, .q4_K, .q8_0, .q6_K])
    }

    func testQwen25CoderMatchesGGUFPy() throws {
        let file = try openAndCompare("qwen2.5-coder-0.5b-instruct")
        XCTAssertEqual(file.tensors.count, 291)
        XCTAssertEqual(file.metadata.string("general.architecture"), "qwen2")
        XCTAssertEqual(file.metadata.array("tokenizer.ggml.tokens")?.count, 151_936)
        XCTAssertEqual(file.metadata.array("tokenizer.ggml.merges")?.count, 151_387)
        XCTAssertEqual(file.metadata.int("tokenizer.ggml.eos_token_id"), 151_645)
        XCTAssertEqual(file.tensor(named: "output.weight")?.dimensions, [896, 151_936])
    }

    /// The writer encodes real models' metadata byte for byte as the files do (gguf-py wrote them).
    func testWriterReencodesRealMetadataByteForByte() throws {
        for model in ["smollm2-135m-instruct"] {
            let file = try GGUFFile(url: TestModels.url(model))
            var writer = GGUFWriter(version: file.version, alignment: file.alignment)
            for (key, value) in file.metadata.entries { writer.set(key, value) }
            let encoded = try writer.serialize()
            let metadata = 24..<(try GGUFParser.parse(file.bytes).tensorTableOffset)
            XCTAssertTrue(encoded[metadata].elementsEqual(file.bytes[metadata]), model)
        }
    }

    // MARK: Comparison

    private func openAndCompare(_ model: String) throws -> GGUFFile {
        let url = try TestModels.url(model)
        let file = try GGUFFile(url: url)
        let expected = try XCTUnwrap(reference().models[model], "no reference for \(model): run make_fixtures.py")
        try compare(file, with: expected, label: model)
        return file
    }

    private func compare(_ file: GGUFFile, with expected: ReferenceFile, label: String) throws {
        XCTAssertEqual(file.version, expected.version, label)
        XCTAssertEqual(file.dataOffset, expected.dataOffset, label)
        XCTAssertEqual(file.alignment, expected.alignment, label)
        XCTAssertEqual(file.fileSize, expected.fileSize, label)
        XCTAssertEqual(file.metadata.keys, expected.metadata.map(\.key), label)
        XCTAssertEqual(file.metadata.keysWithInvalidUTF8, [], label)
        for entry in expected.metadata {
            let value = try XCTUnwrap(file.metadata[entry.key], "\(label): \(entry.key)")
            let where_ = "\(label): \(entry.key)"
            XCTAssertEqual(Self.typeNames[entry.type], value.type, where_)
            if case .array(let array) = value {
                try compare(array, with: entry, where_)
            } else {
                XCTAssertTrue(Self.matches(try XCTUnwrap(entry.value, where_), Self.scalar(value)), "\(where_): \(value)")
            }
        }
        XCTAssertEqual(file.tensors.count, expected.tensors.count, label)
        for (tensor, reference) in zip(file.tensors, expected.tensors) {
            let where_ = "\(label): \(reference.name)"
            XCTAssertEqual(tensor.name, reference.name, where_)
            XCTAssertEqual(tensor.type.rawValue, reference.type, where_)
            XCTAssertEqual(tensor.dimensions, reference.dimensions, where_)
            XCTAssertEqual(tensor.offset, reference.offset, where_)
            XCTAssertEqual(tensor.byteCount, reference.byteCount, where_)
            let data = file.data(for: tensor)
            XCTAssertEqual(FNV1a64.hex(data.prefix(64)), reference.headHash, where_)
            XCTAssertEqual(FNV1a64.hex(data.suffix(64)), reference.tailHash, where_)
        }
    }

    private func compare(_ array: GGUFArray, with entry: ReferenceEntry, _ where_: String) throws {
        XCTAssertEqual(Self.typeNames[try XCTUnwrap(entry.elementType, where_)], array.elementType, where_)
        guard array.elementType != .array else { return }  // gguf-py flattens nested arrays; checked above
        XCTAssertEqual(array.count, entry.count, where_)
        let elements = Self.scalars(array)
        let first = Array(elements.prefix(3)), last = Array(elements.suffix(3))
        XCTAssertEqual(first.count, entry.first?.count, where_)
        XCTAssertEqual(last.count, entry.last?.count, where_)
        for (mine, theirs) in zip(first + last, (entry.first ?? []) + (entry.last ?? [])) {
            XCTAssertTrue(Self.matches(theirs, mine), "\(where_): \(mine) vs \(theirs)")
        }
        XCTAssertEqual(Self.hash(array), entry.hash, where_)
    }

    private static let typeNames: [String: GGUFValueType] = [
        "uint8": .uint8, "int8": .int8, "uint16": .uint16, "int16": .int16, "uint32": .uint32, "int32": .int32,
        "float32": .float32, "bool": .bool, "string": .string, "array": .array, "uint64": .uint64,
        "int64": .int64, "float64": .float64,
    ]

    /// FNV-1a of the raw little-endian elements, or of each string's bytes and a 0 (make_fixtures.py).
    private static func hash(_ array: GGUFArray) -> String {
        var hash = FNV1a64()
        func add<T>(_ values: [T]) { values.withUnsafeBytes { hash.add($0) } }
        switch array {
        case .uint8(let a): add(a)
        case .int8(let a): add(a)
        case .uint16(let a): add(a)
        case .int16(let a): add(a)
        case .uint32(let a): add(a)
        case .int32(let a): add(a)
        case .float32(let a): add(a)
        case .uint64(let a): add(a)
        case .int64(let a): add(a)
        case .float64(let a): add(a)
        case .bool(let a): add(a.map { UInt8($0 ? 1 : 0) })
        case .string(let a): for s in a { hash.add(s.utf8); hash.add([0]) }
        case .array: return "nested"
        }
        return hash.hex
    }

    /// The first and last three elements as JSON scalars (the whole array is never converted).
    private static func scalars(_ array: GGUFArray) -> [JSONScalar] {
        func ends<T>(_ a: [T], _ f: (T) -> JSONScalar) -> [JSONScalar] {
            a.count <= 6 ? a.map(f) : (a.prefix(3) + a.suffix(3)).map(f)
        }
        switch array {
        case .uint8(let a): return ends(a) { .int(Int64($0)) }
        case .int8(let a): return ends(a) { .int(Int64($0)) }
        case .uint16(let a): return ends(a) { .int(Int64($0)) }
        case .int16(let a): return ends(a) { .int(Int64($0)) }
        case .uint32(let a): return ends(a) { .int(Int64($0)) }
        case .int32(let a): return ends(a) { .int(Int64($0)) }
        case .uint64(let a): return ends(a) { Int64(exactly: $0).map(JSONScalar.int) ?? .uint($0) }
        case .int64(let a): return ends(a) { .int($0) }
        case .float32(let a): return ends(a) { .double(Double($0)) }
        case .float64(let a): return ends(a) { .double($0) }
        case .bool(let a): return ends(a) { .bool($0) }
        case .string(let a): return ends(a) { .string($0) }
        case .array: return []
        }
    }

    private static func scalar(_ value: GGUFValue) -> JSONScalar {
        switch value {
        case .bool(let v): return .bool(v)
        case .string(let v): return .string(v)
        case .float32(let v): return .double(Double(v))
        case .float64(let v): return .double(v)
        case .uint64(let v): return Int64(exactly: v).map(JSONScalar.int) ?? .uint(v)
        default: return .int(Int64(value.intValue!))
        }
    }

    /// Integers exactly; a float against anything numeric by value (JSON writes 3.0 as it likes).
    private static func matches(_ expected: JSONScalar, _ actual: JSONScalar) -> Bool {
        if expected == actual { return true }
        if let a = expected.number, let b = actual.number, expected.isDouble || actual.isDouble { return a == b }
        return false
    }

    // MARK: Fixtures

    private func fixtureURL(_ name: String, _ ext: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"),
                      "fixture \(name).\(ext) missing")
    }

    private func reference() throws -> ReferenceFixtures {
        if let cached = Self.cachedReference { return cached }
        let data = try Data(contentsOf: fixtureURL("gguf-py-reference", "json"))
        let decoded = try JSONDecoder().decode(ReferenceFixtures.self, from: data)
        Self.cachedReference = decoded
        return decoded
    }

    nonisolated(unsafe) private static var cachedReference: ReferenceFixtures?
}

// MARK: The fixture's JSON form

struct ReferenceFixtures: Decodable {
    var allTypes: ReferenceFile
    var models: [String: ReferenceFile]

    enum CodingKeys: String, CodingKey {
        case allTypes = "gguf-py-all-types"
        case models
    }
}

struct ReferenceFile: Decodable {
    var version: UInt32
    var dataOffset: Int
    var alignment: Int
    var fileSize: Int
    var metadata: [ReferenceEntry]
    var tensors: [ReferenceTensor]
}

struct ReferenceEntry: Decodable {
    var key: String
    var type: String
    var value: JSONScalar?
    var elementType: String?
    var count: Int?
    var first: [JSONScalar]?
    var last: [JSONScalar]?
    var hash: String?
}

struct ReferenceTensor: Decodable {
    var name: String
    var type: UInt32
    var dimensions: [Int]
    var offset: Int
    var byteCount: Int
    var headHash: String
    var tailHash: String
}

enum JSONScalar: Decodable, Equatable, CustomStringConvertible {
    case bool(Bool), int(Int64), uint(UInt64), double(Double), string(String)

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let v = try? container.decode(Bool.self) { self = .bool(v) }
        else if let v = try? container.decode(Int64.self) { self = .int(v) }
        else if let v = try? container.decode(UInt64.self) { self = .uint(v) }
        else if let v = try? container.decode(Double.self) { self = .double(v) }
        else { self = .string(try container.decode(String.self)) }
    }

    var number: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .uint(let v): return Double(v)
        case .double(let v): return v
        case .bool, .string: return nil
        }
    }

    var isDouble: Bool { if case .double = self { return true } else { return false } }

    var description: String {
        switch self {
        case .bool(let v): return "\(v)"
        case .int(let v): return "\(v)"
        case .uint(let v): return "\(v)"
        case .double(let v): return "\(v)"
        case .string(let v): return "\"\(v)\""
        }
    }
}
