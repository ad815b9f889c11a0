import GGUF

/// Decodes ggml tensor data to Float: the plain scalar reference for every weight type Hearth
/// reads, and the path that turns small tensors (norms, biases, embeddings rows) into Floats.
///
/// Bit-exact with ggml's `dequantize_row_*` (ggml-quants.c) and with the `gguf` Python package's
/// `gguf.quants.dequantize`, which the tests check on real tensors and synthetic blocks (the fixture
/// script also ran ggml's C on the same blocks: no difference). Both references compute in float32
/// in the same order, repeated here: the per-group factors first (`d * sc`, `dmin * m`), then
/// `factor * q`, then the min added or subtracted.
///
/// Why this is robust: an fp16 scale has 11 significant bits and the sub-scales and quants at most
/// 8 and 6, so every product here (`d * q`, `d * sc`, `(d * sc) * q`, `dmin * m`) is exact in
/// float32; the only rounding is the final add or subtract of the min (Q4_1, Q5_1, Q2_K, Q4_K,
/// Q5_K). So an FMA (a C compiler may contract `x0*d + m`) cannot change a value, and neither can
/// regrouping a product. What the order does decide is the sign of a zero: `(d * sc) * 0` is -0
/// whenever `d * sc` is negative, while `d * Float(sc * 0)` takes its sign from `d` alone. The
/// fixtures catch such a change, so keep the grouping as written.
public enum Dequantizer {
    /// The types `dequantize` decodes.
    public static let supportedTypes: Set<GGMLType> = Set(GGMLType.allCases.filter(supports))

    /// Whether `dequantize` handles this type.
    public static func supports(_ type: GGMLType) -> Bool {
        switch type {
        case .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K:
            return true
        default:
            return false
        }
    }

    /// Decodes `count` elements (a multiple of type.blockSize) starting at `source` into `destination`.
    /// The caller guarantees `type.byteCount(elementCount: count)` readable bytes at `source` and
    /// room for `count` Floats at `destination`; no alignment is assumed for `source`.
    /// Throws KernelError.unsupportedType / .notBlockAligned.
    public static func dequantize(_ type: GGMLType, from source: UnsafeRawPointer, count: Int,
                                  into destination: UnsafeMutablePointer<Float>) throws {
        guard supports(type) else { throw KernelError.unsupportedType(type) }
        guard count >= 0, count % type.blockSize == 0 else {
            throw KernelError.notBlockAligned(type: type, count: count)
        }
        let blockCount = count / type.blockSize
        switch type {
        case .f32:
            // A plain copy keeps every bit pattern, NaN payloads included, as numpy's view does.
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
        case .f16:
            for index in 0..<count {
                destination[index] = Half.toFloat(loadUInt16(source, index * 2))
            }
        case .bf16:
            for index in 0..<count {
                destination[index] = Half.bf16ToFloat(loadUInt16(source, index * 2))
            }
        case .q4_0: decodeBlocks(blockCount, source, destination, BlockLayout.Q4_0.self, decodeQ4_0)
        case .q4_1: decodeBlocks(blockCount, source, destination, BlockLayout.Q4_1.self, decodeQ4_1)
        case .q5_0: decodeBlocks(blockCount, source, destination, BlockLayout.Q5_0.self, decodeQ5_0)
        case .q5_1: decodeBlocks(blockCount, source, destination, BlockLayout.Q5_1.self, decodeQ5_1)
        case .q8_0: decodeBlocks(blockCount, source, destination, BlockLayout.Q8_0.self, decodeQ8_0)
        case .q2_K: decodeBlocks(blockCount, source, destination, BlockLayout.Q2_K.self, decodeQ2_K)
        case .q3_K: decodeBlocks(blockCount, source, destination, BlockLayout.Q3_K.self, decodeQ3_K)
        case .q4_K: decodeBlocks(blockCount, source, destination, BlockLayout.Q4_K.self, decodeQ4_K)
        case .q5_K: decodeBlocks(blockCount, source, destination, BlockLayout.Q5_K.self, decodeQ5_K)
        case .q6_K: decodeBlocks(blockCount, source, destination, BlockLayout.Q6_K.self, decodeQ6_K)
        default:
            throw KernelError.unsupportedType(type)
        }
    }

