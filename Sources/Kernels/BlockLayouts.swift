import CKernels

/// Byte layouts of ggml's quantized blocks (`ggml-common.h`): packed, little-endian, no padding.
///
/// Each namespace gives the element count, the byte size (the tests hold it to
/// `GGMLType.bytesPerBlock`) and the byte offset of every field, so that dequantization and the
/// dot-product kernels read the same bytes the same way. The sizes and offsets are those of the C
/// kernels' own structs (`hk_blocks.h`, where each size is checked against ggml's): one definition
/// of each layout for both languages. fp16 fields are `ggml_half` bit patterns.
public enum BlockLayout {
    /// Elements in a k-quant super-block (ggml's `QK_K`).
    public static let superBlockElements = 256

    /// `{ half d; uint8 qs[16] }`: x = d * (q - 8), q a nibble; low nibbles are elements 0..<16,
    /// high nibbles 16..<32.
    public enum Q4_0 {
        public static let elements = 32
        public static let bytes = MemoryLayout<hk_block_q4_0>.size
        public static let d = MemoryLayout<hk_block_q4_0>.offset(of: \hk_block_q4_0.d)!
        public static let qs = MemoryLayout<hk_block_q4_0>.offset(of: \hk_block_q4_0.qs)!
    }

    /// `{ half d; half m; uint8 qs[16] }`: x = d * q + m.
    public enum Q4_1 {
        public static let elements = 32
        public static let bytes = MemoryLayout<hk_block_q4_1>.size
        public static let d = MemoryLayout<hk_block_q4_1>.offset(of: \hk_block_q4_1.d)!
        public static let m = MemoryLayout<hk_block_q4_1>.offset(of: \hk_block_q4_1.m)!
        public static let qs = MemoryLayout<hk_block_q4_1>.offset(of: \hk_block_q4_1.qs)!
    }

    /// `{ half d; uint8 qh[4]; uint8 qs[16] }`: x = d * (q - 16), q = nibble | (bit j of qh) << 4,
    /// with qh read as a little-endian uint32 (bit j for element j).
    public enum Q5_0 {
        public static let elements = 32
        public static let bytes = MemoryLayout<hk_block_q5_0>.size
        public static let d = MemoryLayout<hk_block_q5_0>.offset(of: \hk_block_q5_0.d)!
        public static let qh = MemoryLayout<hk_block_q5_0>.offset(of: \hk_block_q5_0.qh)!
        public static let qs = MemoryLayout<hk_block_q5_0>.offset(of: \hk_block_q5_0.qs)!
    }

    /// `{ half d; half m; uint8 qh[4]; uint8 qs[16] }`: x = d * q + m, q as in Q5_0 without the offset.
    public enum Q5_1 {
        public static let elements = 32
        public static let bytes = MemoryLayout<hk_block_q5_1>.size
        public static let d = MemoryLayout<hk_block_q5_1>.offset(of: \hk_block_q5_1.d)!
        public static let m = MemoryLayout<hk_block_q5_1>.offset(of: \hk_block_q5_1.m)!
        public static let qh = MemoryLayout<hk_block_q5_1>.offset(of: \hk_block_q5_1.qh)!
        public static let qs = MemoryLayout<hk_block_q5_1>.offset(of: \hk_block_q5_1.qs)!
    }

    /// `{ half d; int8 qs[32] }`: x = q * d.
    public enum Q8_0 {
        public static let elements = 32
        public static let bytes = MemoryLayout<hk_block_q8_0>.size
        public static let d = MemoryLayout<hk_block_q8_0>.offset(of: \hk_block_q8_0.d)!
        public static let qs = MemoryLayout<hk_block_q8_0>.offset(of: \hk_block_q8_0.qs)!
    }

    /// `{ half d; half s; int8 qs[32] }`: an activation block for Q4_1 and Q5_1 weights: x = q * d,
    /// and s = d * Σq, so a weight block's m term needs no sum of its own.
    public enum Q8_1 {
        public static let elements = 32
        public static let bytes = MemoryLayout<hk_block_q8_1>.size
        public static let d = MemoryLayout<hk_block_q8_1>.offset(of: \hk_block_q8_1.d)!
        public static let s = MemoryLayout<hk_block_q8_1>.offset(of: \hk_block_q8_1.s)!
        public static let qs = MemoryLayout<hk_block_q8_1>.offset(of: \hk_block_q8_1.qs)!
    }

    /// `{ float d; int8 qs[256]; int16 bsums[16] }`: an activation block for the k-quants: x = q * d,
    /// bsums[g] = Σ of qs[16g..<16g+16] (the min terms use them).
    public enum Q8_K {
        public static let elements = 256
        public static let bytes = MemoryLayout<hk_block_q8_K>.size
        public static let d = MemoryLayout<hk_block_q8_K>.offset(of: \hk_block_q8_K.d)!
        public static let qs = MemoryLayout<hk_block_q8_K>.offset(of: \hk_block_q8_K.qs)!
        public static let bsums = MemoryLayout<hk_block_q8_K>.offset(of: \hk_block_q8_K.bsums)!
    }

    /// `{ uint8 scales[16]; uint8 qs[64]; half d; half dmin }`: 16 groups of 16; each scales byte
    /// holds a 4-bit scale (low) and a 4-bit min (high); x = (d * sc) * q - (dmin * m), q 2 bits.
    public enum Q2_K {
        public static let elements = 256
        public static let bytes = MemoryLayout<hk_block_q2_K>.size
        public static let scales = MemoryLayout<hk_block_q2_K>.offset(of: \hk_block_q2_K.scales)!
        public static let qs = MemoryLayout<hk_block_q2_K>.offset(of: \hk_block_q2_K.qs)!
        public static let d = MemoryLayout<hk_block_q2_K>.offset(of: \hk_block_q2_K.d)!
        public static let dmin = MemoryLayout<hk_block_q2_K>.offset(of: \hk_block_q2_K.dmin)!
    }

