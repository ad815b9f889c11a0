import Foundation
import Kernels
import XCTest

/// fp16 and bf16 conversions, held to Swift's `Float16`, to Swift ports of ggml's portable
/// conversions (ggml-impl.h, after Maratyszcza/FP16), and to the table the fixture script checked
/// against numpy.
final class HalfTests: XCTestCase {

    /// `ggml_compute_fp16_to_fp32`: the magic-number conversion ggml uses without F16C.
    static func ggmlFP16ToFP32(_ half: UInt16) -> Float {
        let w = UInt32(half) << 16
        let sign = w & 0x8000_0000
        let twoW = w &+ w
        let exponentOffset: UInt32 = 0xE0 << 23
        let exponentScale = Float(bitPattern: 0x0780_0000)  // 2^-112
        let normalized = Float(bitPattern: (twoW >> 4) &+ exponentOffset) * exponentScale
        let magicMask: UInt32 = 126 << 23
        let denormalized = Float(bitPattern: (twoW >> 17) | magicMask) - 0.5
        let denormalizedCutoff: UInt32 = 1 << 27
        return Float(bitPattern: sign | (twoW < denormalizedCutoff ? denormalized.bitPattern : normalized.bitPattern))
    }

    /// `ggml_compute_fp32_to_fp16`: ggml's portable float-to-half, round to nearest even.
    static func ggmlFP32ToFP16(_ value: Float) -> UInt16 {
        let scaleToInfinity = Float(bitPattern: 0x7780_0000)  // 2^112
        let scaleToZero = Float(bitPattern: 0x0880_0000)      // 2^-110
        var base = (abs(value) * scaleToInfinity) * scaleToZero
        let w = value.bitPattern
        let shiftedW = w &+ w
        let sign = w & 0x8000_0000
        var bias = shiftedW & 0xFF00_0000
        if bias < 0x7100_0000 { bias = 0x7100_0000 }
        base = Float(bitPattern: (bias >> 1) &+ 0x0780_0000) + base
        let bits = base.bitPattern
        let exponentBits = (bits >> 13) & 0x0000_7C00
        let mantissaBits = bits & 0x0000_0FFF
        let nonSign = exponentBits &+ mantissaBits
        return UInt16(truncatingIfNeeded: (sign >> 16) | (shiftedW > 0xFF00_0000 ? 0x7E00 : nonSign))
    }

    /// Loops over millions of values record failures here and assert once: XCTAssert per value
    /// would dominate the run time in debug builds.
    struct Failures {
        private(set) var count = 0
        private(set) var first: [String] = []
        mutating func check(_ condition: Bool, _ message: @autoclosure () -> String) {
            guard !condition else { return }
            count += 1
            if first.count < 5 { first.append(message()) }
        }
    }

    static func hex<T: BinaryInteger>(_ value: T) -> String { "0x" + String(value, radix: 16) }

    func testToFloatIsExactForAllPatternsAndAgreesWithGGMLAndSwift() throws {
        var table = [Float](repeating: 0, count: 65536)
        var failures = Failures()
        for pattern in 0...UInt16.max {
            let value = Half.toFloat(pattern)
            table[Int(pattern)] = value
            // ggml's portable conversion, bit for bit, NaNs included (both quiet signalling NaNs).
            failures.check(value.bitPattern == Self.ggmlFP16ToFP32(pattern).bitPattern, "ggml \(Self.hex(pattern))")
            let reference = Float(Float16(bitPattern: pattern))
            if reference.isNaN {
                let sameSign = value.bitPattern & 0x8000_0000 == UInt32(pattern & 0x8000) << 16
                let quiet = value.bitPattern & 0x7FC0_0000 == 0x7FC0_0000
                let samePayload = (value.bitPattern >> 13) & 0x1FF == UInt32(pattern & 0x1FF)
                failures.check(value.isNaN && sameSign && quiet && samePayload, "NaN \(Self.hex(pattern))")
            } else {
                failures.check(value.bitPattern == reference.bitPattern, "Float16 \(Self.hex(pattern))")
                // Exact: converting back gives the same half.
                failures.check(Half.fromFloat(value) == pattern, "round trip \(Self.hex(pattern))")
            }
        }
        XCTAssertEqual(failures.count, 0, "\(failures.first)")
        // The same table the fixture script built with ggml's algorithm and checked against numpy.
        let recorded = try DequantizeTests.fixtures.get().manifest.fp16ToFloat
        XCTAssertEqual(recorded.patterns, 65536)
        let checksum = table.withUnsafeBufferPointer(DequantizeTests.fnv1a64)
        XCTAssertEqual(DequantizeTests.hex(checksum), recorded.fnv1a64)
    }

