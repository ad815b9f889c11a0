import XCTest
import GGUF
@testable import Kernels

/// Activation quantization: the C path at every level must give the Swift twin's bytes exactly,
/// and both must be ggml's reference (roundf for Q8_0/Q8_1, nearest_int for Q8_K, fp16 scales).
final class ActivationQuantizationTests: XCTestCase {
    override func tearDown() {
        KernelDispatch.reset()
        super.tearDown()
    }

    private func quantize(_ x: [Float], to format: GGMLType, scalar: Bool) throws -> [UInt8] {
        var out = [UInt8](repeating: 0xAA, count: ActivationQuantization.rowBytes(format, columns: x.count))
        try x.withUnsafeBufferPointer { xp in
            try out.withUnsafeMutableBytes { yp in
                if scalar {
                    try ActivationQuantization.quantizeScalar(xp.baseAddress!, count: x.count, to: format, into: yp.baseAddress!)
                } else {
                    try ActivationQuantization.quantize(xp.baseAddress!, count: x.count, to: format, into: yp.baseAddress!)
                }
            }
        }
        return out
    }

    /// Inputs that exercise the rounding rules: random rows, rows whose scaled values land exactly
    /// on halves (roundf and round-half-even disagree there), zero rows, ties for the largest
    /// magnitude with opposite signs, and subnormal-scale rows.
    private func testRows() -> [[Float]] {
        var rng = TestRandom(seed: 7)
        var rows: [[Float]] = []
        for _ in 0..<6 { rows.append(TestData.randomActivations(1024, rng: &rng)) }
        // amax = 127 makes d = 1 and the scaled value x itself: halves everywhere.
        rows.append((0..<512).map { (i: Int) -> Float in i % 32 == 0 ? 127 : Float((i % 255) - 127) + 0.5 })
        // Q8_K: max = −2, iscale = 63.5: x = k/127 · 2 … lands on many .5 products.
        rows.append((0..<512).map { (i: Int) -> Float in i % 256 == 3 ? -2 : Float(i % 64 - 32) / 63.5 * 0.5 })
        rows.append([Float](repeating: 0, count: 512))
        rows.append((0..<512).map { (i: Int) -> Float in
            if i % 7 == 0 { return i % 2 == 0 ? 3 : -3 }
            return Float(i % 5) * 0.25
        })
        rows.append((0..<512).map { i in Float(i % 9) * 1e-30 })
        return rows
    }

    func testFastPathMatchesTwinAtEveryLevel() throws {
        for format in [GGMLType.q8_0, .q8_1, .q8_K] {
            for row in testRows() {
                let twin = try quantize(row, to: format, scalar: true)
                for level in KernelDispatch.available {
                    XCTAssertTrue(KernelDispatch.force(level))
                    let fast = try quantize(row, to: format, scalar: false)
                    XCTAssertEqual(fast, twin, "\(format) at \(level)")
                }
                KernelDispatch.reset()
            }
        }
    }

    /// Hand-worked Q8_0 block: amax 127 gives d = 1 (fp16 0x3C00) and q = roundf(x), halves away
    /// from zero (0.5 → 1, 2.5 → 3, −63.5 → −64), unlike round-half-even.
    func testQ8_0KnownBlock() throws {
        var x = [Float](repeating: 0, count: 32)
        x[0] = 127; x[1] = -63.5; x[2] = 0.5; x[3] = 2.5; x[4] = -0.5; x[5] = 126.4; x[6] = -127
        for scalar in [true, false] {
            let q = try quantize(x, to: .q8_0, scalar: scalar)
            XCTAssertEqual(q[0], 0x00); XCTAssertEqual(q[1], 0x3C)
            XCTAssertEqual(q[2...8].map { Int8(bitPattern: $0) }, [127, -64, 1, 3, -1, 126, -127])
        }
    }

