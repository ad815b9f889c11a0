import XCTest
import GGUF
@testable import Kernels

/// The C dot products at every dispatch level this machine has, held to the Swift scalar twins;
/// and the twins themselves held to the independent dequantizer (Σ dequantized w · x).
///
/// Tolerances: the portable C level does the twins' operations in the twins' order, so it must
/// match bit for bit. SIMD levels keep every integer part exact and sum floats in another order:
/// |fast − twin| ≤ 1e-5 · Σ|w_i·x_i| (the largest error seen is 5e-8 of it).
final class VecDotTests: XCTestCase {
    override func tearDown() {
        KernelDispatch.reset()
        super.tearDown()
    }

    func testEveryLevelMatchesTheScalarTwin() throws {
        var rng = TestRandom(seed: 0x5eed_d07)
        for type in VecDot.supportedTypes {
            for blocks in [1, 3, 8, 18] {
                let count = blocks * (type.blockSize == 1 ? 32 : type.blockSize) + (type.blockSize == 1 ? 5 : 0)
                let weights = TestData.randomWeights(type, count: count, rng: &rng)
                let input = TestData.randomActivations(count, rng: &rng)
                let activations = try TestData.quantizedScalar(input, for: type)
                let twin = weights.withUnsafeBytes { w in
                    activations.withUnsafeBytes { x in
                        VecDot.dotScalar(type, count: count, weights: w.baseAddress!, activations: x.baseAddress!)
                    }
                }
                let scale = try TestData.magnitude(type, weights: weights, activations: activations, count: count)
                for level in KernelDispatch.available {
                    XCTAssertTrue(KernelDispatch.force(level))
                    let fast = weights.withUnsafeBytes { w in
                        activations.withUnsafeBytes { x in
                            VecDot.dot(type, count: count, weights: w.baseAddress!, activations: x.baseAddress!)
                        }
                    }
                    if level == .portable {
                        XCTAssertEqual(fast.bitPattern, twin.bitPattern, "\(type) × \(count) at \(level): \(fast) vs \(twin)")
                    } else {
                        XCTAssertLessThanOrEqual(Double(abs(fast - twin)), 1e-5 * scale,
                                                 "\(type) × \(count) at \(level): \(fast) vs \(twin)")
                    }
                }
                KernelDispatch.reset()
            }
        }
    }

    /// The twins against Σ dequantize(w)·dequantize(x) in Double. Only float rounding separates them,
    /// plus, for Q4_1/Q5_1, ggml's fp16 rounding of s = d·Σq in Q8_1 (relative 2^-11 of m·s).
    func testScalarTwinMatchesDequantizedProduct() throws {
        var rng = TestRandom(seed: 42)
        for type in VecDot.supportedTypes {
            let count = 4 * (type.blockSize == 1 ? 64 : type.blockSize)
            let weights = TestData.randomWeights(type, count: count, rng: &rng)
            let input = TestData.randomActivations(count, rng: &rng)
            let activations = try TestData.quantizedScalar(input, for: type)
            let w = try weights.withUnsafeBytes { try Dequantizer.dequantize(type, bytes: $0, count: count) }
            let x = TestData.dequantizeActivations(activations, for: type, count: count)
            var exact = 0.0
            for i in 0..<count { exact += Double(w[i]) * Double(x[i]) }
            let twin = weights.withUnsafeBytes { wb in
                activations.withUnsafeBytes { xb in
                    VecDot.dotScalar(type, count: count, weights: wb.baseAddress!, activations: xb.baseAddress!)
                }
            }
            var tolerance = 1e-5 * (try TestData.magnitude(type, weights: weights, activations: activations, count: count))
            if type == .q4_1 || type == .q5_1 {
                tolerance += TestData.minTimesSum(type, weights: weights, activations: activations, count: count) * 0x1p-11
            }
            XCTAssertLessThanOrEqual(abs(Double(twin) - exact), tolerance, "\(type): twin \(twin) vs exact \(exact)")
        }
    }

