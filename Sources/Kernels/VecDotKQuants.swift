import GGUF

// Swift scalar twins for the K-quants against Q8_K activations (`BlockLayout.Q8_K`; bsums[g] = Σ of
// qs[16g..<16g+16]).
//
// Per super-block: an exact integer isum = Σ over sub-blocks of scale · Σ q·y, and for the formats
// with mins summins = Σ min · bsum; then sum += (d·dy)·isum − (dmin·dy)·summins.
extension VecDot {
    private static let q8KQs = BlockLayout.Q8_K.qs
    private static let q8KBsums = BlockLayout.Q8_K.bsums
    private static let q8KBytes = BlockLayout.Q8_K.bytes

    /// Q2_K: 16 sub-blocks of 16; scales byte g = scale (low nibble) | min (high nibble).
    /// Sub-block g: bits 2·((g/2) mod 4) of qs[32·(g/8) + 16·(g mod 2) + l].
    static func dotQ2_K(_ n: Int, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer) -> Float {
        typealias L = BlockLayout.Q2_K
        var sum: Float = 0
        for i in 0..<(n / 256) {
            let a = w + i * L.bytes, b = x + i * q8KBytes
            var summins: Int32 = 0
            for g in 0..<16 { summins += b.int16(q8KBsums + 2 * g) * (a.byte(L.scales + g) >> 4) }
            var isum: Int32 = 0
            for g in 0..<16 {
                let shift = Int32(2 * ((g / 2) % 4)), offset = L.qs + 32 * (g / 8) + 16 * (g % 2)
                var sub: Int32 = 0
                for l in 0..<16 { sub += ((a.byte(offset + l) >> shift) & 3) * b.int8(q8KQs + 16 * g + l) }
                isum += (a.byte(L.scales + g) & 0x0F) * sub
            }
            let dy = b.float(0)
            sum += (a.half(L.d) * dy) * Float(isum) - (a.half(L.dmin) * dy) * Float(summins)
        }
        return sum
    }

    /// Q3_K: element e = 128h + 32k + l has low bits (qs[32h + l] >> 2k) & 3 and high bit
    /// (hmask[l] >> (4h + k)) & 1; value = low − (high ? 0 : 4); 16 signed 6-bit scales.
    static func dotQ3_K(_ n: Int, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer) -> Float {
        typealias L = BlockLayout.Q3_K
        var sum: Float = 0
        for i in 0..<(n / 256) {
            let a = w + i * L.bytes, b = x + i * q8KBytes
            var isum: Int32 = 0
            for g in 0..<16 {
                var sub: Int32 = 0
                for l in 0..<16 {
                    let e = 16 * g + l, h = e / 128, k = (e / 32) % 4, m = e % 32
                    let low = (a.byte(L.qs + 32 * h + m) >> Int32(2 * k)) & 3
                    let high = (a.byte(L.hmask + m) >> Int32(4 * h + k)) & 1
                    sub += (low - (high != 0 ? 0 : 4)) * b.int8(q8KQs + e)
                }
                isum += Int32(L.scale(g, a + L.scales)) * sub
            }
            sum += (a.half(L.d) * b.float(0)) * Float(isum)
        }
        return sum
    }

    /// Q4_K: 8 sub-blocks of 32 with 6-bit scales and mins; sub-block g is nibble (g mod 2) of
    /// qs[32·(g/2) + l]; each min covers two bsums.
    static func dotQ4_K(_ n: Int, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer) -> Float {
        typealias L = BlockLayout.Q4_K
        var sum: Float = 0
        for i in 0..<(n / 256) {
            let a = w + i * L.bytes, b = x + i * q8KBytes
            var summins: Int32 = 0, isum: Int32 = 0
            for g in 0..<8 {
                let (scale, minimum) = L.scaleAndMin(g, a + L.scales)
                summins += (b.int16(q8KBsums + 4 * g) + b.int16(q8KBsums + 4 * g + 2)) * Int32(minimum)
                let shift = Int32(4 * (g % 2)), offset = L.qs + 32 * (g / 2)
                var sub: Int32 = 0
                for l in 0..<32 { sub += ((a.byte(offset + l) >> shift) & 0x0F) * b.int8(q8KQs + 32 * g + l) }
                isum += Int32(scale) * sub
            }
            let dy = b.float(0)
            sum += (a.half(L.d) * dy) * Float(isum) - (a.half(L.dmin) * dy) * Float(summins)
        }
        return sum
    }

    /// Q5_K: Q4_K plus a fifth bit, bit g of qh[l] for element l of sub-block g.
    static func dotQ5_K(_ n: Int, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer) -> Float {
        typealias L = BlockLayout.Q5_K
        var sum: Float = 0
        for i in 0..<(n / 256) {
            let a = w + i * L.bytes, b = x + i * q8KBytes
            var summins: Int32 = 0, isum: Int32 = 0
            for g in 0..<8 {
                let (scale, minimum) = BlockLayout.Q4_K.scaleAndMin(g, a + L.scales)
                summins += (b.int16(q8KBsums + 4 * g) + b.int16(q8KBsums + 4 * g + 2)) * Int32(minimum)
                let shift = Int32(4 * (g % 2)), offset = L.qs + 32 * (g / 2)
                var sub: Int32 = 0
                for l in 0..<32 {
                    let q = ((a.byte(offset + l) >> shift) & 0x0F) | ((a.byte(L.qh + l) >> Int32(g)) & 1) << 4
                    sub += q * b.int8(q8KQs + 32 * g + l)
                }
                isum += Int32(scale) * sub
            }
            let dy = b.float(0)
            sum += (a.half(L.d) * dy) * Float(isum) - (a.half(L.dmin) * dy) * Float(summins)
        }
        return sum
    }

    /// Q6_K: element e = 128h + 32k + l has low nibble (k/2) of ql[64h + 32·(k mod 2) + l] and high
    /// bits (qh[32h + l] >> 2k) & 3; value = (low | high << 4) − 32; 16 signed 8-bit scales.
    static func dotQ6_K(_ n: Int, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer) -> Float {
        typealias L = BlockLayout.Q6_K
        var sum: Float = 0
        for i in 0..<(n / 256) {
            let a = w + i * L.bytes, b = x + i * q8KBytes
            var isum: Int32 = 0
            for g in 0..<16 {
                var sub: Int32 = 0
                for l in 0..<16 {
                    let e = 16 * g + l, h = e / 128, k = (e / 32) % 4, m = e % 32
                    let low = (a.byte(L.ql + 64 * h + 32 * (k % 2) + m) >> Int32(4 * (k / 2))) & 0x0F
                    let high = (a.byte(L.qh + 32 * h + m) >> Int32(2 * k)) & 3
                    sub += ((low | high << 4) - 32) * b.int8(q8KQs + e)
                }
                isum += a.int8(L.scales + g) * sub
            }
            sum += (a.half(L.d) * b.float(0)) * Float(isum)
        }
        return sum
    }
}
