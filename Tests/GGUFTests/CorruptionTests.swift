import Foundation
import XCTest
import TestSupport
@testable import GGUF

/// Truncated and corrupted files: every trial must either parse into a consistent file or throw a
/// `GGUFError`; a crash, a trap or a huge allocation fails the whole run.
final class CorruptionTests: XCTestCase {
    #if DEBUG
    private let sampleMutationTrials = 1500
    private let realTruncationTrials = 120
    private let realMutationTrials = 60
    #else
    private let sampleMutationTrials = 5000
    private let realTruncationTrials = 400
    private let realMutationTrials = 400
    #endif

    // MARK: A small writer-built file

    func testEveryTruncationOfSampleFile() throws {
        for alignment in [1, 32] {
            let bytes = try makeSampleWriter(alignment: alignment).serialize()
            let full = try GGUFFile(bytes: bytes)
            let dataEnd = full.dataOffset + full.tensors.map { $0.offset + $0.byteCount }.max()!
            for length in 0...bytes.count {
                let prefix = Array(bytes[..<length])
                if length >= dataEnd {
                    // Only padding after the last tensor is missing: still a complete file.
                    XCTAssertEqual(try GGUFFile(bytes: prefix).tensors, full.tensors, "length \(length)")
                    continue
                }
                guard let error = expectGGUFError(try GGUFFile(bytes: prefix)) else { continue }
                switch error {
                case .emptyFile, .truncated, .countExceedsFile, .lengthExceedsFile:
                    XCTAssertLessThan(length, full.dataOffset, "length \(length): \(error)")
                case .tensorOutOfBounds:
                    XCTAssertGreaterThanOrEqual(length, full.dataOffset, "length \(length): \(error)")
                default:
                    XCTFail("length \(length): a truncation gave \(error)")
                }
            }
        }
    }

    func testRandomMutationsOfSampleFile() throws {
        let original = try makeSampleWriter().serialize()
        var generator = SplitMix64(seed: 0x6767_7566)
        var outcomes: [String: Int] = [:]
        for trial in 0..<sampleMutationTrials {
            var bytes = original
            mutate(&bytes, in: 0..<bytes.count, using: &generator)
            outcomes[parseAndCheck(bytes, trial: trial), default: 0] += 1
        }
        // The mutations must reach deep enough to trip many different checks, and sometimes still parse.
        XCTAssertGreaterThan(outcomes["parsed", default: 0], sampleMutationTrials / 20, "\(outcomes)")
        XCTAssertGreaterThanOrEqual(outcomes.count, 10, "\(outcomes)")
    }

    // MARK: A real model's header

    func testTruncationsOfRealHeader() throws {
        let file = try GGUFFile(url: TestModels.url("smollm2-135m-instruct"))
        let header = file.dataOffset
        let tableStart = try GGUFParser.parse(file.bytes).tensorTableOffset
        var generator = SplitMix64(seed: 42)
        // Every offset in the first 128 bytes (magic, counts, first keys), then offsets spread over
        // the metadata and dense over the tensor table, and the last bytes before the data.
        var lengths = Array(0..<128) + (header - 16..<header)
        while lengths.count < realTruncationTrials {
            lengths.append(lengths.count % 2 == 0
                ? Int.random(in: 128..<header, using: &generator)
                : Int.random(in: tableStart..<header, using: &generator))
        }
        let peakBefore = peakResidentBytes()
        for length in lengths {
            let prefix = UnsafeRawBufferPointer(rebasing: file.bytes[..<length])
            guard let error = expectGGUFError(try GGUFParser.parse(prefix)) else { continue }
            switch error {
            case .emptyFile, .truncated, .countExceedsFile, .lengthExceedsFile: break
            default: XCTFail("length \(length): a truncation gave \(error)")
            }
        }
        // Beyond the header, the first tensor's data is what is missing.
        let afterHeader = UnsafeRawBufferPointer(rebasing: file.bytes[..<(header + 4096)])
        guard case .tensorOutOfBounds? = expectGGUFError(try GGUFParser.parse(afterHeader)) else {
            return XCTFail("a file cut inside its tensor data must report the tensor out of bounds")
        }
        XCTAssertLessThan(peakResidentBytes() - peakBefore, 256 << 20, "truncated headers must not allocate hugely")
    }