    /// A hand-worked Q4_0 block: weights d·(q − 8) against Q8_0 activations.
    func testKnownQ4_0Block() {
        var weights = [UInt8](repeating: 0, count: 18)
        weights[0] = 0x00; weights[1] = 0x40 // d = 2.0
        for j in 0..<16 { weights[2 + j] = UInt8(j) | UInt8(15 - j) << 4 } // low q = j, high q = 15 − j
        var activations = [UInt8](repeating: 0, count: 34)
        activations[0] = 0x00; activations[1] = 0x38 // d = 0.5
        for j in 0..<32 { activations[2 + j] = UInt8(bitPattern: Int8(j % 2 == 0 ? 1 : -1)) }
        // Σ (q − 8)·y: low half Σ_j (j − 8)(±1) = −8 (pairs give −1 each), high half the mirror: +8.
        var expected: Float = 0
        for j in 0..<16 {
            let y: Float = j % 2 == 0 ? 1 : -1
            expected += Float(j - 8) * y + Float(7 - j) * y
        }
        expected *= 2.0 * 0.5
        for level in KernelDispatch.available {
            KernelDispatch.force(level)
            let fast = VecDot.dot(.q4_0, count: 32, weights: weights, activations: activations)
            XCTAssertEqual(fast, expected, "\(level)")
        }
        XCTAssertEqual(VecDot.dotScalar(.q4_0, count: 32, weights: weights, activations: activations), expected)
    }

    func testSupportedTypes() {
        XCTAssertEqual(Set(VecDot.supportedTypes),
                       [.f32, .f16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K])
        XCTAssertEqual(ActivationQuantization.format(for: .q4_1), .q8_1)
        XCTAssertEqual(ActivationQuantization.format(for: .q5_0), .q8_0)
        XCTAssertEqual(ActivationQuantization.format(for: .q6_K), .q8_K)
        XCTAssertEqual(ActivationQuantization.format(for: .f16), .f32)
        XCTAssertNil(ActivationQuantization.format(for: .iq2_xxs))
        XCTAssertTrue(KernelDispatch.available.contains(.portable))
    }
}

// MARK: - Shared test data (used by the other kernel test files too)

/// SplitMix64: small, seedable, the same sequence on every platform.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    /// Uniform in [low, high).
    mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * Float(next() >> 40) / Float(1 << 24)
    }
}

enum TestData {
    /// Byte offsets of the fp16 scale fields in one block: (offset, is a min).
    static func halfFields(_ type: GGMLType) -> [(offset: Int, isMin: Bool)] {
        switch type {
        case .q4_0: return [(BlockLayout.Q4_0.d, false)]
        case .q4_1: return [(BlockLayout.Q4_1.d, false), (BlockLayout.Q4_1.m, true)]
        case .q5_0: return [(BlockLayout.Q5_0.d, false)]
        case .q5_1: return [(BlockLayout.Q5_1.d, false), (BlockLayout.Q5_1.m, true)]
        case .q8_0: return [(BlockLayout.Q8_0.d, false)]
        case .q2_K: return [(BlockLayout.Q2_K.d, false), (BlockLayout.Q2_K.dmin, true)]
        case .q3_K: return [(BlockLayout.Q3_K.d, false)]
        case .q4_K: return [(BlockLayout.Q4_K.d, false), (BlockLayout.Q4_K.dmin, true)]
        case .q5_K: return [(BlockLayout.Q5_K.d, false), (BlockLayout.Q5_K.dmin, true)]
        case .q6_K: return [(BlockLayout.Q6_K.d, false)]
        default: return []
        }
    }