    /// Convenience for tests and the reference path: decodes `count` elements from the start of
    /// `bytes`, which must hold at least `type.byteCount(elementCount: count)` bytes.
    /// Throws KernelError.unsupportedType / .notBlockAligned / .shapeMismatch (too few bytes).
    public static func dequantize(_ type: GGMLType, bytes: UnsafeRawBufferPointer, count: Int) throws -> [Float] {
        guard supports(type) else { throw KernelError.unsupportedType(type) }
        guard count >= 0, count % type.blockSize == 0 else {
            throw KernelError.notBlockAligned(type: type, count: count)
        }
        guard let needed = type.byteCount(elementCount: count), needed <= bytes.count else {
            throw KernelError.shapeMismatch(
                "\(count) \(type) elements need \(type.byteCount(elementCount: count).map(String.init) ?? "too many") bytes, got \(bytes.count)")
        }
        guard count > 0, let base = bytes.baseAddress else { return [] }
        return try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            try dequantize(type, from: base, count: count, into: buffer.baseAddress!)
            initialized = count
        }
    }
}

// MARK: - Block decoders
//
// Each decoder writes one block's elements in ggml's element order. The Float conversions of the
// small integers (q, sc, m) are exact; the rounding steps are only the products and differences
// named in each comment, in the order ggml and gguf-py perform them.

/// The layout facts the block loop needs, shared by the per-type namespaces.
protocol QuantBlock {
    static var elements: Int { get }
    static var bytes: Int { get }
}

extension BlockLayout.Q4_0: QuantBlock {}
extension BlockLayout.Q4_1: QuantBlock {}
extension BlockLayout.Q5_0: QuantBlock {}
extension BlockLayout.Q5_1: QuantBlock {}
extension BlockLayout.Q8_0: QuantBlock {}
extension BlockLayout.Q2_K: QuantBlock {}
extension BlockLayout.Q3_K: QuantBlock {}
extension BlockLayout.Q4_K: QuantBlock {}
extension BlockLayout.Q5_K: QuantBlock {}
extension BlockLayout.Q6_K: QuantBlock {}

@inline(__always)
private func decodeBlocks<Layout: QuantBlock>(
    _ blockCount: Int, _ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>,
    _ layout: Layout.Type,
    _ decodeBlock: (UnsafeRawPointer, UnsafeMutablePointer<Float>) -> Void
) {
    for block in 0..<blockCount {
        decodeBlock(source + block * Layout.bytes, destination + block * Layout.elements)
    }
}

@inline(__always)
private func loadUInt16(_ base: UnsafeRawPointer, _ offset: Int) -> UInt16 {
    UInt16(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
}

@inline(__always)
private func loadHalf(_ base: UnsafeRawPointer, _ offset: Int) -> Float {
    Half.toFloat(loadUInt16(base, offset))
}

@inline(__always)
private func byte(_ base: UnsafeRawPointer, _ offset: Int) -> UInt8 {
    base.load(fromByteOffset: offset, as: UInt8.self)
}

/// x = (nibble - 8) * d.
private func decodeQ4_0(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
    typealias L = BlockLayout.Q4_0
    let d = loadHalf(block, L.d)
    for j in 0..<16 {
        let packed = byte(block, L.qs + j)
        out[j] = Float(Int(packed & 0x0F) - 8) * d
        out[j + 16] = Float(Int(packed >> 4) - 8) * d
    }
}

/// x = d * nibble + m.
private func decodeQ4_1(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
    typealias L = BlockLayout.Q4_1
    let d = loadHalf(block, L.d)
    let m = loadHalf(block, L.m)
    for j in 0..<16 {
        let packed = byte(block, L.qs + j)
        out[j] = d * Float(packed & 0x0F) + m
        out[j + 16] = d * Float(packed >> 4) + m
    }
}

/// x = (5-bit q - 16) * d; the fifth bit of element j is bit j of the little-endian qh word.
private func decodeQ5_0(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
    typealias L = BlockLayout.Q5_0
    let d = loadHalf(block, L.d)
    let highBits = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: L.qh, as: UInt32.self))
    for j in 0..<16 {
        let packed = byte(block, L.qs + j)
        let low = UInt32(packed & 0x0F) | ((highBits >> UInt32(j)) & 1) << 4
        let high = UInt32(packed >> 4) | ((highBits >> UInt32(j + 16)) & 1) << 4
        out[j] = Float(Int32(bitPattern: low) - 16) * d
        out[j + 16] = Float(Int32(bitPattern: high) - 16) * d
    }
}

