import Foundation
import XCTest
@testable import GGUF

/// Writer → reader: every value type, nested arrays, both versions, several alignments.
final class RoundTripTests: XCTestCase {
    func testEveryValueTypeRoundTripsInBothVersions() throws {
        for version: UInt32 in [2, 3] {
            let writer = try makeSampleWriter(version: version)
            let file = try GGUFFile(bytes: writer.serialize())
            XCTAssertEqual(file.version, version)
            let m = file.metadata
            XCTAssertEqual(m.keys.first, "general.architecture")
            XCTAssertEqual(m.count, 23)
            XCTAssertEqual(m["t.u8"], .uint8(250))
            XCTAssertEqual(m["t.i8"], .int8(-5))
            XCTAssertEqual(m["t.u16"], .uint16(65000))
            XCTAssertEqual(m["t.i16"], .int16(-32000))
            XCTAssertEqual(m["t.u32"], .uint32(4_000_000_000))
            XCTAssertEqual(m["t.i32"], .int32(-2_000_000_000))
            XCTAssertEqual(m["t.f32"], .float32(1.5e-5))
            XCTAssertEqual(m["t.u64"], .uint64(UInt64.max))
            XCTAssertEqual(m["t.i64"], .int64(Int64.min))
            XCTAssertEqual(m["t.f64"], .float64(-0.1))
            XCTAssertEqual(m["t.bool"], .bool(true))
            XCTAssertEqual(m.string("t.string"), "héllo 世界 🔥\n\"quoted\"")
            XCTAssertEqual(m.array("tokenizer.ggml.tokens")?.strings, ["<unk>", "<s>", "</s>", "a", "b", "ab", ""])
            XCTAssertEqual(m.array("tokenizer.ggml.scores"), .float32([0, 0, 0, -1, -2, -0.5, -9]))
            XCTAssertEqual(m.array("tokenizer.ggml.token_type"), .int32([2, 3, 3, 1, 1, 1, 1]))
            XCTAssertEqual(m.array("t.array.u8"), .uint8([0, 1, 255]))
            XCTAssertEqual(m.array("t.array.bool"), .bool([true, false]))
            XCTAssertEqual(m.array("t.array.u64"), .uint64([1, UInt64.max]))
            XCTAssertEqual(m.array("t.array.f64"), .float64([0.25, -1e300]))
            XCTAssertEqual(
                m.array("t.array.nested"),
                .array([.int16([1, -2]), .string(["x"]), .array([.bool([true])]), .uint32([])]))
            XCTAssertEqual(m.array("t.array.empty"), .float32([]))
            XCTAssertEqual(m.keysWithInvalidUTF8, [])
        }
    }

    func testRemainingArrayElementTypesRoundTrip() throws {
        let arrays: [GGUFArray] = [
            .int8([-128, 0, 127]), .uint16([0, 65535]), .int16([-32768, 32767]), .uint32([0, UInt32.max]),
            .int64([Int64.min, Int64.max]), .string([]), .array([]),
            .array([.array([.array([.float64([1, 2])])]), .array([])]),
        ]
        var writer = GGUFWriter()
        for (index, array) in arrays.enumerated() { writer.set("a.\(index)", .array(array)) }
        let file = try GGUFFile(bytes: writer.serialize())
        for (index, array) in arrays.enumerated() {
            XCTAssertEqual(file.metadata.array("a.\(index)"), array, "a.\(index)")
        }
    }

    func testSetReplacesInPlaceAndKeepsOrder() throws {
        var writer = GGUFWriter()
        writer.set("b", .uint32(1))
        writer.set("a", .string("x"))
        writer.set("b", .string("replaced"))
        let file = try GGUFFile(bytes: writer.serialize())
        XCTAssertEqual(file.metadata.keys, ["b", "a"])
        XCTAssertEqual(file.metadata.string("b"), "replaced")
        XCTAssertEqual(file.metadata.entries.map(\.key), ["b", "a"])
    }

