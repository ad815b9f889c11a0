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

/// Against ggml itself: values computed by the libggml-cpu that llama-cpp-python 0.3.36 ships,
/// on inputs that the same SplitMix64 generator makes there and here (`GoldenInputs`).
/// Activation quantization by `quantize_row_q8_0_ref` / `_q8_1_ref` / `_q8_K_ref` must match
/// byte for byte (compared by FNV-1a hash); dot products by `ggml_vec_dot_<type>_<partner>`
/// within the float tolerance of the other tests (ggml sums floats in another order).
/// The values come from `scripts/make_kernel_golden.py` (run with llama-cpp-python installed).
final class GGMLGoldenTests: XCTestCase {
    // quantize_row_<format>_ref of GoldenInputs.activations: FNV-1a 64 of the bytes
    static let q8_0Hash: UInt64 = 0x08a7f79b381a0912
    static let q8_1Hash: UInt64 = 0x208cf41980cc0b09
    static let q8_KHash: UInt64 = 0x4ee4fecc8bc3aef4
    // ggml_vec_dot_<type>_<partner>(GoldenInputs.weights(type), quantized activations): the SIMD
    // kernels llama.cpp runs on this machine kind (AVX-512). (The `_generic` Q5_0 kernel of that
    // build returns wrong values, reading q − 16 as unsigned; llama.cpp does not run it on x86.)
    static let dots: [GGMLType: UInt32] = [
        .q4_0: 0x42f4_9a06, // 122.30083
        .q4_1: 0x4403_1cfe, // 524.453
        .q5_0: 0x43a1_cd16, // 323.60223
        .q5_1: 0x44f4_dfc8, // 1958.9932
        .q8_0: 0x4528_29a4, // 2690.6025
        .q2_K: 0x4436_d1fa, // 731.2809
        .q3_K: 0x4413_fc5c, // 591.9431
        .q4_K: 0x4584_97c2, // 4242.9697
        .q5_K: 0x46bb_0576, // 23938.73
        .q6_K: 0xc726_d108, // -42705.03
    ]

    override func tearDown() {
        KernelDispatch.reset()
        super.tearDown()
    }

    func testActivationQuantizationIsGGMLReference() throws {
        let x = GoldenInputs.activations()
        for (format, expected) in [(GGMLType.q8_0, Self.q8_0Hash), (.q8_1, Self.q8_1Hash), (.q8_K, Self.q8_KHash)] {
            var out = [UInt8](repeating: 0, count: ActivationQuantization.rowBytes(format, columns: x.count))
            try ActivationQuantization.quantizeScalar(x, count: x.count, to: format, into: &out)
            XCTAssertEqual(GoldenInputs.fnv1a(out), expected, "Swift twin, \(format)")
            for level in KernelDispatch.available {
                KernelDispatch.force(level)
                out = [UInt8](repeating: 0, count: out.count)
                try ActivationQuantization.quantize(x, count: x.count, to: format, into: &out)
                XCTAssertEqual(GoldenInputs.fnv1a(out), expected, "\(format) at \(level)")
            }
            KernelDispatch.reset()
        }
    }

    func testDotProductsMatchGGML() throws {
        let x = GoldenInputs.activations()
        for (index, type) in GoldenInputs.types.enumerated() {
            let weights = GoldenInputs.weights(index, count: x.count)
            let activations = try TestData.quantizedScalar(x, for: type)
            let expected = Float(bitPattern: Self.dots[type]!)
            let tolerance = 1e-5 * (try TestData.magnitude(type, weights: weights, activations: activations, count: x.count))
            let twin = VecDot.dotScalar(type, count: x.count, weights: weights, activations: activations)
            XCTAssertLessThanOrEqual(Double(abs(twin - expected)), tolerance, "\(type): twin \(twin), ggml \(expected)")
            for level in KernelDispatch.available {
                KernelDispatch.force(level)
                let fast = VecDot.dot(type, count: x.count, weights: weights, activations: activations)
                XCTAssertLessThanOrEqual(Double(abs(fast - expected)), tolerance, "\(type) at \(level): \(fast), ggml \(expected)")
            }
            KernelDispatch.reset()
        }
    }
}

/// The inputs of the ggml golden values, made exactly as the generating script makes them.
enum GoldenInputs {
    static let types: [GGMLType] = [.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

    /// 512 random values (±4, every 61st ×16, every 97th zero), then 256 whose Q8_0/Q8_1 scaled
    /// values are exact halves, then 256 whose Q8_K scaled values are near halves.
    static func activations() -> [Float] {
        var rng = TestRandom(seed: 0x601D)
        var out: [Float] = []
        for i in 0..<512 {
            var v = Float(Int64(rng.next() >> 40) - 8_388_608) * 0x1p-21
            if i % 61 == 0 { v *= 16 }
            if i % 97 == 0 { v = 0 }
            out.append(v)
        }
        for i in 0..<256 { out.append(i % 32 == 0 ? 127 : Float((i % 255) - 127) + 0.5) }
        for i in 0..<256 { out.append(i == 3 ? -2 : Float(i % 64 - 32) / 63.5 * 0.5) }
        return out
    }

    /// Random bytes, with every fp16 scale set to a positive value in [2^-7, 2^-4) and every fp16
    /// min to ±[2^-8, 2^-7).
    static func weights(_ index: Int, count: Int) -> [UInt8] {
        let type = types[index]
        var rng = TestRandom(seed: 0xB10C + UInt64(index))
        let blocks = count / type.blockSize
        var data = (0..<(blocks * type.bytesPerBlock)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for block in 0..<blocks {
            for field in TestData.halfFields(type) {
                let bits: UInt16
                if field.isMin {
                    let sign: UInt16 = rng.next() & 1 != 0 ? 0x8000 : 0
                    bits = sign | (0x1C00 + UInt16(rng.next() % 0x0800))
                } else {
                    bits = 0x2000 + UInt16(rng.next() % 0x0C00)
                }
                data[block * type.bytesPerBlock + field.offset] = UInt8(bits & 0xFF)
                data[block * type.bytesPerBlock + field.offset + 1] = UInt8(bits >> 8)
            }
        }
        return data
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
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