/// x = d * (5-bit q) + m.
private func decodeQ5_1(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
    typealias L = BlockLayout.Q5_1
    let d = loadHalf(block, L.d)
    let m = loadHalf(block, L.m)
    let highBits = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: L.qh, as: UInt32.self))
    for j in 0..<16 {
        let packed = byte(block, L.qs + j)
        let low = UInt32(packed & 0x0F) | ((highBits >> UInt32(j)) & 1) << 4
        let high = UInt32(packed >> 4) | ((highBits >> UInt32(j + 16)) & 1) << 4
        out[j] = d * Float(Int32(bitPattern: low)) + m
        out[j + 16] = d * Float(Int32(bitPattern: high)) + m
    }
}

/// x = q * d, q a signed byte.
private func decodeQ8_0(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
    typealias L = BlockLayout.Q8_0
    let d = loadHalf(block, L.d)
    for j in 0..<32 {
        out[j] = Float(block.load(fromByteOffset: L.qs + j, as: Int8.self)) * d
    }
}

/// Group g (16 elements) of half h: x = (d * sc) * q - (dmin * m). The 2-bit quants of elements
/// 128h + 32s + l sit at bit 2s of qs[32h + l].
private func decodeQ2_K(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
    typealias L = BlockLayout.Q2_K
    let d = loadHalf(block, L.d)
    let dmin = loadHalf(block, L.dmin)
    for group in 0..<16 {
        let scaleAndMin = byte(block, L.scales + group)
        let groupScale = d * Float(scaleAndMin & 0x0F)
        let groupMin = dmin * Float(scaleAndMin >> 4)
        // Element e = 16 * group + l lies in half e / 128, at shift 2 * ((e / 32) % 4),
        // and reads byte 32 * half + e % 32.
        let half = group / 8
        let shift = UInt8(2 * ((group / 2) % 4))
        let firstByte = L.qs + 32 * half + 16 * (group % 2)
        for l in 0..<16 {
            let q = (byte(block, firstByte + l) >> shift) & 0x03
            out[16 * group + l] = groupScale * Float(q) - groupMin
        }
    }
}

/// Group g (16 elements): x = (d * sc) * q with sc the unbiased 6-bit scale and
/// q = (2 low bits) - (high bit clear ? 4 : 0); element e's high bit is bit e / 32 of hmask[e % 32].
private func decodeQ3_K(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
    typealias L = BlockLayout.Q3_K
    let d = loadHalf(block, L.d)
    let scales = block + L.scales
    for group in 0..<16 {
        let groupScale = d * Float(L.scale(group, scales))
        let half = group / 8
        let shiftIndex = (group / 2) % 4
        let shift = UInt8(2 * shiftIndex)
        let highBit = UInt8(4 * half + shiftIndex)
        let lane = 16 * (group % 2)
        for l in 0..<16 {
            let low = Int32((byte(block, L.qs + 32 * half + lane + l) >> shift) & 0x03)
            let highClear = Int32((~byte(block, L.hmask + lane + l) >> highBit) & 1)
            out[16 * group + l] = groupScale * Float(low - highClear << 2)
        }
    }
}