    func testFromFloatRoundsToNearestEvenAtEveryMidpoint() {
        var failures = Failures()
        // Every pair of adjacent finite halves, and the step past the largest one (toward 65536).
        for pattern in UInt16(0)..<0x7C00 {
            let low = Double(Half.toFloat(pattern))
            let high = pattern == 0x7BFF ? 65536.0 : Double(Half.toFloat(pattern + 1))
            let midpoint = Float((low + high) / 2)
            failures.check(Double(midpoint) == (low + high) / 2, "midpoint not exact")  // halves have 11-bit significands
            let even = pattern & 1 == 0 ? pattern : pattern + 1
            for sign in [Float(1), -1] {
                let signBit: UInt16 = sign < 0 ? 0x8000 : 0
                let value = sign * midpoint
                let name = "midpoint after \(Self.hex(signBit | pattern))"
                failures.check(Half.fromFloat(value) == signBit | even, name + ": not the even neighbour")
                failures.check(Half.fromFloat(sign * midpoint.nextDown) == signBit | pattern, name + " - 1 ulp")
                failures.check(Half.fromFloat(sign * midpoint.nextUp) == signBit | (pattern + 1), name + " + 1 ulp")
                failures.check(Half.fromFloat(value) == Self.ggmlFP32ToFP16(value), name + ": ggml differs")
                failures.check(Half.fromFloat(value) == Float16(value).bitPattern, name + ": Float16 differs")
            }
        }
        XCTAssertEqual(failures.count, 0, "\(failures.first)")
    }

    func testFromFloatAgreesWithGGMLAndSwiftAcrossFloats() {
        // A stride through all 2^32 float bit patterns (about a million), plus edge cases.
        var patterns: [UInt32] = [0x477F_F000, 0x477F_EFFF, 0x7F7F_FFFF, 0x7F80_0000, 0x0000_0001, 0x3300_0000,
                                  0x3300_0001, 0x3380_0000, 0x387F_FFFF, 0x3880_0000, 0x387F_E000, 0x387F_F000]
        patterns += stride(from: UInt32(0), to: 0x8000_0000, by: 4093)
        var failures = Failures()
        for pattern in patterns {
            for word in [pattern, pattern | 0x8000_0000] {
                let value = Float(bitPattern: word)
                let half = Half.fromFloat(value)
                if value.isNaN {
                    let sameSign = half & 0x8000 == UInt16(truncatingIfNeeded: word >> 16) & 0x8000
                    failures.check(half & 0x7E00 == 0x7E00 && sameSign, "NaN \(Self.hex(word))")
                    failures.check(Self.ggmlFP32ToFP16(value) & 0x7E00 == 0x7E00, "ggml NaN \(Self.hex(word))")
                } else {
                    failures.check(half == Float16(value).bitPattern, "Float16 \(Self.hex(word))")
                    failures.check(half == Self.ggmlFP32ToFP16(value), "ggml \(Self.hex(word))")
                }
            }
        }
        XCTAssertEqual(failures.count, 0, "\(failures.first)")
        XCTAssertEqual(Half.fromFloat(65520), 0x7C00)
        XCTAssertEqual(Half.fromFloat(65519.996), 0x7BFF)
        XCTAssertEqual(Half.fromFloat(-.infinity), 0xFC00)
        XCTAssertEqual(Half.fromFloat(Float(bitPattern: 0x7FA0_0000)), 0x7F00)  // F16C keeps the payload top
    }

    func testBF16IsTheUpperHalfOfAFloat() {
        var failures = Failures()
        for pattern in 0...UInt16.max {
            failures.check(Half.bf16ToFloat(pattern).bitPattern == UInt32(pattern) << 16, Self.hex(pattern))
        }
        XCTAssertEqual(failures.count, 0, "\(failures.first)")
        XCTAssertEqual(Half.bf16ToFloat(0x3F80), 1)
        XCTAssertEqual(Half.bf16ToFloat(0xC040), -3)
    }
}
