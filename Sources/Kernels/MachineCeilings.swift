import Foundation
import GGUF

/// The two ceilings a CPU forward pass runs under, measured on this machine rather than taken from
/// a data sheet: how fast memory can be read (generating one token reads every weight once), and
/// how fast the innermost integer kernel multiplies when its operands are in cache (a prompt chunk
/// reuses each weight row for every token). `hearth bench --budget` sets each test against them.
public enum MachineCeilings {
    /// Bytes per second that `threads` threads read from a buffer of `bytes` (far larger than the
    /// caches), each its own contiguous share, summing 64-byte vectors: the best of `repetitions`
    /// passes, after one that pages the buffer in.
    public static func readBandwidth(bytes: Int = 1 << 30, threads: Int, repetitions: Int = 5) -> Double {
        let vectors = max(threads, bytes / 64)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: vectors * 64, alignment: 64)
        defer { buffer.deallocate() }
        // Written, so every page is backed before anything is timed.
        let words = buffer.bindMemory(to: UInt64.self, capacity: vectors * 8)
        for i in 0..<(vectors * 8) { words[i] = UInt64(truncatingIfNeeded: i &* 0x9E37_79B9) }
        let pool = ThreadPool(threadCount: threads)
        let sinks = UnsafeMutablePointer<UInt64>.allocate(capacity: threads)
        defer { sinks.deallocate() }
        let base = UnsafeRawPointer(buffer)
        func pass() -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            pool.parallelFor(threads) { t in
                let first = vectors * t / threads, end = vectors * (t + 1) / threads
                var a = SIMD16<UInt32>(), b = SIMD16<UInt32>(), c = SIMD16<UInt32>(), d = SIMD16<UInt32>()
                var i = first
                // Four independent sums, so the adds never wait on each other; only the loads bound it.
                while i + 4 <= end {
                    a &+= base.load(fromByteOffset: i * 64, as: SIMD16<UInt32>.self)
                    b &+= base.load(fromByteOffset: (i + 1) * 64, as: SIMD16<UInt32>.self)
                    c &+= base.load(fromByteOffset: (i + 2) * 64, as: SIMD16<UInt32>.self)
                    d &+= base.load(fromByteOffset: (i + 3) * 64, as: SIMD16<UInt32>.self)
                    i += 4
                }
                while i < end {
                    a &+= base.load(fromByteOffset: i * 64, as: SIMD16<UInt32>.self)
                    i += 1
                }
                sinks[t] = UInt64((a &+ b &+ c &+ d).wrappedSum())
            }
            return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        }
        _ = pass()
        let best = (0..<max(1, repetitions)).map { _ in pass() }.min()!
        return Double(vectors * 64) / best
    }

    /// Multiply-adds per second of the matrix-matrix kernel for `type` (by default Q8_0, the plain
    /// int8 path every 32-element format shares) with `threads` threads, on operands that stay in
    /// the caches: a 256 × 2048 weight matrix (557 KB in Q8_0) against a 64-token prompt chunk, as
    /// a forward pass multiplies a chunk, packed as a model's are where the CPU has a packed layout
    /// for the type. Activation quantization is included, as in a real pass.
    /// The best of `repetitions` rounds of 200 products, after one round of warm-up.
    public static func matrixPeak(type: GGMLType = .q8_0, threads: Int, repetitions: Int = 5) throws -> Double {
        let rows = 256, columns = 2048, tokens = 64
        guard let rowBytes = type.byteCount(elementCount: columns) else { throw KernelError.notBlockAligned(type: type, count: columns) }
        let weights = UnsafeMutableRawPointer.allocate(byteCount: rows * rowBytes, alignment: 64)
        defer { weights.deallocate() }
        try fillRandomBlocks(weights, type: type, blocks: rows * columns / type.blockSize)
        // Packed where models' matrices are (PackedWeights): the kernel their products run.
        let packedWeights = PackedWeights()
        let matrix = packedWeights.pack([try WeightMatrix(type: type, rows: rows, columns: columns, data: weights)],
                                        handingBackOriginals: false)[0]
        let x = UnsafeMutablePointer<Float>.allocate(capacity: tokens * columns)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: tokens * rows)
        defer { x.deallocate(); y.deallocate() }
        for i in 0..<(tokens * columns) { x[i] = Float(Int(scrambled(i) % 2001) - 1000) / 1000 }
        let pool = ThreadPool(threadCount: threads)
        let products = 200
        func round() -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<products { MatVec.multiplyBatch(matrix, x: x, count: tokens, into: y, pool: pool) }
            return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        }
        _ = round()
        let best = (0..<max(1, repetitions)).map { _ in round() }.min()!
        return Double(products * rows * columns * tokens) / best
    }

    /// Random quantized blocks whose scales are small finite halves (random bytes there could be
    /// NaN or infinite, and a kernel's speed must not depend on that).
    static func fillRandomBlocks(_ data: UnsafeMutableRawPointer, type: GGMLType, blocks: Int) throws {
        let size = type.bytesPerBlock
        for i in 0..<(blocks * size) { data.storeBytes(of: UInt8(truncatingIfNeeded: scrambled(i) >> 48), toByteOffset: i, as: UInt8.self) }
        // The f16 scale fields at the start of each block (d, and dmin where the format has one).
        let halves: Int
        switch type {
        case .q8_0, .q4_0, .q5_0: halves = 1
        case .q4_1, .q5_1, .q4_K, .q5_K: halves = 2
        default: throw KernelError.unsupportedType(type)
        }
        let scale = Half.fromFloat(0.01)
        for block in 0..<blocks {
            for h in 0..<halves { data.storeBytes(of: scale, toByteOffset: block * size + 2 * h, as: UInt16.self) }
        }
    }

    /// Operand bytes that look random to the kernels (a kernel's speed does not depend on them):
    /// the index times the golden-ratio constant, its high bits.
    private static func scrambled(_ i: Int) -> UInt64 {
        (UInt64(i) &* 0x9E37_79B9_7F4A_7C15) >> 8
    }
}