/// Groups 2p and 2p+1 (32 elements each) share qs[32p ..< 32p + 32]: low nibbles, then high.
/// x = (d * sc) * q - (dmin * m).
private func decodeQ4_K(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
    typealias L = BlockLayout.Q4_K
    let d = loadHalf(block, L.d)
    let dmin = loadHalf(block, L.dmin)
    let scales = block + L.scales
    for pair in 0..<4 {
        let (scaleLow, minLow) = BlockLayout.Q4_K.scaleAndMin(2 * pair, scales)
        let (scaleHigh, minHigh) = BlockLayout.Q4_K.scaleAndMin(2 * pair + 1, scales)
        let lowScale = d * Float(scaleLow), lowMin = dmin * Float(minLow)
        let highScale = d * Float(scaleHigh), highMin = dmin * Float(minHigh)
        let outBase = out + 64 * pair
        for l in 0..<32 {
            let packed = byte(block, L.qs + 32 * pair + l)
            outBase[l] = lowScale * Float(packed & 0x0F) - lowMin
            outBase[l + 32] = highScale * Float(packed >> 4) - highMin
        }
    }
}

/// As Q4_K with a fifth bit: bit g of qh[l] for element l of group g (value 16).
private func decodeQ5_K(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
    typealias L = BlockLayout.Q5_K
    let d = loadHalf(block, L.d)
    let dmin = loadHalf(block, L.dmin)
    let scales = block + L.scales
    for pair in 0..<4 {
        let (scaleLow, minLow) = BlockLayout.Q4_K.scaleAndMin(2 * pair, scales)
        let (scaleHigh, minHigh) = BlockLayout.Q4_K.scaleAndMin(2 * pair + 1, scales)
        let lowScale = d * Float(scaleLow), lowMin = dmin * Float(minLow)
        let highScale = d * Float(scaleHigh), highMin = dmin * Float(minHigh)
        let lowBit = UInt8(2 * pair), highBit = UInt8(2 * pair + 1)
        let outBase = out + 64 * pair
        for l in 0..<32 {
            let packed = byte(block, L.qs + 32 * pair + l)
            let fifthBits = byte(block, L.qh + l)
            let qLow = (packed & 0x0F) | ((fifthBits >> lowBit) & 1) << 4
            let qHigh = (packed >> 4) | ((fifthBits >> highBit) & 1) << 4
            outBase[l] = lowScale * Float(qLow) - lowMin
            outBase[l + 32] = highScale * Float(qHigh) - highMin
        }
    }
}

/// Group g (16 elements): x = (d * sc) * q, sc a signed byte, q 6 bits less 32. In half h,
/// element 128h + 32s + l takes 4 bits from ql[64h + l + 32(s % 2)] (low nibble for s < 2) and
/// 2 bits from qh[32h + l] at shift 2s.
private func decodeQ6_K(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
    typealias L = BlockLayout.Q6_K
    let d = loadHalf(block, L.d)
    var groupScales = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0),
                       Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
    withUnsafeMutableBytes(of: &groupScales) { raw in
        let scales = raw.bindMemory(to: Float.self)
        for group in 0..<16 {
            scales[group] = d * Float(block.load(fromByteOffset: L.scales + group, as: Int8.self))
        }
        for half in 0..<2 {
            let ql = block + L.ql + 64 * half
            let qh = block + L.qh + 32 * half
            let outBase = out + 128 * half
            let scaleBase = 8 * half
            for l in 0..<32 {
                let lowA = byte(ql, l), lowB = byte(ql, l + 32), high = byte(qh, l)
                let q1 = Int32((lowA & 0x0F) | ((high >> 0) & 3) << 4) - 32
                let q2 = Int32((lowB & 0x0F) | ((high >> 2) & 3) << 4) - 32
                let q3 = Int32((lowA >> 4) | ((high >> 4) & 3) << 4) - 32
                let q4 = Int32((lowB >> 4) | ((high >> 6) & 3) << 4) - 32
                let group = scaleBase + l / 16
                outBase[l] = scales[group] * Float(q1)
                outBase[l + 32] = scales[group + 2] * Float(q2)
                outBase[l + 64] = scales[group + 4] * Float(q3)
                outBase[l + 96] = scales[group + 6] * Float(q4)
            }
        }
    }
}
