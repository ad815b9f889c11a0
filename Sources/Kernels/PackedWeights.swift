import CKernels
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Weights repacked at load for the row-interleaved kernels: sixteen rows' blocks side by side as
/// a 512-bit vpdpbusd reads them (`hk_block_q5_0x16`, `hk_block_q8_0x16`, `hk_block_q4_Kx16`,
/// `hk_block_q6_Kx16`), so that no product transposes them again. The packed bytes are as many as
/// the original's (1-3% more for the K-quants, whose scales are stored a byte each), and the
/// original's pages are handed back to the system once packed (they stay in the file's mapping,
/// read back on demand by whatever still reads `data`: an embedding lookup, a reference pass).
/// Only Q5_0, Q8_0, Q4_K and Q6_K matrices of whole groups of sixteen rows, on CPUs with AVX-512
/// VNNI; other matrices are left as they are. Every product is bitwise what it was (MatVecTests).
///
/// Owns the packed memory: the matrices it returns must not outlive it.
public final class PackedWeights: @unchecked Sendable {
    private var allocations: [UnsafeMutableRawPointer] = []
    /// Bytes of packed weights held.
    public private(set) var byteCount = 0

    public init() {}

    deinit { for allocation in allocations { allocation.deallocate() } }

    /// Whether `w` would be packed here.
    public static func packs(_ w: WeightMatrix) -> Bool {
        w.packed == nil && hk_packed_bytes(w.type.rawValue, Int64(w.columns), Int64(w.rows)) > 0
    }

    /// The matrices with packed copies beside them where they have a packed layout, the others as
    /// they are; packed on all cores. With `handingBackOriginals`, where the matrices lie in a
    /// read-only file mapping (and only there: anonymous memory handed back reads as zeros), the
    /// original's whole pages are dropped from this process's memory once packed.
    public func pack(_ matrices: [WeightMatrix], handingBackOriginals: Bool) -> [WeightMatrix] {
        var result = matrices
        var jobs: [(index: Int, target: UnsafeMutableRawPointer)] = []
        for (index, w) in matrices.enumerated() where Self.packs(w) {
            let bytes = hk_packed_bytes(w.type.rawValue, Int64(w.columns), Int64(w.rows))
            let target = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            allocations.append(target)
            byteCount += bytes
            jobs.append((index, target))
            result[index].packed = UnsafeRawPointer(target)
        }
        // Each job a slice of sixteen-row groups of one matrix, about 1 MiB, so the cores share
        // the work evenly whatever the matrices' sizes.
        var slices: [(job: Int, rows: Range<Int>)] = []
        for (job, entry) in jobs.enumerated() {
            let w = matrices[entry.index]
            let step = max(16, (1 << 20) / max(1, w.rowBytes) & ~15)
            for start in stride(from: 0, to: w.rows, by: step) { slices.append((job, start..<min(w.rows, start + step))) }
        }
        // Each slice's original pages are handed back as soon as it is packed, so that the
        // process never holds both copies of more than a slice per core.
        DispatchQueue.concurrentPerform(iterations: slices.count) { i in
            let (job, rows) = slices[i]
            let w = matrices[jobs[job].index]
            hk_pack_rows(w.type.rawValue, Int64(w.columns), w.data, w.rowBytes, Int64(rows.lowerBound), Int64(rows.upperBound), jobs[job].target)
            if handingBackOriginals { Self.handBack(w.data + rows.lowerBound * w.rowBytes, count: rows.count * w.rowBytes) }
        }
        // The pages that straddle two slices.
        if handingBackOriginals { for entry in jobs { Self.handBack(matrices[entry.index].data, count: matrices[entry.index].byteCount) } }
        return result
    }

    /// Drops this process's mapping of the whole pages within `count` bytes from `data`: the page
    /// cache keeps them, and a read maps them again.
    private static func handBack(_ data: UnsafeRawPointer, count: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: data) + page - 1) / page * page
        let end = (Int(bitPattern: data) + count) / page * page
        guard end > start, let address = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(address, end - start, MADV_DONTNEED)
    }
}

extension WeightMatrix {
    /// Calls `body` with row `r`'s stored blocks: in place, or read back from the packed copy, so
    /// that a lookup of single rows (embeddings) does not bring the original's pages back.
    public func withRow<T>(_ r: Int, _ body: (UnsafeRawPointer) throws -> T) rethrows -> T {
        precondition(r >= 0 && r < rows)
        guard let packed else { return try body(data + r * rowBytes) }
        return try withUnsafeTemporaryAllocation(byteCount: max(1, rowBytes), alignment: 16) { buffer in
            hk_packed_row(type.rawValue, Int64(columns), packed, Int64(r), buffer.baseAddress!)
            return try body(UnsafeRawPointer(buffer.baseAddress!))
        }
    }

    /// This matrix with `other`'s packed copy, where both are the same bytes (a model whose output
    /// matrix is its embeddings); else this matrix as it is.
    public func sharingPackedCopy(of other: WeightMatrix) -> WeightMatrix {
        guard packed == nil, other.data == data, other.type == type, other.rows == rows, other.columns == columns else { return self }
        var shared = self
        shared.packed = other.packed
        return shared
    }
}
