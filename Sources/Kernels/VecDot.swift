import CKernels
import GGUF

/// Dot products of one weight row (in its ggml blocks) with one activation row in the partner
/// format (`ActivationQuantization.format(for:)`): the fast C path and the Swift scalar twin.
///
/// The twins (here, `VecDotLegacy.swift` and `VecDotKQuants.swift`) are the oracle: ggml's integer
/// arithmetic (`ggml-cpu/quants.c`, the `_generic` functions) written out plainly, with one float
/// multiply-add per block. The portable C level does the same operations in the same order, so it
/// matches the twins bit for bit; the SIMD levels keep the integer parts exact and accumulate
/// floats per lane, so they differ by float rounding only.
public enum VecDot {
    /// Fast path: C, dispatched by CPU level. `count` must be a whole number of `type`'s blocks;
    /// `activations` must be in `ActivationQuantization.format(for: type)`. Returns 0 for types
    /// the kernels do not support (see `supportedTypes`).
    @inline(__always)
    public static func dot(_ type: GGMLType, count: Int, weights: UnsafeRawPointer,
                           activations: UnsafeRawPointer) -> Float {
        hk_vec_dot(type.rawValue, Int64(count), weights, activations)
    }

    /// The Swift scalar twin of `dot`. Returns 0 for types the kernels do not support.
    public static func dotScalar(_ type: GGMLType, count: Int, weights: UnsafeRawPointer,
                                 activations: UnsafeRawPointer) -> Float {
        switch type {
        case .f32: return dotF32(count, weights, activations)
        case .f16: return dotF16(count, weights, activations)
        case .q4_0: return dotQ4_0(count, weights, activations)
        case .q4_1: return dotQ4_1(count, weights, activations)
        case .q5_0: return dotQ5_0(count, weights, activations)
        case .q5_1: return dotQ5_1(count, weights, activations)
        case .q8_0: return dotQ8_0(count, weights, activations)
        case .q2_K: return dotQ2_K(count, weights, activations)
        case .q3_K: return dotQ3_K(count, weights, activations)
        case .q4_K: return dotQ4_K(count, weights, activations)
        case .q5_K: return dotQ5_K(count, weights, activations)
        case .q6_K: return dotQ6_K(count, weights, activations)
        default: return 0
        }
    }

    /// The weight types with dot products (and so mat-vec): F32, F16, Q4_0, Q4_1, Q5_0, Q5_1,
    /// Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K.
    public static var supportedTypes: [GGMLType] {
        GGMLType.allCases.filter { hk_supports_weight_type($0.rawValue) != 0 }
    }
}

// Byte readers shared by the twins: every block field is read unaligned, little-endian, as stored.
extension UnsafeRawPointer {
    @inline(__always) func half(_ offset: Int) -> Float {
        Half.toFloat(loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
    @inline(__always) func byte(_ offset: Int) -> Int32 {
        Int32(load(fromByteOffset: offset, as: UInt8.self))
    }
    @inline(__always) func int8(_ offset: Int) -> Int32 {
        Int32(load(fromByteOffset: offset, as: Int8.self))
    }
    @inline(__always) func int16(_ offset: Int) -> Int32 {
        Int32(loadUnaligned(fromByteOffset: offset, as: Int16.self))
    }
    @inline(__always) func float(_ offset: Int) -> Float {
        loadUnaligned(fromByteOffset: offset, as: Float.self)
    }
    @inline(__always) func uint32(_ offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
