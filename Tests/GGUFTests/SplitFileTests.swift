import GGUF
import XCTest

/// Split models (llama.cpp's `gguf-split`): the first part holds the metadata, each part its tensors.
final class SplitFileTests: XCTestCase {
    private func part(_ number: Int, of count: Int, tensors: [(String, [Float])], metadata: Bool, totalTensors: Int) throws -> [UInt8] {
        var writer = GGUFWriter()
        if metadata {
            writer.set("general.architecture", .string("llama"))
            writer.set("general.name", .string("split"))
        }
        writer.set("split.no", .uint16(UInt16(number)))
        writer.set("split.count", .uint16(UInt16(count)))
        writer.set("split.tensors.count", .int32(Int32(totalTensors)))
        for (name, values) in tensors { try writer.addTensor(name: name, dimensions: [values.count], floats: values) }
        return try writer.serialize()
    }

    func testPartsLoadAsOneFile() throws {
        let first = try part(0, of: 2, tensors: [("a", [1, 2]), ("b", [3, 4, 5])], metadata: true, totalTensors: 3)
        let second = try part(1, of: 2, tensors: [("c", [6, 7, 8, 9])], metadata: false, totalTensors: 3)
        let file = try GGUFFile(partBytes: [first, second])
        XCTAssertEqual(file.partCount, 2)
        XCTAssertEqual(file.metadata.string("general.name"), "split")
        XCTAssertEqual(file.tensors.map(\.name), ["a", "b", "c"])
        XCTAssertEqual(file.fileSize, first.count + second.count)
        for (name, expected) in [("a", [Float(1), 2]), ("c", [6, 7, 8, 9])] {
            let data = try XCTUnwrap(file.data(named: name))
            XCTAssertEqual(Array(data.bindMemory(to: Float.self)), expected, name)
        }
    }

    func testMisassembledPartsAreRefused() throws {
        let first = try part(0, of: 2, tensors: [("a", [1])], metadata: true, totalTensors: 2)
        let second = try part(1, of: 2, tensors: [("c", [2])], metadata: false, totalTensors: 2)
        let duplicate = try part(1, of: 2, tensors: [("a", [2])], metadata: false, totalTensors: 2)
        let cases: [([[UInt8]], String)] = [
            ([first], "split.count is 2 but 1 parts were given"),
            ([second, first], "split.no is 1, expected 0"),
            ([first, duplicate], "appears in two parts"),
            ([try part(0, of: 2, tensors: [("a", [1])], metadata: true, totalTensors: 5), second], "split.tensors.count is 5"),
        ]
        for (parts, message) in cases {
            XCTAssertThrowsError(try GGUFFile(partBytes: parts), message) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
    }
}
