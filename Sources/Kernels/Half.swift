import CKernels

/// Bit-level conversions between IEEE binary16 ("fp16", ggml's `ggml_half`), bfloat16 and Float.
///
/// These are written with integer operations rather than `Float(Float16(bitPattern:))` because
/// without F16C in the compilation target Swift lowers that to a library call per value, and
/// because the rounding and NaN rules are spelled out here where the tests can hold them to ggml.
public enum Half {
    /// fp16 bits to Float. Exact: every binary16 value, subnormals included, is a binary32 value.
    /// Infinities keep their sign; NaNs keep sign and payload (shifted into the top of the Float
    /// mantissa) and come out quiet, which is what F16C's `vcvtph2ps` and ggml's portable
    /// `ggml_compute_fp16_to_fp32` both do. (numpy's `astype(float32)`, used by the `gguf` Python
    /// package, keeps a signalling NaN signalling instead; we follow ggml.)
    @inlinable
    public static func toFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        if exponent == 0x1F {
            // Infinity or NaN: all-ones exponent in binary32 too; a NaN gets the quiet bit.
            let quietBit: UInt32 = mantissa == 0 ? 0 : 0x0040_0000
            return Float(bitPattern: sign | 0x7F80_0000 | quietBit | (mantissa << 13))
        }
        if exponent != 0 {
            // Normal: rebias the exponent from 15 to 127.
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
        // Zero or subnormal: mantissa * 2^-24, exact in binary32 (a normal number there).
        let magnitude = Float(mantissa) * 0x1p-24
        return Float(bitPattern: sign | magnitude.bitPattern)
    }

    /// Float to fp16 bits, rounding to nearest with ties to even, as F16C's `vcvtps2ph` with
    /// rounding mode 0 (ggml's `GGML_FP32_TO_FP16` on x86) and ggml's portable
    /// `ggml_compute_fp32_to_fp16` both do. Values at or beyond 65520 in magnitude become
    /// infinity; values too small for the smallest subnormal become a signed zero.
    /// A NaN stays a NaN of the same sign, quieted, with the top of its payload kept (F16C's rule;
    /// ggml's portable C path instead returns the canonical 0x7E00 — both are NaN).
    @inlinable
    public static func fromFloat(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: bits >> 16) & 0x8000
        let magnitude = bits & 0x7FFF_FFFF

        if magnitude > 0x7F80_0000 {
            return sign | 0x7E00 | UInt16(truncatingIfNeeded: (magnitude >> 13) & 0x03FF)
        }
        if magnitude >= 0x477F_F000 {
            // 65520 is the midpoint between 65504 (largest finite, odd mantissa) and 65536: rounds up.
            return sign | 0x7C00
        }
        if magnitude >= 0x3880_0000 {
            // Normal fp16 result. Adding 0xFFF plus the lowest kept bit rounds to nearest even;
            // a carry out of the mantissa correctly bumps the exponent.
            let lowestKeptBit = (magnitude >> 13) & 1
            let rounded = magnitude &+ 0x0FFF &+ lowestKeptBit
            return sign | UInt16(truncatingIfNeeded: (rounded &- 0x3800_0000) >> 13)
        }
        let biasedExponent = magnitude >> 23
        if biasedExponent < 102 {
            // Below 2^-25, half the smallest subnormal: rounds to zero.
            return sign
        }
        // Subnormal fp16 result: the value in units of 2^-24 is fullMantissa * 2^(e - 126).
        let fullMantissa = (magnitude & 0x007F_FFFF) | 0x0080_0000
        let shift = 126 - biasedExponent  // 14...24
        var quotient = fullMantissa >> shift
        let remainder = fullMantissa & ((1 << shift) - 1)
        let halfway: UInt32 = 1 << (shift - 1)
        if remainder > halfway || (remainder == halfway && quotient & 1 == 1) {
            quotient += 1  // may carry into 0x400, the smallest normal: still the right bits
        }
        return sign | UInt16(truncatingIfNeeded: quotient)
    }

    /// bfloat16 bits to Float: the upper half of a binary32. Exact, NaN payloads kept.
    @inlinable
    public static func bf16ToFloat(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}

extension Half {
    /// `count` floats rounded to fp16 bits, as `fromFloat` rounds each (to nearest, ties to even;
    /// F16C's `vcvtps2ph` where the CPU has it): a half KV cache's writes.
    public static func round(_ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<UInt16>) {
        hk_f32_to_f16(x, out, Int64(count))
    }
}
