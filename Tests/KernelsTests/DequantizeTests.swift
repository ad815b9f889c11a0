import Foundation
import GGUF
import Kernels
import TestSupport
import XCTest

/// Dequantization held bit for bit to the `gguf` Python package (and, through the fixture script's
/// own check, to ggml's C): fixtures made by scripts/make_quant_fixtures.py.
final class DequantizeTests: XCTestCase {

    // MARK: - Fixtures

    struct Manifest: Decodable {
        struct Case: Decodable {
            let name: String
            let type: String
            let typeId: UInt32
            let count: Int
            let blocksOffset: Int
            let blocksLength: Int
            let expectedOffset: Int
            let origin: String
        }
        struct WholeTensor: Decodable {
            let model: String
            let file: String
            let fileSize: Int
            let tensor: String
            let type: String
            let typeId: UInt32
            let count: Int
            let offset: UInt64
            let fnv1a64: String
        }
        struct HalfTable: Decodable {
            let patterns: Int
            let fnv1a64: String
        }
        let fp16ToFloat: HalfTable
        let cases: [Case]
        let wholeTensors: [WholeTensor]
    }

    struct Fixtures {
        let manifest: Manifest
        let blocks: Data
        let expected: Data
    }

    static let fixtures: Result<Fixtures, Error> = Result {
        func resource(_ name: String, _ ext: String) throws -> Data {
            guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures/dequant") else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Fixtures/dequant/\(name).\(ext)"])
            }
            return try Data(contentsOf: url)
        }
        let manifest = try JSONDecoder().decode(Manifest.self, from: resource("manifest", "json"))
        return Fixtures(manifest: manifest, blocks: try resource("blocks", "bin"), expected: try resource("expected", "bin"))
    }

    /// The checksum the fixture script records: FNV-1a 64 over float32 bit patterns taken as words.
    static func fnv1a64(_ values: UnsafeBufferPointer<Float>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in values {
            hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    // MARK: - Against gguf-py, real and synthetic blocks

    func testEveryFixtureCaseMatchesGGUFPyBitForBit() throws {
        let fixtures = try Self.fixtures.get()
        XCTAssertGreaterThan(fixtures.manifest.cases.count, 13)
        for fixtureCase in fixtures.manifest.cases {
            let type = try XCTUnwrap(GGMLType(rawValue: fixtureCase.typeId), fixtureCase.name)
            XCTAssertEqual(type.description, fixtureCase.type)
            let blockBytes = fixtures.blocks.subdata(
                in: fixtureCase.blocksOffset..<(fixtureCase.blocksOffset + fixtureCase.blocksLength))
            let decoded = try blockBytes.withUnsafeBytes {
                try Dequantizer.dequantize(type, bytes: $0, count: fixtureCase.count)
            }
            let expected = fixtures.expected.subdata(
                in: fixtureCase.expectedOffset..<(fixtureCase.expectedOffset + 4 * fixtureCase.count))
            expected.withUnsafeBytes { raw in
                var mismatches = 0
                for index in 0..<fixtureCase.count {
                    let want = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
                    let got = decoded[index].bitPattern
                    if want != got {
                        if mismatches == 0 {
                            XCTFail("\(fixtureCase.name) (\(fixtureCase.origin)) element \(index): expected "
                                    + "\(Float(bitPattern: want)) (0x\(String(want, radix: 16))), got \(decoded[index]) (0x\(String(got, radix: 16)))")
                        }
                        mismatches += 1
                    }
                }
                XCTAssertEqual(mismatches, 0, "\(fixtureCase.name): \(mismatches) of \(fixtureCase.count) elements differ")
            }
        }
    }

    func testFixturesCoverEverySupportedTypeAndEveryRealModelType() throws {
        let cases = try Self.fixtures.get().manifest.cases
        let synthetic = Set(cases.filter { $0.name.hasPrefix("synthetic.") }.compactMap { GGMLType(rawValue: $0.typeId) })
        XCTAssertEqual(synthetic, Dequantizer.supportedTypes)
        let real = Set(cases.filter { !$0.name.hasPrefix("synthetic.") }.compactMap { GGMLType(rawValue: $0.typeId) })
        XCTAssertEqual(real, [.f32, .q8_0, .q4_1, .q5_0, .q4_K, .q6_K])
        for model in ["smollm2-135m-instruct", "gemma3-270m", "qwen2.5-coder-0.5b-instruct"] {
            XCTAssertTrue(cases.contains { $0.name.hasPrefix(model + ".") }, "no fixture rows from \(model)")
        }
    }

    /// With the model files present, whole tensors (one per type and model, up to 1.5M elements)
    /// decode to the checksum the script recorded from gguf-py.
    func testWholeRealTensorsMatchRecordedChecksums() throws {
        let wholeTensors = try Self.fixtures.get().manifest.wholeTensors
        XCTAssertFalse(wholeTensors.isEmpty)
        for entry in wholeTensors {
            let url = try TestModels.url(entry.model)
            let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int
            XCTAssertEqual(size, entry.fileSize, "\(entry.file) is not the file the fixtures were made from")
            guard size == entry.fileSize else { continue }
            let type = try XCTUnwrap(GGMLType(rawValue: entry.typeId))
            let byteCount = try XCTUnwrap(type.byteCount(elementCount: entry.count))
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            try handle.seek(toOffset: entry.offset)
            let bytes = try XCTUnwrap(try handle.read(upToCount: byteCount))
            XCTAssertEqual(bytes.count, byteCount)
            let values = try bytes.withUnsafeBytes { try Dequantizer.dequantize(type, bytes: $0, count: entry.count) }
            let checksum = values.withUnsafeBufferPointer(Self.fnv1a64)
            XCTAssertEqual(Self.hex(checksum), entry.fnv1a64, "\(entry.model) \(entry.tensor) (\(entry.type))")
        }
    }

    // MARK: - Known answers, readable by hand

    func testQ4_0KnownBlock() throws {
        var block = [UInt8](repeating: 0x88, count: 18)  // every nibble 8: value 0
        block[0] = 0x00; block[1] = 0x3C                  // d = 1.0
        block[2] = 0x21                                   // element 0: 1 - 8, element 16: 2 - 8
        block[17] = 0xF0                                  // element 15: 0 - 8, element 31: 15 - 8
        let values = try block.withUnsafeBytes { try Dequantizer.dequantize(.q4_0, bytes: $0, count: 32) }
        XCTAssertEqual(values[0], -7)
        XCTAssertEqual(values[16], -6)
        XCTAssertEqual(values[15], -8)
        XCTAssertEqual(values[31], 7)
        XCTAssertEqual(values[1], 0)
    }

    func testQ4_KSixBitScalesOfTheUpperGroups() throws {
        var block = [UInt8](repeating: 0, count: BlockLayout.Q4_K.bytes)
        block[0] = 0x00; block[1] = 0x3C   // d = 1
        block[2] = 0x00; block[3] = 0x38   // dmin = 0.5
        // Group 5: scale = (scales[9] & 0xF) | (scales[1] >> 6) << 4; min = (scales[9] >> 4) | (scales[5] >> 6) << 4.
        let scales = BlockLayout.Q4_K.scales
        block[scales + 9] = 0x73           // scale low 3, min low 7
        block[scales + 1] = 0b1000_0000    // scale high 2 -> scale 35
        block[scales + 5] = 0b0100_0000    // min high 1   -> min 23
        // Group 5 is the high nibbles of qs[64..<96] (pair 2): set element 5*32 + 0 to q = 2.
        block[BlockLayout.Q4_K.qs + 64] = 0x20
        let groupFive = block.withUnsafeBytes { BlockLayout.Q4_K.scaleAndMin(5, $0.baseAddress! + scales) }
        XCTAssertEqual(groupFive.scale, 35)
        XCTAssertEqual(groupFive.min, 23)
        let values = try block.withUnsafeBytes { try Dequantizer.dequantize(.q4_K, bytes: $0, count: 256) }
        XCTAssertEqual(values[160], 35 * 2 - 0.5 * 23)
        XCTAssertEqual(values[161], -0.5 * 23)
        XCTAssertEqual(values[0], 0)  // group 0: scale 0, min 0
    }

    func testBlockLayoutsMatchTheTypeTable() {
        let layouts: [(GGMLType, elements: Int, bytes: Int, lastFieldEnd: Int)] = [
            (.q4_0, BlockLayout.Q4_0.elements, BlockLayout.Q4_0.bytes, BlockLayout.Q4_0.qs + 16),
            (.q4_1, BlockLayout.Q4_1.elements, BlockLayout.Q4_1.bytes, BlockLayout.Q4_1.qs + 16),
            (.q5_0, BlockLayout.Q5_0.elements, BlockLayout.Q5_0.bytes, BlockLayout.Q5_0.qs + 16),
            (.q5_1, BlockLayout.Q5_1.elements, BlockLayout.Q5_1.bytes, BlockLayout.Q5_1.qs + 16),
            (.q8_0, BlockLayout.Q8_0.elements, BlockLayout.Q8_0.bytes, BlockLayout.Q8_0.qs + 32),
            (.q8_1, BlockLayout.Q8_1.elements, BlockLayout.Q8_1.bytes, BlockLayout.Q8_1.qs + 32),
            (.q8_K, BlockLayout.Q8_K.elements, BlockLayout.Q8_K.bytes, BlockLayout.Q8_K.bsums + 32),
            (.q2_K, BlockLayout.Q2_K.elements, BlockLayout.Q2_K.bytes, BlockLayout.Q2_K.dmin + 2),
            (.q3_K, BlockLayout.Q3_K.elements, BlockLayout.Q3_K.bytes, BlockLayout.Q3_K.d + 2),
            (.q4_K, BlockLayout.Q4_K.elements, BlockLayout.Q4_K.bytes, BlockLayout.Q4_K.qs + 128),
            (.q5_K, BlockLayout.Q5_K.elements, BlockLayout.Q5_K.bytes, BlockLayout.Q5_K.qs + 128),
            (.q6_K, BlockLayout.Q6_K.elements, BlockLayout.Q6_K.bytes, BlockLayout.Q6_K.d + 2),
        ]
        for (type, elements, bytes, lastFieldEnd) in layouts {
            XCTAssertEqual(elements, type.blockSize, "\(type)")
            XCTAssertEqual(bytes, type.bytesPerBlock, "\(type)")
            XCTAssertEqual(lastFieldEnd, bytes, "\(type): fields do not fill the block")
        }
        XCTAssertEqual(BlockLayout.Q8_K.bsums, BlockLayout.Q8_K.qs + 256)
        XCTAssertEqual(BlockLayout.Q2_K.qs, BlockLayout.Q2_K.scales + 16)
        XCTAssertEqual(BlockLayout.Q3_K.scales, BlockLayout.Q3_K.qs + 64)
        XCTAssertEqual(BlockLayout.Q5_K.qs, BlockLayout.Q5_K.qh + 32)
        XCTAssertEqual(BlockLayout.Q6_K.scales, BlockLayout.Q6_K.qh + 64)
    }

    // MARK: - API contract and bad input

    func testRejectsUnsupportedTypesMisalignedCountsAndShortBuffers() throws {
        let bytes = [UInt8](repeating: 0, count: 1024)
        try bytes.withUnsafeBytes { raw in
            for type in GGMLType.allCases where !Dequantizer.supports(type) {
                XCTAssertThrowsError(try Dequantizer.dequantize(type, bytes: raw, count: type.blockSize)) {
                    XCTAssertEqual($0 as? KernelError, .unsupportedType(type))
                }
            }
            XCTAssertThrowsError(try Dequantizer.dequantize(.q4_0, bytes: raw, count: 31)) {
                XCTAssertEqual($0 as? KernelError, .notBlockAligned(type: .q4_0, count: 31))
            }
            XCTAssertThrowsError(try Dequantizer.dequantize(.q6_K, bytes: raw, count: -256)) {
                XCTAssertEqual($0 as? KernelError, .notBlockAligned(type: .q6_K, count: -256))
            }
            XCTAssertThrowsError(try Dequantizer.dequantize(.q4_K, bytes: raw, count: 256 * 8)) {
                guard case .shapeMismatch = $0 as? KernelError else { return XCTFail("\($0)") }
            }
            XCTAssertThrowsError(try Dequantizer.dequantize(.f32, bytes: raw, count: Int.max)) {
                guard case .shapeMismatch = $0 as? KernelError else { return XCTFail("\($0)") }
            }
            XCTAssertEqual(try Dequantizer.dequantize(.q8_0, bytes: raw, count: 0), [])
            var out = [Float](repeating: 0, count: 32)
            XCTAssertThrowsError(try Dequantizer.dequantize(.q8_1, from: raw.baseAddress!, count: 32, into: &out)) {
                XCTAssertEqual($0 as? KernelError, .unsupportedType(.q8_1))
            }
        }
        XCTAssertTrue(KernelError.notBlockAligned(type: .q4_K, count: 100).description.contains("Q4_K"))
    }

    /// Tensor data in a file is aligned, but rows handed around need not be: decoding from an odd
    /// address gives the same values.
    func testDecodesFromUnalignedSource() throws {
        let fixtures = try Self.fixtures.get()
        for fixtureCase in fixtures.manifest.cases where fixtureCase.name.hasPrefix("synthetic.") {
            let type = try XCTUnwrap(GGMLType(rawValue: fixtureCase.typeId))
            let blockBytes = [UInt8](fixtures.blocks[fixtureCase.blocksOffset..<(fixtureCase.blocksOffset + fixtureCase.blocksLength)])
            let aligned = try blockBytes.withUnsafeBytes { try Dequantizer.dequantize(type, bytes: $0, count: fixtureCase.count) }
            let shifted = [0] + blockBytes
            var unaligned = [Float](repeating: .nan, count: fixtureCase.count)
            try shifted.withUnsafeBytes { raw in
                try unaligned.withUnsafeMutableBufferPointer {
                    try Dequantizer.dequantize(type, from: raw.baseAddress! + 1, count: fixtureCase.count, into: $0.baseAddress!)
                }
            }
            XCTAssertEqual(aligned.map(\.bitPattern), unaligned.map(\.bitPattern), fixtureCase.name)
        }
    }
}