    /// Q8_1 adds s = fp16(d · Σq).
    func testQ8_1KnownBlock() throws {
        var x = [Float](repeating: 0, count: 32)
        x[0] = 127; x[1] = 2.5; x[2] = -1.5
        for scalar in [true, false] {
            let q = try quantize(x, to: .q8_1, scalar: scalar)
            XCTAssertEqual(Half.toFloat(UInt16(q[0]) | UInt16(q[1]) << 8), 1)
            XCTAssertEqual(Half.toFloat(UInt16(q[2]) | UInt16(q[3]) << 8), 127 + 3 - 2)
            XCTAssertEqual(q[4...6].map { Int8(bitPattern: $0) }, [127, 3, -2])
        }
    }

    /// Q8_K: the signed element of largest magnitude maps to −127 (iscale = −127/max), rounding is
    /// half to even (nearest_int), d = 1/iscale as f32, bsums are sums of 16.
    func testQ8_KKnownBlock() throws {
        var x = [Float](repeating: 0, count: 256)
        x[0] = -2 // max = −2 → iscale = 63.5
        x[1] = 1 // 63.5 → 64 (even)
        x[2] = 3 / 63.5 // ≈ 3 → 3
        x[16] = 2 // exact tie in magnitude, later: does not change the scale; 2·63.5 = 127
        x[17] = 0.5 / 63.5 * 5 // ≈ 2.5 → 2 (even) if exact, otherwise the nearest
        for scalar in [true, false] {
            let q = try quantize(x, to: .q8_K, scalar: scalar)
            let d = q.withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
            XCTAssertEqual(d, 1 / Float(63.5))
            let qs = q[4..<260].map { Int8(bitPattern: $0) }
            XCTAssertEqual(qs[0], -127)
            XCTAssertEqual(qs[1], 64)
            XCTAssertEqual(qs[2], 3)
            XCTAssertEqual(qs[16], 127)
            let expected17 = Int8(((0.5 / 63.5 * 5) * Float(63.5)).rounded(.toNearestOrEven))
            XCTAssertEqual(qs[17], expected17)
            let bsums = q.withUnsafeBytes { raw in (0..<16).map { raw.loadUnaligned(fromByteOffset: 260 + 2 * $0, as: Int16.self) } }
            XCTAssertEqual(bsums[0], -127 + 64 + 3)
            XCTAssertEqual(bsums[1], 127 + Int16(expected17))
            XCTAssertEqual(bsums[2...].reduce(0, +), 0)
        }
    }

    func testZeroRowsGiveZeroBlocks() throws {
        let zeros = [Float](repeating: 0, count: 256)
        for format in [GGMLType.q8_0, .q8_1, .q8_K] {
            for scalar in [true, false] {
                XCTAssertEqual(try quantize(zeros, to: format, scalar: scalar).allSatisfy { $0 == 0 }, true, "\(format)")
            }
        }
    }

    /// Non-finite input must not trap (the Swift twin converts with explicit range checks).
    func testNonFiniteInputDoesNotTrap() throws {
        var x = [Float](repeating: 1, count: 256)
        x[3] = .nan; x[40] = .infinity; x[41] = -.infinity
        for format in [GGMLType.q8_0, .q8_1, .q8_K] {
            for scalar in [true, false] {
                _ = try quantize(x, to: format, scalar: scalar)
            }
        }
    }

    func testRejectsBadArguments() throws {
        var out = [UInt8](repeating: 0, count: 1024)
        let x = [Float](repeating: 0, count: 48)
        try out.withUnsafeMutableBytes { y in
            try x.withUnsafeBufferPointer { xp in
                XCTAssertThrowsError(try ActivationQuantization.quantize(xp.baseAddress!, count: 48, to: .q8_0, into: y.baseAddress!)) {
                    XCTAssertEqual($0 as? KernelError, .notBlockAligned(type: .q8_0, count: 48))
                }
                XCTAssertThrowsError(try ActivationQuantization.quantizeScalar(xp.baseAddress!, count: 32, to: .q4_0, into: y.baseAddress!)) {
                    XCTAssertEqual($0 as? KernelError, .unsupportedType(.q4_0))
                }
            }
        }
    }
}