    /// `{ uint8 hmask[32]; uint8 qs[64]; uint8 scales[12]; half d }`: 16 groups of 16 with 6-bit
    /// signed scales (see `scale(_:_:)`); q = 2 low bits - (high bit clear ? 4 : 0); x = (d * sc) * q.
    public enum Q3_K {
        public static let elements = 256
        public static let bytes = MemoryLayout<hk_block_q3_K>.size
        public static let hmask = MemoryLayout<hk_block_q3_K>.offset(of: \hk_block_q3_K.hmask)!
        public static let qs = MemoryLayout<hk_block_q3_K>.offset(of: \hk_block_q3_K.qs)!
        public static let scales = MemoryLayout<hk_block_q3_K>.offset(of: \hk_block_q3_K.scales)!
        public static let d = MemoryLayout<hk_block_q3_K>.offset(of: \hk_block_q3_K.d)!

        /// The scale of group `group` (0..<16), already less its bias of 32: -32...31.
        /// Low 4 bits: nibble `group % 8` of bytes 0..<8 (low nibbles first); high 2 bits: bits
        /// `2 * (group / 4)` of byte `8 + group % 4`.
        @inlinable
        public static func scale(_ group: Int, _ scales: UnsafeRawPointer) -> Int {
            let lowByte = scales.load(fromByteOffset: group % 8, as: UInt8.self)
            let low = group < 8 ? lowByte & 0x0F : lowByte >> 4
            let highByte = scales.load(fromByteOffset: 8 + group % 4, as: UInt8.self)
            let high = (highByte >> UInt8(2 * (group / 4))) & 0x03
            return Int(low | (high << 4)) - 32
        }
    }

    /// `{ half d; half dmin; uint8 scales[12]; uint8 qs[128] }`: 8 groups of 32 with 6-bit scales
    /// and mins (see `scaleAndMin(_:_:)`); x = (d * sc) * q - (dmin * m), q a nibble. Each 32 bytes
    /// of qs hold two groups: low nibbles the first, high nibbles the second.
    public enum Q4_K {
        public static let elements = 256
        public static let bytes = MemoryLayout<hk_block_q4_K>.size
        public static let d = MemoryLayout<hk_block_q4_K>.offset(of: \hk_block_q4_K.d)!
        public static let dmin = MemoryLayout<hk_block_q4_K>.offset(of: \hk_block_q4_K.dmin)!
        public static let scales = MemoryLayout<hk_block_q4_K>.offset(of: \hk_block_q4_K.scales)!
        public static let qs = MemoryLayout<hk_block_q4_K>.offset(of: \hk_block_q4_K.qs)!

        /// ggml's `get_scale_min_k4`: the 6-bit scale and min of group `group` (0..<8).
        /// Groups 0..<4 use the low 6 bits of bytes j and j+4; groups 4..<8 take their low 4 bits
        /// from byte j+4 and their top 2 bits from the spare top bits of bytes j-4 and j.
        @inlinable
        public static func scaleAndMin(_ group: Int, _ scales: UnsafeRawPointer) -> (scale: UInt8, min: UInt8) {
            if group < 4 {
                let scale = scales.load(fromByteOffset: group, as: UInt8.self) & 63
                let min = scales.load(fromByteOffset: group + 4, as: UInt8.self) & 63
                return (scale, min)
            }
            let packed = scales.load(fromByteOffset: group + 4, as: UInt8.self)
            let scaleHigh = scales.load(fromByteOffset: group - 4, as: UInt8.self) >> 6
            let minHigh = scales.load(fromByteOffset: group, as: UInt8.self) >> 6
            return ((packed & 0x0F) | (scaleHigh << 4), (packed >> 4) | (minHigh << 4))
        }
    }

    /// `{ half d; half dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128] }`: as Q4_K with a fifth
    /// bit per element: bit `g` of qh[l] for element l of group g.
    public enum Q5_K {
        public static let elements = 256
        public static let bytes = MemoryLayout<hk_block_q5_K>.size
        public static let d = MemoryLayout<hk_block_q5_K>.offset(of: \hk_block_q5_K.d)!
        public static let dmin = MemoryLayout<hk_block_q5_K>.offset(of: \hk_block_q5_K.dmin)!
        public static let scales = MemoryLayout<hk_block_q5_K>.offset(of: \hk_block_q5_K.scales)!
        public static let qh = MemoryLayout<hk_block_q5_K>.offset(of: \hk_block_q5_K.qh)!
        public static let qs = MemoryLayout<hk_block_q5_K>.offset(of: \hk_block_q5_K.qs)!
    }

    /// `{ uint8 ql[128]; uint8 qh[64]; int8 scales[16]; half d }`: 16 groups of 16 with signed
    /// 8-bit scales; q = (4 low bits | 2 high bits << 4) - 32; x = (d * sc) * q.
    public enum Q6_K {
        public static let elements = 256
        public static let bytes = MemoryLayout<hk_block_q6_K>.size
        public static let ql = MemoryLayout<hk_block_q6_K>.offset(of: \hk_block_q6_K.ql)!
        public static let qh = MemoryLayout<hk_block_q6_K>.offset(of: \hk_block_q6_K.qh)!
        public static let scales = MemoryLayout<hk_block_q6_K>.offset(of: \hk_block_q6_K.scales)!
        public static let d = MemoryLayout<hk_block_q6_K>.offset(of: \hk_block_q6_K.d)!
    }
}
