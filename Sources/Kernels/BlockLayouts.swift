/// Byte layouts of ggml's quantized blocks (`ggml-common.h`): packed, little-endian, no padding.
///
/// Each namespace gives the element count, the byte size (the tests hold it to
/// `GGMLType.bytesPerBlock`) and the byte offset of every field, so that dequantization and the
/// dot-product kernels read the same bytes the same way. fp16 fields are `ggml_half` bit patterns.
public enum BlockLayout {
    /// Elements in a k-quant super-block (ggml's `QK_K`).
    public static let superBlockElements = 256

    /// `{ half d; uint8 qs[16] }`: x = d * (q - 8), q a nibble; low nibbles are elements 0..<16,
    /// high nibbles 16..<32.
    public enum Q4_0 {
        public static let elements = 32
        public static let bytes = 18
        public static let d = 0
        public static let qs = 2
    }

    /// `{ half d; half m; uint8 qs[16] }`: x = d * q + m.
    public enum Q4_1 {
        public static let elements = 32
        public static let bytes = 20
        public static let d = 0
        public static let m = 2
        public static let qs = 4
    }

    /// `{ half d; uint8 qh[4]; uint8 qs[16] }`: x = d * (q - 16), q = nibble | (bit j of qh) << 4,
    /// with qh read as a little-endian uint32 (bit j for element j).
    public enum Q5_0 {
        public static let elements = 32
        public static let bytes = 22
        public static let d = 0
        public static let qh = 2
        public static let qs = 6
    }

    /// `{ half d; half m; uint8 qh[4]; uint8 qs[16] }`: x = d * q + m, q as in Q5_0 without the offset.
    public enum Q5_1 {
        public static let elements = 32
        public static let bytes = 24
        public static let d = 0
        public static let m = 2
        public static let qh = 4
        public static let qs = 8
    }

    /// `{ half d; int8 qs[32] }`: x = q * d.
    public enum Q8_0 {
        public static let elements = 32
        public static let bytes = 34
        public static let d = 0
        public static let qs = 2
    }

    /// `{ half d; half s; int8 qs[32] }`: an activation block for Q4_1 and Q5_1 weights: x = q * d,
    /// and s = d * Σq, so a weight block's m term needs no sum of its own.
    public enum Q8_1 {
        public static let elements = 32
        public static let bytes = 36
        public static let d = 0
        public static let s = 2
        public static let qs = 4
    }

    /// `{ float d; int8 qs[256]; int16 bsums[16] }`: an activation block for the k-quants: x = q * d,
    /// bsums[g] = Σ of qs[16g..<16g+16] (the min terms use them).
    public enum Q8_K {
        public static let elements = 256
        public static let bytes = 292
        public static let d = 0
        public static let qs = 4
        public static let bsums = 260
    }

    /// `{ uint8 scales[16]; uint8 qs[64]; half d; half dmin }`: 16 groups of 16; each scales byte
    /// holds a 4-bit scale (low) and a 4-bit min (high); x = (d * sc) * q - (dmin * m), q 2 bits.
    public enum Q2_K {
        public static let elements = 256
        public static let bytes = 84
        public static let scales = 0
        public static let qs = 16
        public static let d = 80
        public static let dmin = 82
    }

    /// `{ uint8 hmask[32]; uint8 qs[64]; uint8 scales[12]; half d }`: 16 groups of 16 with 6-bit
    /// signed scales (see `scale(_:_:)`); q = 2 low bits - (high bit clear ? 4 : 0); x = (d * sc) * q.
    public enum Q3_K {
        public static let elements = 256
        public static let bytes = 110
        public static let hmask = 0
        public static let qs = 32
        public static let scales = 96
        public static let d = 108

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
        public static let bytes = 144
        public static let d = 0
        public static let dmin = 2
        public static let scales = 4
        public static let qs = 16

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
        public static let bytes = 176
        public static let d = 0
        public static let dmin = 2
        public static let scales = 4
        public static let qh = 16
        public static let qs = 48
    }

    /// `{ uint8 ql[128]; uint8 qh[64]; int8 scales[16]; half d }`: 16 groups of 16 with signed
    /// 8-bit scales; q = (4 low bits | 2 high bits << 4) - 32; x = (d * sc) * q.
    public enum Q6_K {
        public static let elements = 256
        public static let bytes = 210
        public static let ql = 0
        public static let qh = 128
        public static let scales = 192
        public static let d = 208
    }
}