    func testRandomMutationsOfRealHeader() throws {
        let file = try GGUFFile(url: TestModels.url("smollm2-135m-instruct"))
        let header = file.dataOffset
        let tableStart = try GGUFParser.parse(file.bytes).tensorTableOffset
        // A writable copy of the header and the first megabyte of tensor data. Without the rest of the
        // data no trial can parse in full (the sample-file test covers that path), but a corrupt count or
        // length still has real bytes to run into; with the whole 98 MB file, the trials that decode
        // tens of megabytes of tensor data as (repaired) strings would dominate the run time.
        let length = min(file.fileSize, header + (1 << 20))
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 4096)
        defer { copy.deallocate() }
        copy.copyMemory(from: UnsafeRawBufferPointer(rebasing: file.bytes[..<length]))

        var generator = SplitMix64(seed: 7)
        var outcomes: [String: Int] = [:]
        let peakBefore = peakResidentBytes()
        for trial in 0..<realMutationTrials {
            // A third of the trials in the header fields and first keys, a third in the tensor table,
            // a third anywhere in the metadata (mostly vocabulary strings).
            let region = [0..<256, tableStart..<header, 0..<header][trial % 3]
            var view = MutationView(buffer: copy)
            mutate(&view, in: region, using: &generator)
            outcomes[parseAndCheck(UnsafeRawBufferPointer(copy), trial: trial), default: 0] += 1
            view.undo()
        }
        XCTAssertEqual(memcmp(copy.baseAddress!, file.bytes.baseAddress!, length), 0,
                       "every mutation must have been undone")
        XCTAssertGreaterThanOrEqual(outcomes.count, 4, "\(outcomes)")
        XCTAssertLessThan(peakResidentBytes() - peakBefore, 256 << 20, "corrupted headers must not allocate hugely")
    }

    // MARK: Helpers

    /// Parses; on success checks that every tensor lies in the buffer and reads its first and last
    /// byte. Returns "parsed" or the error's case name, for the tally of outcomes.
    private func parseAndCheck(_ bytes: [UInt8], trial: Int) -> String {
        bytes.withUnsafeBytes { parseAndCheck($0, trial: trial) }
    }

    private func parseAndCheck(_ buffer: UnsafeRawBufferPointer, trial: Int) -> String {
        do {
            let layout = try GGUFParser.parse(buffer)
            var checksum: UInt8 = 0
            for tensor in layout.tensors {
                let start = layout.dataOffset + tensor.offset
                guard start + tensor.byteCount <= buffer.count, tensor.offset % layout.alignment == 0 else {
                    XCTFail("trial \(trial): tensor \(tensor.name) accepted outside the file")
                    continue
                }
                if tensor.byteCount > 0 { checksum ^= buffer[start] ^ buffer[start + tensor.byteCount - 1] }
                // The derived shape properties must not overflow for anything the reader accepted.
                XCTAssertLessThanOrEqual(tensor.rowByteCount, tensor.byteCount == 0 ? Int.max : tensor.byteCount)
                XCTAssertGreaterThanOrEqual(tensor.rowCount, 0)
            }
            _ = checksum
            return "parsed"
        } catch let error as GGUFError {
            XCTAssertFalse(error.description.isEmpty)
            return Mirror(reflecting: error).children.first?.label ?? error.description
        } catch {
            XCTFail("trial \(trial): unexpected error \(error)")
            return "other"
        }
    }

    /// Applies one to four random edits inside `region`: random bytes, single bit flips, or an 8-byte
    /// field set to a value that stresses counts and lengths (0, 1, 2^62, all ones, a small number).
    private func mutate<M: MutableByteBuffer>(_ bytes: inout M, in region: Range<Int>, using generator: inout SplitMix64) {
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let at = Int.random(in: region, using: &generator)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0:
                bytes[at] = UInt8.random(in: 0...255, using: &generator)
            case 1:
                bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            default:
                let values: [UInt64] = [0, 1, 1 << 62, UInt64.max, UInt64.random(in: 0..<100_000, using: &generator)]
                let value = values.randomElement(using: &generator)!
                for k in 0..<8 where at + k < region.upperBound {
                    bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k)))
                }
            }
        }
    }
}

/// What `mutate` edits: a byte array, or a buffer that remembers each byte before changing it.
protocol MutableByteBuffer {
    subscript(index: Int) -> UInt8 { get set }
}

extension Array: MutableByteBuffer where Element == UInt8 {}

/// A buffer that remembers each byte before changing it, so that a trial can be undone without
/// copying the whole model again.
struct MutationView: MutableByteBuffer {
    let buffer: UnsafeMutableRawBufferPointer
    private var saved: [(offset: Int, byte: UInt8)] = []

    init(buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    subscript(index: Int) -> UInt8 {
        get { buffer[index] }
        set {
            saved.append((index, buffer[index]))
            buffer[index] = newValue
        }
    }

    mutating func undo() {
        for (offset, byte) in saved.reversed() { buffer[offset] = byte }
        saved = []
    }
}