    /// Random weights of `type`: every quant and sub-scale bit random, fp16 scales finite and of
    /// realistic size (mins a little smaller, of either sign, as real files have).
    static func randomWeights(_ type: GGMLType, count: Int, rng: inout TestRandom) -> [UInt8] {
        switch type {
        case .f32:
            return (0..<count).flatMap { _ in withUnsafeBytes(of: rng.uniform(-1, 1)) { Array($0) } }
        case .f16:
            return (0..<count).flatMap { _ in withUnsafeBytes(of: Half.fromFloat(rng.uniform(-1, 1))) { Array($0) } }
        default:
            let blocks = count / type.blockSize
            var bytes = (0..<(blocks * type.bytesPerBlock)).map { _ in rng.byte() }
            for block in 0..<blocks {
                for field in halfFields(type) {
                    let value = field.isMin ? rng.uniform(-0.02, 0.02) : rng.uniform(0.001, 0.05) * (rng.byte() < 32 ? -1 : 1)
                    let bits = Half.fromFloat(value)
                    bytes[block * type.bytesPerBlock + field.offset] = UInt8(bits & 0xFF)
                    bytes[block * type.bytesPerBlock + field.offset + 1] = UInt8(bits >> 8)
                }
            }
            return bytes
        }
    }

    /// Activations like a hidden state: mostly small, a few large outliers, some exact zeros.
    static func randomActivations(_ count: Int, rng: inout TestRandom) -> [Float] {
        (0..<count).map { _ in
            let pick = rng.byte()
            if pick < 8 { return rng.uniform(-40, 40) }
            if pick < 12 { return 0 }
            return rng.uniform(-2, 2)
        }
    }

    /// `input` quantized by the Swift twin to the partner format of `type` (bytes).
    static func quantizedScalar(_ input: [Float], for type: GGMLType) throws -> [UInt8] {
        let format = ActivationQuantization.format(for: type)!
        var out = [UInt8](repeating: 0, count: ActivationQuantization.rowBytes(format, columns: input.count))
        try input.withUnsafeBufferPointer { x in
            try out.withUnsafeMutableBytes { y in
                try ActivationQuantization.quantizeScalar(x.baseAddress!, count: input.count, to: format, into: y.baseAddress!)
            }
        }
        return out
    }

    /// The activation values a quantized row stands for (d·q; f32 as is).
    static func dequantizeActivations(_ bytes: [UInt8], for type: GGMLType, count: Int) -> [Float] {
        bytes.withUnsafeBytes { raw in
            let p = raw.baseAddress!
            switch ActivationQuantization.format(for: type)! {
            case .q8_0:
                return (0..<count).map { i in p.half(34 * (i / 32)) * Float(p.int8(34 * (i / 32) + 2 + i % 32)) }
            case .q8_1:
                return (0..<count).map { i in p.half(36 * (i / 32)) * Float(p.int8(36 * (i / 32) + 4 + i % 32)) }
            case .q8_K:
                return (0..<count).map { i in p.float(292 * (i / 256)) * Float(p.int8(292 * (i / 256) + 4 + i % 256)) }
            default:
                return (0..<count).map { i in p.float(4 * i) }
            }
        }
    }

    /// Σ |w_i · x_i| over dequantized values, the scale for float-rounding tolerances.
    static func magnitude(_ type: GGMLType, weights: [UInt8], activations: [UInt8], count: Int) throws -> Double {
        let w = try weights.withUnsafeBytes { try Dequantizer.dequantize(type, bytes: $0, count: count) }
        let x = dequantizeActivations(activations, for: type, count: count)
        var sum = 0.0
        for i in 0..<count { sum += abs(Double(w[i]) * Double(x[i])) }
        return sum
    }

    /// Σ over blocks |m · s| for Q4_1/Q5_1 against Q8_1.
    static func minTimesSum(_ type: GGMLType, weights: [UInt8], activations: [UInt8], count: Int) -> Double {
        let minOffset = type == .q4_1 ? BlockLayout.Q4_1.m : BlockLayout.Q5_1.m
        return weights.withUnsafeBytes { w in
            activations.withUnsafeBytes { x in
                (0..<(count / 32)).reduce(0.0) { sum, block in
                    sum + abs(Double(w.baseAddress!.half(block * type.bytesPerBlock + minOffset))
                        * Double(x.baseAddress!.half(block * 36 + 2)))
                }
            }
        }
    }
}
