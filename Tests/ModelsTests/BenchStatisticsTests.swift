import Engine
import Foundation
import Models
import XCTest

/// The pure parts of `hearth bench`: statistics, the /proc reader, seeded tokens, and a run on a tiny
/// synthetic model (counts and validity only: no test here asserts a time or a speed).
final class BenchStatisticsTests: XCTestCase {
    func testMedianOfOddAndEvenCounts() throws {
        XCTAssertEqual(try XCTUnwrap(SampleSummary([5, 1, 3])).median, 3)
        XCTAssertEqual(try XCTUnwrap(SampleSummary([4, 1, 3, 2])).median, 2.5)
        XCTAssertEqual(try XCTUnwrap(SampleSummary([7])).median, 7)
    }

    func testSampleStandardDeviationDividesByNMinusOne() throws {
        // Mean 5, squared deviations sum to 32: sample variance 32 / 7 (population variance would be 4).
        let summary = try XCTUnwrap(SampleSummary([2, 4, 4, 4, 5, 5, 7, 9]))
        XCTAssertEqual(summary.mean, 5)
        XCTAssertEqual(summary.standardDeviation, (32.0 / 7).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(summary.minimum, 2)
        XCTAssertEqual(summary.maximum, 9)
        XCTAssertEqual(summary.count, 8)
        XCTAssertEqual(try XCTUnwrap(SampleSummary([3.5])).standardDeviation, 0)
    }

    func testSpreadOfNearlyEqualLargeSamplesKeepsItsDigits() throws {
        // The one-pass formula (sum of squares minus n·mean²) cancels to noise or a negative here.
        let summary = try XCTUnwrap(SampleSummary([1e9 + 1, 1e9 + 2, 1e9 + 3]))
        XCTAssertEqual(summary.standardDeviation, 1, accuracy: 1e-6)
    }

    func testSummaryRejectsNoSamplesAndNonFiniteOnes() {
        XCTAssertNil(SampleSummary([]))
        XCTAssertNil(SampleSummary([1, .nan]))
        XCTAssertNil(SampleSummary([.infinity, 2]))
    }

    func testStatusParsing() {
        let status = """
        Name:\thearth
        VmPeak:\t  123456 kB
        VmHWM:\t    2048 kB
        VmRSS:\t    1024 kB
        Threads:\t3
        """
        XCTAssertEqual(ProcessMemory.bytes(of: "VmHWM", inStatus: status), 2048 * 1024)
        XCTAssertEqual(ProcessMemory.bytes(of: "VmRSS", inStatus: status), 1024 * 1024)
        XCTAssertEqual(ProcessMemory.bytes(of: "Threads", inStatus: status), 3)
        XCTAssertNil(ProcessMemory.bytes(of: "VmSwap", inStatus: status))
        XCTAssertNil(ProcessMemory.bytes(of: "Name", inStatus: status), "not a number")
        XCTAssertNil(ProcessMemory.bytes(of: "VmHWM", inStatus: "VmHWM:\t12 parsecs"))
        XCTAssertNil(ProcessMemory.bytes(of: "VmHWM", inStatus: "VmHWM:\t\(Int.max) kB"), "overflow")
        XCTAssertNil(ProcessMemory.bytes(of: "VmHWM", inStatus: "VmHWMX:\t5 kB"), "a field is matched whole")
    }

    func testPeakResidentMemoryCoversATouchedAllocation() throws {
        guard FileManager.default.fileExists(atPath: "/proc/self/status") else {
            throw XCTSkip("no /proc on this system")
        }
        let size = 64 << 20
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 4096)
        defer { block.deallocate() }
        // Touch every page so it becomes resident.
        for offset in stride(from: 0, to: size, by: 4096) { block[offset] = 1 }
        // Not peak >= current: the kernel folds its per-thread counters into VmRSS and VmHWM lazily, so
        // two reads a moment apart can disagree by a few pages.
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(ProcessMemory.residentBytes()), size)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(ProcessMemory.peakResidentBytes()), size)
    }

    func testBenchmarkTokensAreValidSeededAndBeginWithBOS() {
        var tokens = BenchmarkTokens(vocabularySize: 100, beginning: 1, seed: 7)
        let first = tokens.sequence(count: 500)
        XCTAssertEqual(first.count, 500)
        XCTAssertEqual(first[0], 1)
        XCTAssertTrue(first.allSatisfy { (0..<100).contains($0) })
        XCTAssertGreaterThan(Set(first).count, 50, "spread over the vocabulary")
        var again = BenchmarkTokens(vocabularySize: 100, beginning: 1, seed: 7)
        XCTAssertEqual(again.sequence(count: 500), first)
        var other = BenchmarkTokens(vocabularySize: 100, beginning: nil, seed: 8)
        XCTAssertNotEqual(other.sequence(count: 500), first)
        XCTAssertEqual(tokens.sequence(count: 0), [])
    }

    func testTestNamesFollowLlamaBench() {
        XCTAssertEqual(BenchmarkTest(.promptProcessing, tokens: 512).name, "pp512")
        XCTAssertEqual(BenchmarkTest(.generation, tokens: 128).name, "tg128")
        XCTAssertEqual(BenchmarkTest(.generation, tokens: 128, depth: 4096).name, "tg128 @ d4096")
        XCTAssertEqual(BenchmarkTest(.promptProcessing, tokens: 512, depth: 4096).contextLength, 4608)
    }

    func testContinuationsCarryNoBeginningToken() {
        var tokens = BenchmarkTokens(vocabularySize: 3, beginning: 7, seed: 3)
        XCTAssertTrue(tokens.continuation(count: 200).allSatisfy { (0..<3).contains($0) })
    }

    func testRunOnATinyModelGivesOneFiniteSampleEachRepetition() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hearth-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("tiny.gguf")
        try TinyModel().write(to: url)
        let model = try LanguageModel(url: url)
        let together = BenchmarkTest(.generation, tokens: 8, sequences: 3)
        XCTAssertEqual(together.name, "tg8x3")
        XCTAssertEqual(BenchmarkTest(.promptProcessing, tokens: 8, sequences: 3).name, "pp8")
        for test in [BenchmarkTest(.promptProcessing, tokens: 20), BenchmarkTest(.generation, tokens: 8), together] {
            let samples = try test.run(model: model, threads: 2, batchSize: 7, repetitions: 3, seed: 1)
            XCTAssertEqual(samples.count, 3, test.name)
            XCTAssertTrue(samples.allSatisfy { $0.isFinite && $0 > 0 }, test.name)
        }
        // After a depth: the cached tokens plus the test's must fit, and do up to the last position.
        for test in [BenchmarkTest(.promptProcessing, tokens: 16, depth: 48), BenchmarkTest(.generation, tokens: 8, depth: 56),
                     BenchmarkTest(.generation, tokens: 4, sequences: 3, depth: 60)] {
            let samples = try test.run(model: model, threads: 2, batchSize: 7, repetitions: 2, seed: 1)
            XCTAssertEqual(samples.count, 2, test.name)
            XCTAssertTrue(samples.allSatisfy { $0.isFinite && $0 > 0 }, test.name)
        }
        // A test longer than the model's context is an error, not a crash.
        XCTAssertThrowsError(try BenchmarkTest(.promptProcessing, tokens: 65).run(model: model, threads: 1,
                                                                                 repetitions: 1, seed: 1))
        XCTAssertThrowsError(try BenchmarkTest(.generation, tokens: 8, depth: 60).run(model: model, threads: 1,
                                                                                    repetitions: 1, seed: 1))
    }
}