    func testTensorsRoundTripAtEveryAlignment() throws {
        for alignment in [1, 2, 8, 32, 64, 4096] {
            let writer = try makeSampleWriter(alignment: alignment)
            let file = try GGUFFile(bytes: writer.serialize())
            XCTAssertEqual(file.alignment, alignment)
            XCTAssertEqual(file.dataOffset % alignment, 0)
            if alignment == 32 {
                XCTAssertNil(file.metadata["general.alignment"], "the default alignment is not written")
            } else {
                XCTAssertEqual(file.metadata["general.alignment"], .uint32(UInt32(alignment)))
            }
            XCTAssertEqual(file.tensors.map(\.name), [
                "token_embd.weight", "output_norm.weight", "blk.0.attn_q.weight", "blk.0.ffn_down.weight", "scalar",
            ])
            for tensor in file.tensors { XCTAssertEqual(tensor.offset % alignment, 0, tensor.name) }

            let embedding = try XCTUnwrap(file.tensor(named: "token_embd.weight"))
            XCTAssertEqual(embedding.type, .f32)
            XCTAssertEqual(embedding.dimensions, [4, 7])
            XCTAssertEqual(embedding.elementCount, 28)
            XCTAssertEqual(embedding.byteCount, 112)
            XCTAssertEqual(embedding.rowLength, 4)
            XCTAssertEqual(embedding.rowCount, 7)
            XCTAssertEqual(embedding.rowByteCount, 16)
            // Alignments below 4 leave F32 data unaligned for Float: read it unaligned.
            let data = file.data(for: embedding)
            let floats = (0..<28).map { data.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
            XCTAssertEqual(floats, (0..<28).map { Float($0) * 0.5 })

            let q8 = try XCTUnwrap(file.tensor(named: "blk.0.attn_q.weight"))
            XCTAssertEqual(q8.type, .q8_0)
            XCTAssertEqual(q8.byteCount, 68)
            XCTAssertEqual(q8.rowByteCount, 34)
            XCTAssertEqual(Array(file.data(for: q8)), (0..<68).map { UInt8(truncatingIfNeeded: $0 &* 37) })
            XCTAssertEqual(Array(try XCTUnwrap(file.data(named: "blk.0.ffn_down.weight"))),
                           (0..<144).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ 3) })

            let scalar = try XCTUnwrap(file.tensor(named: "scalar"))
            XCTAssertEqual(scalar.dimensions, [])
            XCTAssertEqual(scalar.elementCount, 1)
            XCTAssertEqual(Array(file.data(for: scalar)), [0x00, 0x3C])
            XCTAssertNil(file.tensor(named: "missing"))
            XCTAssertNil(file.data(named: "missing"))
        }
    }

    func testZeroSizedTensorIsAllowedAsInGGML() throws {
        var writer = GGUFWriter()
        try writer.addTensor(name: "empty", type: .q4_0, dimensions: [32, 0], bytes: [])
        try writer.addTensor(name: "after", dimensions: [2], floats: [1, 2])
        let file = try GGUFFile(bytes: writer.serialize())
        let empty = try XCTUnwrap(file.tensor(named: "empty"))
        XCTAssertEqual(empty.elementCount, 0)
        XCTAssertEqual(file.data(for: empty).count, 0)
        XCTAssertEqual(empty.rowCount, 0)
        XCTAssertEqual(empty.rowByteCount, 18)
        XCTAssertEqual(file.data(named: "after")?.count, 8)
    }

    func testFileWithoutTensorsNeedsNoPadding() throws {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        let bytes = try writer.serialize()
        // Vocabulary-only files from gguf-py stop right after the metadata: drop the writer's padding.
        let headerEnd = 24 + 8 + "general.architecture".utf8.count + 4 + 8 + 5
        XCTAssertGreaterThanOrEqual(bytes.count, headerEnd)
        XCTAssertTrue(bytes[headerEnd...].allSatisfy { $0 == 0 })
        let unpadded = try GGUFFile(bytes: Array(bytes[..<headerEnd]))
        XCTAssertEqual(unpadded.tensors, [])
        XCTAssertEqual(unpadded.dataOffset, headerEnd)
        XCTAssertEqual(try GGUFFile(bytes: bytes).metadata.string("general.architecture"), "llama")
    }

    func testWriteToURLThenMap() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-roundtrip-\(UUID()).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        let writer = try makeSampleWriter(alignment: 64)
        try writer.write(to: url)
        let mapped = try GGUFFile(url: url)
        let copied = try GGUFFile(bytes: writer.serialize())
        XCTAssertEqual(mapped.fileSize, copied.fileSize)
        XCTAssertEqual(mapped.tensors, copied.tensors)
        XCTAssertEqual(mapped.metadata.keys, copied.metadata.keys)
        for tensor in mapped.tensors {
            XCTAssertEqual(Array(mapped.data(for: tensor)), Array(copied.data(for: tensor)), tensor.name)
        }
        XCTAssertEqual(Array(mapped.bytes), try writer.serialize())
    }

    func testInvalidUTF8InStringValuesIsRepairedAndReported() throws {
        var raw = RawGGUF(tensorCount: 0, entryCount: 3)
        raw.entry("ok", type: 8) { $0.string("fine") }
        raw.entry("bad.value", type: 8) { $0.rawString([0x61, 0xFF, 0x62]) }
        raw.entry("bad.array", type: 9) {
            $0.u32(8)
            $0.u64(2)
            $0.string("x")
            $0.rawString([0xF1, 0x80, 0x80])  // a truncated 4-byte sequence
        }
        let file = try GGUFFile(bytes: raw.bytes)
        XCTAssertEqual(file.metadata.string("bad.value"), "a\u{FFFD}b")
        XCTAssertEqual(file.metadata.array("bad.array")?.strings, ["x", "\u{FFFD}"])
        XCTAssertEqual(file.metadata.keysWithInvalidUTF8, ["bad.value", "bad.array"])
    }

    func testNonzeroBoolBytesReadAsTrueLikeGGML() throws {
        var raw = RawGGUF(tensorCount: 0, entryCount: 2)
        raw.entry("b", type: 7) { $0.u8(2) }
        raw.entry("a", type: 9) { $0.u32(7); $0.u64(3); $0.u8(0); $0.u8(1); $0.u8(0x80) }
        let file = try GGUFFile(bytes: raw.bytes)
        XCTAssertEqual(file.metadata.bool("b"), true)
        XCTAssertEqual(file.metadata.array("a"), .bool([false, true, true]))
    }

    func testTypedAccessors() throws {
        let m = GGUFMetadata([
            ("u64.big", .uint64(UInt64.max)), ("u64.small", .uint64(7)), ("i8", .int8(-3)),
            ("f32", .float32(0.5)), ("s", .string("x")), ("b", .bool(false)),
            ("ints", .array(.uint16([1, 2]))), ("u64s", .array(.uint64([1, UInt64.max]))),
        ])
        XCTAssertNil(m.int("u64.big"))
        XCTAssertEqual(m.double("u64.big"), Double(UInt64.max))
        XCTAssertEqual(m.int("u64.small"), 7)
        XCTAssertEqual(m.int("i8"), -3)
        XCTAssertNil(m.int("f32"), "floats are not integers")
        XCTAssertEqual(m.double("f32"), 0.5)
        XCTAssertEqual(m.double("i8"), -3)
        XCTAssertNil(m.double("s"))
        XCTAssertNil(m.string("i8"))
        XCTAssertEqual(m.bool("b"), false)
        XCTAssertNil(m.bool("i8"))
        XCTAssertNil(m.int("absent"))
        XCTAssertEqual(m.array("ints")?.ints, [1, 2])
        XCTAssertEqual(m.array("ints")?.floats, [1, 2])
        XCTAssertNil(m.array("ints")?.strings)
        XCTAssertNil(m.array("u64s")?.ints, "a value above Int.max has no Int")
        XCTAssertNil(GGUFArray.float32([1]).ints)
        XCTAssertEqual(GGUFArray.float64([0.5]).floats, [0.5])
        XCTAssertNil(GGUFArray.string(["a"]).floats)
        XCTAssertEqual(GGUFArray.array([.bool([])]).arrays, [.bool([])])
        XCTAssertTrue(m.contains("s"))
        XCTAssertFalse(m.contains("t"))
    }

    func testDescriptionsForListings() {
        XCTAssertEqual(GGUFValue.string("a\nb").description, "\"a\\nb\"")
        XCTAssertEqual(GGUFValue.uint32(7).description, "7")
        XCTAssertEqual(GGUFArray.string(["<unk>", "<s>", "</s>", "a"]).description, "[str × 4: \"<unk>\", \"<s>\", \"</s>\", …]")
        XCTAssertEqual(GGUFArray.int32([]).description, "[i32 × 0]")
        XCTAssertEqual(GGUFValueType.float32.description, "f32")
    }

    // MARK: The writer's own checks

    func testWriterRejectsInconsistentTensors() {
        var writer = GGUFWriter()
        XCTAssertEqual(
            expectGGUFError(try writer.addTensor(name: "w", type: .q8_0, dimensions: [32, 2], bytes: [UInt8](repeating: 0, count: 67))),
            .tensorByteCountMismatch(tensor: "w", expected: 68, actual: 67))
        XCTAssertEqual(
            expectGGUFError(try writer.addTensor(name: "w", dimensions: [2, 2], floats: [1, 2, 3])),
            .tensorByteCountMismatch(tensor: "w", expected: 16, actual: 12))
        guard case .invalidDimensions? = expectGGUFError(
            try writer.addTensor(name: "w", type: .q4_0, dimensions: [16, 2], bytes: [])) else {
            return XCTFail("a row that is not whole blocks must be refused")
        }
        guard case .invalidDimensions? = expectGGUFError(
            try writer.addTensor(name: "w", dimensions: [-1], floats: [])) else {
            return XCTFail("a negative dimension must be refused")
        }
        guard case .invalidDimensions? = expectGGUFError(
            try writer.addTensor(name: "w", dimensions: [1 << 40, 1 << 40], floats: [])) else {
            return XCTFail("an element count past Int.max must be refused")
        }
        XCTAssertEqual(
            expectGGUFError(try writer.addTensor(name: "w", dimensions: [1, 1, 1, 1, 1], floats: [0])),
            .tooManyDimensions(tensor: "w", count: 5))
        let longName = String(repeating: "n", count: 64)
        XCTAssertEqual(expectGGUFError(try writer.addTensor(name: longName, dimensions: [1], floats: [0])),
                       .tensorNameTooLong(name: String(longName.dropLast()), length: 64))
        XCTAssertNoThrow(try writer.addTensor(name: String(longName.dropLast()), dimensions: [1], floats: [0]))
        XCTAssertNoThrow(try writer.addTensor(name: "w", dimensions: [1], floats: [0]))
        XCTAssertEqual(expectGGUFError(try writer.addTensor(name: "w", dimensions: [1], floats: [0])),
                       .duplicateTensor("w"))
    }

    func testWriterRejectsInvalidHeaders() {
        XCTAssertEqual(expectGGUFError(try GGUFWriter(version: 1).serialize()), .unsupportedVersion(1))
        XCTAssertEqual(expectGGUFError(try GGUFWriter(version: 4).serialize()), .unsupportedVersion(4))
        for alignment in [0, 3, 48, -8] {
            guard case .invalidAlignment? = expectGGUFError(try GGUFWriter(alignment: alignment).serialize()) else {
                return XCTFail("alignment \(alignment) must be refused")
            }
        }
        var conflicting = GGUFWriter(alignment: 64)
        conflicting.set("general.alignment", .uint32(32))
        guard case .invalidAlignment? = expectGGUFError(try conflicting.serialize()) else {
            return XCTFail("a general.alignment that disagrees with the layout must be refused")
        }
        var agreeing = GGUFWriter(alignment: 64)
        agreeing.set("general.alignment", .uint32(64))
        XCTAssertEqual(try agreeing.serialize().count % 64, 0)

        var longKey = GGUFWriter()
        longKey.set("x", .bool(true))
        longKey.set(String(repeating: "k", count: 65_536), .bool(true))
        XCTAssertEqual(expectGGUFError(try longKey.serialize()), .keyTooLong(index: 1, length: 65_536))

        var emptyKey = GGUFWriter()
        emptyKey.set("", .bool(true))
        XCTAssertEqual(expectGGUFError(try emptyKey.serialize()), .emptyKey(index: 0))

        var deep = GGUFArray.uint8([1])
        for _ in 0..<GGUFParser.maxArrayNesting { deep = .array([deep]) }
        var tooDeep = GGUFWriter()
        tooDeep.set("deep", .array(deep))
        XCTAssertEqual(expectGGUFError(try tooDeep.serialize()),
                       .arrayNestingTooDeep(key: "deep", limit: GGUFParser.maxArrayNesting))
    }

    func testDeepestAllowedNestingRoundTrips() throws {
        var deep = GGUFArray.uint8([1])
        for _ in 1..<GGUFParser.maxArrayNesting { deep = .array([deep]) }
        var writer = GGUFWriter()
        writer.set("deep", .array(deep))
        XCTAssertEqual(try GGUFFile(bytes: writer.serialize()).metadata.array("deep"), deep)
    }

    func testWriteToUnwritablePathIsAnIOError() throws {
        let url = URL(fileURLWithPath: "/nonexistent-directory-\(UUID())/model.gguf")
        guard case .ioError? = expectGGUFError(try GGUFWriter().write(to: url)) else {
            return XCTFail("expected an I/O error")
        }
    }
}
