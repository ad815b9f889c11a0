import Foundation
import XCTest
@testable import GGUF
#if canImport(Glibc)
import Glibc
#endif

/// Builds GGUF bytes field by field, including malformed ones the writer refuses to make.
struct RawGGUF {
    var bytes: [UInt8] = []

    /// Magic, version and the two counts.
    init(version: UInt32 = 3, tensorCount: UInt64, entryCount: UInt64) {
        bytes += Array("GGUF".utf8)
        u32(version)
        u64(tensorCount)
        u64(entryCount)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    mutating func rawString(_ utf8: [UInt8]) { u64(UInt64(utf8.count)); bytes += utf8 }
    mutating func string(_ text: String) { rawString(Array(text.utf8)) }

    /// A metadata entry: key, raw value type, and the value's bytes as given.
    mutating func entry(_ key: String, type: UInt32, _ payload: (inout RawGGUF) -> Void) {
        string(key)
        u32(type)
        payload(&self)
    }

    mutating func entryU32(_ key: String, _ value: UInt32) { entry(key, type: 4) { $0.u32(value) } }

    /// A tensor info with raw dimensions, type and offset.
    mutating func tensorInfo(_ name: String, dimensions: [UInt64], type: UInt32, offset: UInt64) {
        string(name)
        u32(UInt32(dimensions.count))
        for dimension in dimensions { u64(dimension) }
        u32(type)
        u64(offset)
    }

    /// Pads to `alignment` and appends `dataBytes` zero bytes of tensor data.
    mutating func data(alignment: Int = 32, dataBytes: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
        bytes += [UInt8](repeating: 0, count: dataBytes)
    }
}

/// Runs `body` and returns the `GGUFError` it throws; fails the test when it succeeds or throws another error.
func expectGGUFError<T>(
    _ body: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line
) -> GGUFError? {
    do {
        _ = try body()
        XCTFail("expected a GGUFError, but it succeeded", file: file, line: line)
    } catch let error as GGUFError {
        return error
    } catch {
        XCTFail("expected a GGUFError, got \(error)", file: file, line: line)
    }
    return nil
}

/// FNV-1a 64, the hash the fixture script uses (make_fixtures.py).
struct FNV1a64 {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
    }

    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var hash = FNV1a64()
        hash.add(bytes)
        return hash.hex
    }
}

/// SplitMix64: a small seeded generator, so every fuzz run tries the same inputs.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The process's peak resident memory so far, in bytes.
func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss * 1024  // Linux reports kilobytes
}

/// A writer-built model with every metadata value type, nested arrays and tensors of several types:
/// the small file the round-trip and corruption tests share.
func makeSampleWriter(version: UInt32 = 3, alignment: Int = 32) throws -> GGUFWriter {
    var writer = GGUFWriter(version: version, alignment: alignment)
    writer.set("general.architecture", .string("llama"))
    writer.set("general.name", .string("tiny test model"))
    writer.set("t.u8", .uint8(250))
    writer.set("t.i8", .int8(-5))
    writer.set("t.u16", .uint16(65000))
    writer.set("t.i16", .int16(-32000))
    writer.set("t.u32", .uint32(4_000_000_000))
    writer.set("t.i32", .int32(-2_000_000_000))
    writer.set("t.f32", .float32(1.5e-5))
    writer.set("t.u64", .uint64(UInt64.max))
    writer.set("t.i64", .int64(Int64.min))
    writer.set("t.f64", .float64(-0.1))
    writer.set("t.bool", .bool(true))
    writer.set("t.string", .string("héllo 世界 🔥\n\"quoted\""))
    writer.set("tokenizer.ggml.tokens", .array(.string(["<unk>", "<s>", "</s>", "a", "b", "ab", ""])))
    writer.set("tokenizer.ggml.scores", .array(.float32([0, 0, 0, -1, -2, -0.5, -9])))
    writer.set("tokenizer.ggml.token_type", .array(.int32([2, 3, 3, 1, 1, 1, 1])))
    writer.set("t.array.u8", .array(.uint8([0, 1, 255])))
    writer.set("t.array.bool", .array(.bool([true, false])))
    writer.set("t.array.u64", .array(.uint64([1, UInt64.max])))
    writer.set("t.array.f64", .array(.float64([0.25, -1e300])))
    writer.set("t.array.nested", .array(.array([.int16([1, -2]), .string(["x"]), .array([.bool([true])]), .uint32([])])))
    writer.set("t.array.empty", .array(.float32([])))

    try writer.addTensor(name: "token_embd.weight", dimensions: [4, 7], floats: (0..<28).map { Float($0) * 0.5 })
    try writer.addTensor(name: "output_norm.weight", dimensions: [4], floats: [1, 2, 3, 4])
    try writer.addTensor(
        name: "blk.0.attn_q.weight", type: .q8_0, dimensions: [32, 2],
        bytes: (0..<68).map { UInt8(truncatingIfNeeded: $0 &* 37) })
    try writer.addTensor(
        name: "blk.0.ffn_down.weight", type: .q4_K, dimensions: [256],
        bytes: (0..<144).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ 3) })
    try writer.addTensor(name: "scalar", type: .f16, dimensions: [], bytes: [0x00, 0x3C])
    return writer
}
