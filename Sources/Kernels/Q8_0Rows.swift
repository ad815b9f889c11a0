import CKernels

/// Rows of cached keys or values in ggml's Q8_0 blocks (`--cache-type q8_0`): each head's elements
/// from the head's own first block, 32 to a block (`BlockLayout.Q8_0`), the last block shorter when
/// a head is not a multiple of 32 (only tests' tiny models; every catalog model's heads are).
/// Quantized by ggml's reference rule, as activations are; read back exactly as d·q.
public enum Q8_0Rows {
    /// Bytes of one head's elements.
    public static func headBytes(headSize: Int) -> Int {
        (headSize + BlockLayout.Q8_0.elements - 1) / BlockLayout.Q8_0.elements * BlockLayout.Q8_0.bytes
    }

    /// Quantizes `heads` heads of `headSize` floats, consecutive at `x`, into one row.
    public static func quantize(_ x: UnsafePointer<Float>, heads: Int, headSize: Int, into row: UnsafeMutableRawPointer) {
        hk_quantize_kv_q8_0(x, Int64(heads), Int64(headSize), row)
    }

    /// Element `index` of the head that starts at `head` (its first block), widened exactly.
    @inline(__always)
    public static func element(_ head: UnsafeRawPointer, _ index: Int) -> Float {
        typealias L = BlockLayout.Q8_0
        let block = head + index / L.elements * L.bytes
        let d = Half.toFloat(block.loadUnaligned(fromByteOffset: L.d, as: UInt16.self))
        return d * Float(block.load(fromByteOffset: L.qs + index % L.elements, as: Int8.self))
    }
}
