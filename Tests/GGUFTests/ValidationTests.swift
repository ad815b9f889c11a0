import Foundation
import XCTest
@testable import GGUF

/// Each way a file can be malformed, one at a time, with the typed error it must give.
final class ValidationTests: XCTestCase {
    private func parse(_ raw: RawGGUF, file: StaticString = #filePath, line: UInt = #line) -> GGUFError? {
        expectGGUFError(try GGUFFile(bytes: raw.bytes), file: file, line: line)
    }

    /// A file with one F32 tensor of `dimensions`, for the tensor-table checks.
    private func oneTensor(
        name: String = "t", dimensions: [UInt64] = [4], type: UInt32 = 0, offset: UInt64 = 0, dataBytes: Int = 16
    ) -> RawGGUF {
        var raw = RawGGUF(tensorCount: 1, entryCount: 0)
        raw.tensorInfo(name, dimensions: dimensions, type: type, offset: offset)
        raw.data(dataBytes: dataBytes)
        return raw
    }

    func testOneTensorBaselineParses() throws {
        let file = try GGUFFile(bytes: oneTensor().bytes)
        XCTAssertEqual(file.tensors.first?.dimensions, [4])
        XCTAssertEqual(file.dataOffset, 64)
    }

    // MARK: Opening

    func testEmptyInputAndFile() throws {
        XCTAssertEqual(expectGGUFError(try GGUFFile(bytes: [])), .emptyFile)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-empty-\(UUID()).bin")
        XCTAssertTrue(FileManager.default.createFile(atPath: url.path, contents: Data()))
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertEqual(expectGGUFError(try GGUFFile(url: url)), .emptyFile)
    }

    func testDirectoryIsNotAFile() {
        let directory = FileManager.default.temporaryDirectory
        XCTAssertEqual(expectGGUFError(try GGUFFile(url: directory)), .notARegularFile(path: directory.path))
    }

