import CKernels
import GGUF

/// Quantization of activations (f32 rows) to the 8-bit formats that ggml pairs with each weight
/// type: Q8_0 for Q4_0/Q5_0/Q8_0 weights, Q8_1 (which also carries s = d·Σq) for Q4_1/Q5_1, Q8_K
/// for the K-quants. F32 and F16 weights take f32 activations as they are.
///
/// Both paths here are bit for bit ggml's reference `quantize_row_q8_0_ref`, `_q8_1_ref` and
/// `_q8_K_ref`: the C one (dispatched, SIMD where the CPU has it) and the Swift scalar twin that
/// the tests hold it to.
public enum ActivationQuantization {
    /// The activation format for weights of `weightType`, or nil when the kernels lack the type.
    public static func format(for weightType: GGMLType) -> GGMLType? {
        let raw = hk_activation_type(weightType.rawValue)
        return raw < 0 ? nil : GGMLType(rawValue: UInt32(raw))
    }

    /// Bytes of one activation row of `columns` elements in `format` (.q8_0, .q8_1, .q8_K or .f32).
    public static func rowBytes(_ format: GGMLType, columns: Int) -> Int {
        Int(hk_activation_row_bytes(Int32(format.rawValue), Int64(columns)))
    }

    /// Quantizes `count` floats into `format` at `destination` (which must hold
    /// `rowBytes(format, columns: count)` bytes). Fast path: C, dispatched by CPU level.
    public static func quantize(_ x: UnsafePointer<Float>, count: Int, to format: GGMLType,
                                into destination: UnsafeMutableRawPointer) throws {
        try check(format, count: count)
        hk_quantize_row(Int32(format.rawValue), x, destination, Int64(count))
    }

    /// The Swift scalar twin of `quantize`: same bytes out, one plain loop.
    public static func quantizeScalar(_ x: UnsafePointer<Float>, count: Int, to format: GGMLType,
                                      into destination: UnsafeMutableRawPointer) throws {
        try check(format, count: count)
        switch format {
        case .q8_0: quantizeQ8_0(x, count: count, into: destination)
        case .q8_1: quantizeQ8_1(x, count: count, into: destination)
        case .q8_K: quantizeQ8_K(x, count: count, into: destination)
        default: destination.copyMemory(from: x, byteCount: count * 4)
        }
    }

    private static func check(_ format: GGMLType, count: Int) throws {
        guard [.q8_0, .q8_1, .q8_K, .f32].contains(format) else { throw KernelError.unsupportedType(format) }
        guard count >= 0, count % format.blockSize == 0 else {
            throw KernelError.notBlockAligned(type: format, count: count)
        }
    }

    // MARK: - Swift twins of ggml's reference quantizers

    /// roundf, then to Int8; NaN and out-of-range (only from non-finite input) become 0, as in C.
    @inline(__always)
    static func roundToInt8(_ v: Float) -> Int8 {
        let r = v.rounded(.toNearestOrAwayFromZero)
        return r >= -128 && r <= 127 ? Int8(r) : 0
    }

    /// ggml's `nearest_int`: adding 1.5·2^23 leaves the rounded integer (half to even) in the low
    /// mantissa bits. Pure bit arithmetic, so it cannot trap on any input.
    @inline(__always)
    static func nearestInt(_ v: Float) -> Int32 {
        let bits = (v + 12_582_912).bitPattern
        return Int32(bitPattern: bits & 0x007F_FFFF) &- 0x0040_0000
    }

    @inline(__always)
    static func absMax(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var amax: Float = 0
        for j in 0..<count {
            let v = abs(x[j])
            amax = amax > v ? amax : v // ggml's MAX(amax, v)
        }
        return amax
    }

    static func quantizeQ8_0(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutableRawPointer) {
        typealias L = BlockLayout.Q8_0
        for block in 0..<(count / L.elements) {
            let source = x + block * L.elements
            let out = y + block * L.bytes
            let d = absMax(source, L.elements) / 127
            let id: Float = d != 0 ? 1 / d : 0
            out.storeBytes(of: Half.fromFloat(d), toByteOffset: L.d, as: UInt16.self)
            for j in 0..<L.elements {
                out.storeBytes(of: roundToInt8(source[j] * id), toByteOffset: L.qs + j, as: Int8.self)
            }
        }
    }

    static func quantizeQ8_1(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutableRawPointer) {
        typealias L = BlockLayout.Q8_1
        for block in 0..<(count / L.elements) {
            let source = x + block * L.elements
            let out = y + block * L.bytes
            let d = absMax(source, L.elements) / 127
            let id: Float = d != 0 ? 1 / d : 0
            var sum: Int32 = 0
            for j in 0..<L.elements {
                let q = roundToInt8(source[j] * id)
                out.storeBytes(of: q, toByteOffset: L.qs + j, as: Int8.self)
                sum += Int32(q)
            }
            out.storeBytes(of: Half.fromFloat(d), toByteOffset: L.d, as: UInt16.self)
            out.storeBytes(of: Half.fromFloat(Float(sum) * d), toByteOffset: L.s, as: UInt16.self)
        }
    }

    /// Q8_K (`BlockLayout.Q8_K`).
    static func quantizeQ8_K(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutableRawPointer) {
        typealias L = BlockLayout.Q8_K
        for block in 0..<(count / L.elements) {
            let source = x + block * L.elements
            let out = y + block * L.bytes
            // The element of largest magnitude (the first, on ties) sets the scale and its sign.
            var maxValue: Float = 0, amax: Float = 0
            for j in 0..<L.elements {
                let ax = abs(source[j])
                if ax > amax { amax = ax; maxValue = source[j] }
            }
            if amax == 0 {
                out.initializeMemory(as: UInt8.self, repeating: 0, count: L.bytes)
                continue
            }
            let iscale = -127 / maxValue
            for j in 0..<L.elements {
                let v = min(nearestInt(iscale * source[j]), 127)
                out.storeBytes(of: Int8(truncatingIfNeeded: v), toByteOffset: L.qs + j, as: Int8.self)
            }
            for group in 0..<16 {
                var sum: Int32 = 0
                for l in 0..<16 {
                    sum += Int32(out.load(fromByteOffset: L.qs + 16 * group + l, as: Int8.self))
                }
                out.storeBytes(of: Int16(truncatingIfNeeded: sum), toByteOffset: L.bsums + 2 * group, as: Int16.self)
            }
            out.storeBytes(of: 1 / iscale, toByteOffset: L.d, as: Float.self)
        }
    }
}
