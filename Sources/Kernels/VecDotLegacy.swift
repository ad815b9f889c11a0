import GGUF

// Swift scalar twins for float weights and ggml's 32-element formats.
//
// Activation blocks: Q8_0 (`BlockLayout.Q8_0`) and Q8_1 (`BlockLayout.Q8_1`, s = d·Σqs). Per block:
// sum += (dw·dx)·Σ q·y, plus m·s for the formats with a min.
private typealias Y0 = BlockLayout.Q8_0
private typealias Y1 = BlockLayout.Q8_1

extension VecDot {
    static func dotF32(_ n: Int, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer) -> Float {
        var sum: Float = 0
        for i in 0..<n { sum += w.float(4 * i) * x.float(4 * i) }
        return sum
    }

    static func dotF16(_ n: Int, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer) -> Float {
        var sum: Float = 0
        for i in 0..<n { sum += w.half(2 * i) * x.float(4 * i) }
        return sum
    }

    /// Q4_0 `{ half d; uint8 qs[16] }`: q − 8, low nibbles are elements 0..<16, high 16..<32.
    static func dotQ4_0(_ n: Int, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer) -> Float {
        var sum: Float = 0
        for i in 0..<(n / 32) {
            let a = w + i * BlockLayout.Q4_0.bytes, b = x + i * Y0.bytes
            var sumi: Int32 = 0
            for j in 0..<16 {
                let packed = a.byte(BlockLayout.Q4_0.qs + j)
                sumi += ((packed & 0x0F) - 8) * b.int8(Y0.qs + j)
                sumi += ((packed >> 4) - 8) * b.int8(Y0.qs + 16 + j)
            }
            sum += (a.half(BlockLayout.Q4_0.d) * b.half(Y0.d)) * Float(sumi)
        }
        return sum
    }

    /// Q4_1 `{ half d; half m; uint8 qs[16] }`: x = d·q + m, against Q8_1.
    static func dotQ4_1(_ n: Int, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer) -> Float {
        var sum: Float = 0
        for i in 0..<(n / 32) {
            let a = w + i * BlockLayout.Q4_1.bytes, b = x + i * Y1.bytes
            var sumi: Int32 = 0
            for j in 0..<16 {
                let packed = a.byte(BlockLayout.Q4_1.qs + j)
                sumi += (packed & 0x0F) * b.int8(Y1.qs + j)
                sumi += (packed >> 4) * b.int8(Y1.qs + 16 + j)
            }
            sum += (a.half(BlockLayout.Q4_1.d) * b.half(Y1.d)) * Float(sumi)
                + a.half(BlockLayout.Q4_1.m) * b.half(Y1.s)
        }
        return sum
    }

    /// Q5_0 `{ half d; uint8 qh[4]; uint8 qs[16] }`: q = nibble | bit j of qh << 4, minus 16.
    static func dotQ5_0(_ n: Int, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer) -> Float {
        var sum: Float = 0
        for i in 0..<(n / 32) {
            let a = w + i * BlockLayout.Q5_0.bytes, b = x + i * Y0.bytes
            let qh = a.uint32(BlockLayout.Q5_0.qh)
            var sumi: Int32 = 0
            for j in 0..<16 {
                let packed = a.byte(BlockLayout.Q5_0.qs + j)
                let low = (packed & 0x0F) | Int32((qh >> UInt32(j)) & 1) << 4
                let high = (packed >> 4) | Int32((qh >> UInt32(j + 16)) & 1) << 4
                sumi += (low - 16) * b.int8(Y0.qs + j)
                sumi += (high - 16) * b.int8(Y0.qs + 16 + j)
            }
            sum += (a.half(BlockLayout.Q5_0.d) * b.half(Y0.d)) * Float(sumi)
        }
        return sum
    }

    /// Q5_1 `{ half d; half m; uint8 qh[4]; uint8 qs[16] }`: as Q5_0 without the offset, plus m·s.
    static func dotQ5_1(_ n: Int, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer) -> Float {
        var sum: Float = 0
        for i in 0..<(n / 32) {
            let a = w + i * BlockLayout.Q5_1.bytes, b = x + i * Y1.bytes
            let qh = a.uint32(BlockLayout.Q5_1.qh)
            var sumi: Int32 = 0
            for j in 0..<16 {
                let packed = a.byte(BlockLayout.Q5_1.qs + j)
                let low = (packed & 0x0F) | Int32((qh >> UInt32(j)) & 1) << 4
                let high = (packed >> 4) | Int32((qh >> UInt32(j + 16)) & 1) << 4
                sumi += low * b.int8(Y1.qs + j)
                sumi += high * b.int8(Y1.qs + 16 + j)
            }
            sum += (a.half(BlockLayout.Q5_1.d) * b.half(Y1.d)) * Float(sumi)
                + a.half(BlockLayout.Q5_1.m) * b.half(Y1.s)
        }
        return sum
    }

    /// Q8_0 `{ half d; int8 qs[32] }` against Q8_0.
    static func dotQ8_0(_ n: Int, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer) -> Float {
        var sum: Float = 0
        for i in 0..<(n / 32) {
            let a = w + i * BlockLayout.Q8_0.bytes, b = x + i * Y0.bytes
            var sumi: Int32 = 0
            for j in 0..<32 { sumi += a.int8(BlockLayout.Q8_0.qs + j) * b.int8(Y0.qs + j) }
            sum += (a.half(BlockLayout.Q8_0.d) * b.half(Y0.d)) * Float(sumi)
        }
        return sum
    }
}