    func testMissingFileIsAnIOErrorNamingThePath() {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID()).gguf")
        guard case .ioError(let message)? = expectGGUFError(try GGUFFile(url: url)) else {
            return XCTFail("expected an I/O error")
        }
        XCTAssertTrue(message.contains(url.path), message)
        XCTAssertTrue(message.contains("No such file"), message)
    }

    // MARK: Header

    func testBadMagic() {
        XCTAssertEqual(expectGGUFError(try GGUFFile(bytes: Array("GGML and more".utf8))), .badMagic(Array("GGML".utf8)))
        XCTAssertEqual(expectGGUFError(try GGUFFile(bytes: [0x7F, 0x45])), .badMagic([0x7F, 0x45]))
        XCTAssertEqual(expectGGUFError(try GGUFFile(bytes: Array("GG".utf8))),
                       .truncated(reading: "the magic", at: 0, needed: 4, available: 2))
    }

    func testUnsupportedVersions() {
        for version: UInt32 in [0, 1, 4, 0x0300_0000] {
            XCTAssertEqual(parse(RawGGUF(version: version, tensorCount: 0, entryCount: 0)), .unsupportedVersion(version))
        }
        XCTAssertTrue(GGUFError.unsupportedVersion(0x0300_0000).description.contains("big-endian"))
        XCTAssertTrue(GGUFError.unsupportedVersion(1).description.contains("version 1"))
    }

    func testTruncatedHeader() {
        let header = RawGGUF(tensorCount: 0, entryCount: 0).bytes
        XCTAssertEqual(expectGGUFError(try GGUFFile(bytes: Array(header[..<6]))),
                       .truncated(reading: "the version", at: 4, needed: 4, available: 2))
        XCTAssertEqual(expectGGUFError(try GGUFFile(bytes: Array(header[..<20]))),
                       .truncated(reading: "the metadata entry count", at: 16, needed: 8, available: 4))
        XCTAssertNoThrow(try GGUFFile(bytes: header))
    }

    func testHugeCountsFailBeforeAllocating() {
        XCTAssertEqual(parse(RawGGUF(tensorCount: 1 << 62, entryCount: 0)),
                       .countExceedsFile(what: "the tensor count", count: 1 << 62, at: 8, remaining: 0))
        XCTAssertEqual(parse(RawGGUF(tensorCount: 0, entryCount: UInt64.max)),
                       .countExceedsFile(what: "the metadata entry count", count: UInt64.max, at: 16, remaining: 0))
        // Two entries need at least 28 bytes; 27 are there.
        var tight = RawGGUF(tensorCount: 0, entryCount: 2)
        tight.bytes += [UInt8](repeating: 0, count: 27)
        guard case .countExceedsFile? = parse(tight) else { return XCTFail("two entries cannot fit in 27 bytes") }
    }

    func testHugeArrayCountsFailBeforeAllocating() {
        for elementType: UInt32 in [0, 5, 7, 8, 9, 12] {
            var raw = RawGGUF(tensorCount: 0, entryCount: 1)
            raw.entry("a", type: 9) { $0.u32(elementType); $0.u64(1 << 62) }
            raw.bytes += [UInt8](repeating: 0, count: 100)
            XCTAssertEqual(parse(raw), .countExceedsFile(
                what: "the element count of the array of key 'a'", count: 1 << 62, at: 41, remaining: 100))
        }
        // A nested array's count is checked the same way.
        var nested = RawGGUF(tensorCount: 0, entryCount: 1)
        nested.entry("n", type: 9) { $0.u32(9); $0.u64(1); $0.u32(8); $0.u64(UInt64.max) }
        guard case .countExceedsFile(let what, _, _, _)? = parse(nested) else { return XCTFail("nested count") }
        XCTAssertTrue(what.contains("nested array"), what)
    }

    func testHugeStringLengths() {
        var key = RawGGUF(tensorCount: 0, entryCount: 1)
        key.u64(1 << 62)
        key.bytes += [UInt8](repeating: 0x41, count: 20)
        XCTAssertEqual(parse(key), .lengthExceedsFile(what: "the key of metadata entry 0", length: 1 << 62, at: 24, remaining: 20))

        var value = RawGGUF(tensorCount: 0, entryCount: 1)
        value.entry("k", type: 8) { $0.u64(UInt64.max); $0.bytes += [1, 2, 3] }
        XCTAssertEqual(parse(value), .lengthExceedsFile(what: "the value of key 'k'", length: UInt64.max, at: 37, remaining: 3))

        var element = RawGGUF(tensorCount: 0, entryCount: 1)
        element.entry("k", type: 9) { $0.u32(8); $0.u64(2); $0.string("ok"); $0.u64(5); $0.bytes += [1] }
        XCTAssertEqual(parse(element), .lengthExceedsFile(
            what: "element 1 of the array of key 'k'", length: 5, at: 59, remaining: 1))

        var tensorName = RawGGUF(tensorCount: 1, entryCount: 0)
        tensorName.u64(1000)
        tensorName.bytes += [UInt8](repeating: 0x41, count: 30)
        guard case .lengthExceedsFile? = parse(tensorName) else { return XCTFail("tensor name length") }
    }

    // MARK: Metadata

    func testInvalidUTF8KeyIsRefused() {
        var raw = RawGGUF(tensorCount: 0, entryCount: 1)
        raw.rawString([0x6B, 0xC3])  // "k" and half of a two-byte sequence
        raw.u32(4)
        raw.u32(1)
        XCTAssertEqual(parse(raw), .invalidUTF8(what: "the key of metadata entry 0", at: 24))
    }

    func testEmptyKey() {
        var raw = RawGGUF(tensorCount: 0, entryCount: 2)
        raw.entryU32("a", 1)
        raw.entryU32("", 1)
        XCTAssertEqual(parse(raw), .emptyKey(index: 1))
    }

    func testKeyLengthLimit() throws {
        var tooLong = RawGGUF(tensorCount: 0, entryCount: 1)
        tooLong.entryU32(String(repeating: "k", count: 65_536), 1)
        XCTAssertEqual(parse(tooLong), .keyTooLong(index: 0, length: 65_536))
        var longest = RawGGUF(tensorCount: 0, entryCount: 1)
        longest.entryU32(String(repeating: "k", count: 65_535), 1)
        XCTAssertEqual(try GGUFFile(bytes: longest.bytes).metadata.keys.first?.utf8.count, 65_535)
    }

    func testDuplicateKey() {
        var raw = RawGGUF(tensorCount: 0, entryCount: 2)
        raw.entryU32("general.alignment", 32)
        raw.entryU32("general.alignment", 64)
        XCTAssertEqual(parse(raw), .duplicateKey("general.alignment"))
    }

    func testUnknownValueTypes() {
        var scalar = RawGGUF(tensorCount: 0, entryCount: 1)
        scalar.entry("k", type: 13) { $0.u32(0) }
        XCTAssertEqual(parse(scalar), .unknownValueType(key: "k", rawType: 13))

        var element = RawGGUF(tensorCount: 0, entryCount: 1)
        element.entry("k", type: 9) { $0.u32(0xFFFF_FFFF); $0.u64(0) }
        XCTAssertEqual(parse(element), .unknownValueType(key: "k", rawType: 0xFFFF_FFFF))
    }

    func testArrayNestingIsBounded() {
        // 100,000 levels of "array of one array" would recurse without bound if unchecked.
        var raw = RawGGUF(tensorCount: 0, entryCount: 1)
        raw.entry("deep", type: 9) { raw in
            for _ in 0..<100_000 { raw.u32(9); raw.u64(1) }
            raw.u32(0)
            raw.u64(0)
        }
        XCTAssertEqual(parse(raw), .arrayNestingTooDeep(key: "deep", limit: GGUFParser.maxArrayNesting))
    }

    func testInvalidAlignments() {
        for (value, type) in [(UInt64(0), UInt32(4)), (48, 4), (1 << 31 + 1, 4)] {
            var raw = RawGGUF(tensorCount: 0, entryCount: 1)
            raw.entry("general.alignment", type: type) { $0.u32(UInt32(value)) }
            guard case .invalidAlignment? = parse(raw) else { return XCTFail("alignment \(value)") }
        }
        var wrongType = RawGGUF(tensorCount: 0, entryCount: 1)
        wrongType.entry("general.alignment", type: 10) { $0.u64(64) }
        XCTAssertEqual(parse(wrongType), .invalidAlignment("u64 64"))

        var large = RawGGUF(tensorCount: 0, entryCount: 1)
        large.entryU32("general.alignment", 1 << 31)
        XCTAssertEqual(try GGUFFile(bytes: large.bytes).alignment, 1 << 31)
    }

    // MARK: Tensor table

    func testDuplicateTensor() {
        var raw = RawGGUF(tensorCount: 2, entryCount: 0)
        raw.tensorInfo("w", dimensions: [4], type: 0, offset: 0)
        raw.tensorInfo("w", dimensions: [4], type: 0, offset: 32)
        raw.data(dataBytes: 64)
        XCTAssertEqual(parse(raw), .duplicateTensor("w"))
    }

    func testTensorNames() throws {
        let longName = String(repeating: "x", count: 64)
        XCTAssertEqual(parse(oneTensor(name: longName)), .tensorNameTooLong(name: String(longName.dropLast()), length: 64))
        // A corrupt name length of megabytes is refused by its length, before anything is decoded.
        var huge = RawGGUF(tensorCount: 1, entryCount: 0)
        huge.string(String(repeating: "é", count: 1 << 20))
        XCTAssertEqual(parse(huge), .tensorNameTooLong(name: String(repeating: "é", count: 31) + "\u{FFFD}", length: 2 << 20))
        XCTAssertNoThrow(try GGUFFile(bytes: oneTensor(name: String(longName.dropLast())).bytes))

        var invalid = RawGGUF(tensorCount: 1, entryCount: 0)
        invalid.rawString([0xC0, 0x80])  // an overlong encoding of NUL
        invalid.u32(1); invalid.u64(4); invalid.u32(0); invalid.u64(0)
        invalid.data(dataBytes: 16)
        XCTAssertEqual(parse(invalid), .invalidUTF8(what: "the name of tensor 0", at: 24))
    }

    func testTooManyDimensions() {
        XCTAssertEqual(parse(oneTensor(dimensions: [1, 1, 1, 1, 4])), .tooManyDimensions(tensor: "t", count: 5))
        var huge = RawGGUF(tensorCount: 1, entryCount: 0)
        huge.string("t")
        huge.u32(UInt32.max)
        huge.bytes += [UInt8](repeating: 0, count: 64)
        XCTAssertEqual(parse(huge), .tooManyDimensions(tensor: "t", count: UInt32.max))
    }

    func testInvalidDimensions() {
        let cases: [(dimensions: [UInt64], type: UInt32, reason: String)] = [
            ([1 << 63, 1], 0, "a dimension is negative"),
            ([UInt64.max], 0, "a dimension is negative"),
            ([1 << 32, 1 << 32], 0, "the element count overflows 64 bits"),
            ([1 << 31, 1 << 30], 0, "the byte count overflows 64 bits"),
            // A zero dimension does not excuse the others: row counts and strides come from them.
            ([0, 1 << 32, 1 << 32], 0, "the element count overflows 64 bits"),
            ([1 << 62, 0], 28, "the byte count overflows 64 bits"),
            ([16, 2], 2, "the first dimension 16 is not a multiple of Q4_0's block size 32"),
            ([100], 12, "the first dimension 100 is not a multiple of Q4_K's block size 256"),
        ]
        for c in cases {
            XCTAssertEqual(parse(oneTensor(dimensions: c.dimensions, type: c.type)),
                           .invalidDimensions(tensor: "t", dimensions: c.dimensions, reason: c.reason))
        }
    }

    func testUnknownTensorTypes() {
        for rawType: UInt32 in [4, 5, 31, 36, 40, 1000, UInt32.max] {
            XCTAssertEqual(parse(oneTensor(type: rawType)), .unknownTensorType(tensor: "t", rawType: rawType))
        }
    }

    func testMisalignedOffset() {
        XCTAssertEqual(parse(oneTensor(offset: 4, dataBytes: 64)),
                       .misalignedTensorOffset(tensor: "t", offset: 4, alignment: 32))
        // With general.alignment = 4, the same offset is fine.
        var raw = RawGGUF(tensorCount: 1, entryCount: 1)
        raw.entryU32("general.alignment", 4)
        raw.tensorInfo("t", dimensions: [4], type: 0, offset: 4)
        raw.data(alignment: 4, dataBytes: 20)
        XCTAssertEqual(try GGUFFile(bytes: raw.bytes).tensors.first?.offset, 4)
    }

    func testTensorDataOutOfBounds() {
        XCTAssertEqual(parse(oneTensor(dataBytes: 15)),
                       .tensorOutOfBounds(tensor: "t", offset: 0, byteCount: 16, dataSectionSize: 15))
        XCTAssertEqual(parse(oneTensor(offset: 32, dataBytes: 40)),
                       .tensorOutOfBounds(tensor: "t", offset: 32, byteCount: 16, dataSectionSize: 40))
        XCTAssertEqual(parse(oneTensor(offset: 1 << 62, dataBytes: 16)),
                       .tensorOutOfBounds(tensor: "t", offset: 1 << 62, byteCount: 16, dataSectionSize: 16))
        // An offset past Int.max must not wrap around to a small one.
        XCTAssertEqual(parse(oneTensor(offset: UInt64.max - 31, dataBytes: 16)),
                       .tensorOutOfBounds(tensor: "t", offset: UInt64.max - 31, byteCount: 16, dataSectionSize: 16))
        // A big tensor whose byte count alone exceeds the file.
        XCTAssertEqual(parse(oneTensor(dimensions: [1 << 20, 1 << 20], dataBytes: 16)),
                       .tensorOutOfBounds(tensor: "t", offset: 0, byteCount: 1 << 42, dataSectionSize: 16))
    }

    func testPaddingBeforeDataMustBePresentWhenThereAreTensors() {
        var raw = RawGGUF(tensorCount: 1, entryCount: 0)
        raw.tensorInfo("t", dimensions: [0], type: 0, offset: 0)
        let headerEnd = raw.bytes.count  // 24 + 9 + 4 + 8 + 4 + 8 = 57, padded to 64
        XCTAssertEqual(parse(raw), .truncated(reading: "the padding before the tensor data", at: headerEnd, needed: 7, available: 0))
        raw.data(dataBytes: 0)
        XCTAssertNoThrow(try GGUFFile(bytes: raw.bytes))
    }

    // MARK: Messages

    func testEveryDescriptionIsOneNonEmptyLine() {
        let errors: [GGUFError] = [
            .ioError("cannot open /x: No such file or directory"), .notARegularFile(path: "/tmp"), .emptyFile,
            .badMagic([0, 1, 0x47, 0xFF]), .unsupportedVersion(0), .unsupportedVersion(1), .unsupportedVersion(7),
            .truncated(reading: "the version", at: 4, needed: 4, available: 1),
            .countExceedsFile(what: "the tensor count", count: 9, at: 8, remaining: 0),
            .lengthExceedsFile(what: "the key of metadata entry 0", length: 9, at: 24, remaining: 1),
            .invalidUTF8(what: "the name of tensor 0", at: 24), .emptyKey(index: 3), .duplicateKey("k"),
            .unknownValueType(key: "k", rawType: 13), .arrayNestingTooDeep(key: "k", limit: 16),
            .invalidAlignment("0"), .duplicateTensor("t"), .tensorNameTooLong(name: String(repeating: "n", count: 63), length: 500),
            .keyTooLong(index: 0, length: 70_000),
            .tooManyDimensions(tensor: "t", count: 5), .invalidDimensions(tensor: "t", dimensions: [1], reason: "r"),
            .unknownTensorType(tensor: "t", rawType: 4), .misalignedTensorOffset(tensor: "t", offset: 4, alignment: 32),
            .tensorOutOfBounds(tensor: "t", offset: 0, byteCount: 16, dataSectionSize: 15),
            .tensorByteCountMismatch(tensor: "t", expected: 2, actual: 1),
        ]
        for error in errors {
            let text = error.description
            XCTAssertFalse(text.isEmpty)
            XCTAssertFalse(text.contains("\n"), text)
            XCTAssertLessThan(text.count, 300, text)
        }
        XCTAssertEqual(GGUFError.badMagic([0x47, 0x47, 0x4D, 0x4C]).description,
                       "not a GGUF file: it starts with \"GGML\" (47 47 4D 4C) instead of \"GGUF\"")
        XCTAssertEqual(GGUFError.tensorOutOfBounds(tensor: "t", offset: 0, byteCount: 16, dataSectionSize: 15).description,
                       "corrupt or truncated GGUF file: tensor 't' needs 16 bytes at data offset 0 but the data section holds only 15 bytes")
    }
}
