import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Anonymous memory mapped up front and backed page by page as it is written; pages can be handed
/// back. Reserving no swap for the whole mapping (MAP_NORESERVE) is what lets sixteen 32k-token
/// caches be mapped on a machine that could not hold them all filled.
final class CachePages {
    let base: UnsafeMutableRawPointer
    let byteCount: Int
    private let isMapped: Bool
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// `bytes` rounded up / down to whole pages.
    static func pagesUp(_ bytes: Int) -> Int { (max(0, bytes) + pageSize - 1) / pageSize * pageSize }
    static func pagesDown(_ bytes: Int) -> Int { max(0, bytes) / pageSize * pageSize }

    init(byteCount requested: Int) {
        byteCount = max(1, requested)
        #if canImport(Glibc) || canImport(Musl)
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
        #else
        let flags = MAP_PRIVATE | MAP_ANON
        #endif
        if let address = mmap(nil, byteCount, PROT_READ | PROT_WRITE, flags, -1, 0),
           address != UnsafeMutableRawPointer(bitPattern: -1) {
            base = address
            isMapped = true
        } else {
            // No mapping to be had: ordinary memory, never handed back early.
            base = .allocate(byteCount: byteCount, alignment: 64)
            isMapped = false
        }
    }

    deinit {
        if isMapped { munmap(base, byteCount) } else { base.deallocate() }
    }

    /// Maps `count` bytes of `file` from `offset` (both whole pages) over the start of the buffer,
    /// copy-on-write: reads see the file's pages, shared with every other mapping of them, and a
    /// write copies its page first, so the file never changes. False when it cannot: then the
    /// start of the buffer reads as zeros (fresh memory), whatever it held before.
    func mapCopyOnWrite(file: Int32, offset: Int, count: Int) -> Bool {
        guard isMapped, count > 0, count <= byteCount, count % Self.pageSize == 0, offset % Self.pageSize == 0 else { return false }
        let address = mmap(base, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, file, off_t(offset))
        guard address == base else {
            // A failed fixed mapping may have removed what was there: fresh memory in its place.
            remapFresh(from: 0, to: count)
            return false
        }
        return true
    }

    /// Maps `count` bytes of `file` from `offset` (both whole pages) over the start of the buffer,
    /// copy-on-write, where the buffer holds exactly those bytes already (they were just written to
    /// the file from it): its own pages go back to the system, and it reads the file's, shared.
    /// False when it cannot; the buffer then still holds the same bytes, read back from the file if
    /// the failed mapping took its pages.
    func exchangeForFile(_ file: Int32, offset: Int, count: Int) -> Bool {
        guard isMapped, count > 0, count <= byteCount, count % Self.pageSize == 0, offset % Self.pageSize == 0 else { return false }
        let address = mmap(base, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, file, off_t(offset))
        if address == base { return true }
        // The failed fixed mapping may have removed the pages (Linux before 6.12 unmaps first).
        readBack(file, offset: offset, count: count)
        return false
    }

    /// Replaces the first `count` bytes with fresh memory holding `count` bytes of `file` from
    /// `offset`: what `exchangeForFile` mapped becomes the buffer's own again. A read that cannot
    /// place them has no memory to place them in: the state in which any write to a cache fails.
    func readBack(_ file: Int32, offset: Int, count: Int) {
        remapFresh(from: 0, to: count)
        var done = 0
        while done < count {
            let n = pread(file, base + done, count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            precondition(n > 0, "out of memory: a KV cache's pages could not be read back from its prefix snapshot")
            done += n
        }
    }

    /// Replaces the whole pages from `offset` (rounded up) to `end` with fresh anonymous memory,
    /// which reads as zeros and takes none until written: where a file was mapped, that ends it.
    func remapFresh(from offset: Int, to end: Int) {
        let start = Self.pagesUp(offset)
        guard isMapped, start < min(end, byteCount) else { return }
        #if canImport(Glibc) || canImport(Musl)
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED
        #else
        let flags = MAP_PRIVATE | MAP_ANON | MAP_FIXED
        #endif
        _ = mmap(base + start, min(end, byteCount) - start, PROT_READ | PROT_WRITE, flags, -1, 0)
    }

    /// Hands back every whole page from byte `offset` on; they read as zeros if touched again.
    func release(from offset: Int) {
        guard isMapped else { return }
        let start = Self.pagesUp(offset)
        guard start < byteCount else { return }
        #if canImport(Glibc) || canImport(Musl)
        _ = madvise(base + start, byteCount - start, MADV_DONTNEED)
        #else
        _ = madvise(base + start, byteCount - start, MADV_FREE)
        #endif
    }

    /// Bytes in pages the operating system backs now, from byte `offset` (whole pages) on.
    func residentBytes(from offset: Int = 0) -> Int {
        let start = Self.pagesDown(offset)
        guard start < byteCount else { return 0 }
        guard isMapped else { return byteCount - start }
        let count = byteCount - start
        var vector = [UInt8](repeating: 0, count: (count + Self.pageSize - 1) / Self.pageSize)
        #if canImport(Glibc) || canImport(Musl)
        guard mincore(base + start, count, &vector) == 0 else { return count }
        #else
        guard vector.withUnsafeMutableBufferPointer({ mincore(base + start, count, UnsafeMutablePointer<CChar>(OpaquePointer($0.baseAddress!))) }) == 0 else { return count }
        #endif
        return vector.reduce(0) { $0 + Int($1 & 1) } * Self.pageSize
    }
}
