import Foundation
import Kernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The first positions of a sequence's KV cache, every layer's keys and values in whole pages,
/// written once into a memory file that other caches map copy-on-write (`KVCache.share`): a prompt
/// prefix that many sequences start with (a suite's system prompt, a question under its choices)
/// then occupies memory once, not once per sequence. The file never changes after it is written: a
/// cache that writes into one of its pages gets a private copy of that page. Its memory goes back
/// to the system when the last cache stops mapping it and the last reference to this object is
/// gone.
final class PrefixSnapshot {
    let file: Int32
    let layers: Int
    /// Bytes of each layer's keys and of its values in the file: whole pages.
    let keyBytes: Int, valueBytes: Int
    /// Positions whose keys and values lie wholly in the file's pages (the last page of each
    /// layer may also hold the start of the next position, which is not counted).
    let positions: Int

    /// Positions a snapshot of `requested` positions of `cache` would hold wholly.
    static func positions(_ requested: Int, of cache: KVCache) -> Int {
        min(CachePages.pagesDown(requested * cache.keyRowBytes) / cache.keyRowBytes,
            CachePages.pagesDown(requested * cache.valueRowBytes) / cache.valueRowBytes)
    }

    /// A snapshot of the first `requested` positions of `cache` (which holds at least that many);
    /// nil when they fill no whole page of keys and of values, or where memory files cannot be had.
    init?(of cache: KVCache, positions requested: Int) {
        precondition(requested <= cache.position)
        let keyBytes = CachePages.pagesDown(requested * cache.keyRowBytes)
        let valueBytes = CachePages.pagesDown(requested * cache.valueRowBytes)
        let positions = Self.positions(requested, of: cache)
        let layers = cache.keys.count
        guard positions > 0, let file = MemoryFile.create(name: "hearth-kv-prefix") else { return nil }
        var written = ftruncate(file, off_t(layers * (keyBytes + valueBytes))) == 0
        for layer in 0..<layers where written {
            let start = layer * (keyBytes + valueBytes)
            written = Self.write(file, cache.keys[layer], count: keyBytes, at: start)
                && Self.write(file, cache.values[layer], count: valueBytes, at: start + keyBytes)
        }
        guard written else {
            close(file)
            return nil
        }
        (self.file, self.layers, self.keyBytes, self.valueBytes, self.positions) = (file, layers, keyBytes, valueBytes, positions)
    }

    deinit { close(file) }

    /// Where layer `layer`'s keys (values) start in the file.
    func keyOffset(_ layer: Int) -> Int { layer * (keyBytes + valueBytes) }
    func valueOffset(_ layer: Int) -> Int { keyOffset(layer) + keyBytes }

    /// Bytes of memory the snapshot holds (its file).
    var byteCount: Int { layers * (keyBytes + valueBytes) }

    private static func write(_ file: Int32, _ bytes: UnsafeMutableRawPointer, count: Int, at offset: Int) -> Bool {
        var done = 0
        while done < count {
            let n = pwrite(file, bytes + done, count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }
}

// MARK: - Caches that share a snapshot

extension KVCache {
    /// Makes this cache's first positions `snapshot`'s, by mapping its pages (copy-on-write) over
    /// the start of every layer's keys and values: the cache then holds at least the snapshot's
    /// positions, and takes no memory of its own for them. False when the mapping fails; the cache
    /// then holds nothing (position 0), and the caller copies instead.
    func share(_ snapshot: PrefixSnapshot) -> Bool {
        precondition(snapshot.layers == keys.count)
        endSnapshot(past: 0)
        for layer in keys.indices {
            guard keyPages[layer].mapCopyOnWrite(file: snapshot.file, offset: snapshot.keyOffset(layer), count: snapshot.keyBytes),
                  valuePages[layer].mapCopyOnWrite(file: snapshot.file, offset: snapshot.valueOffset(layer), count: snapshot.valueBytes) else {
                for mapped in 0...layer {
                    keyPages[mapped].remapFresh(from: 0, to: snapshot.keyBytes)
                    valuePages[mapped].remapFresh(from: 0, to: snapshot.valueBytes)
                }
                truncate(to: 0)
                return false
            }
        }
        sharing.lock()
        (self.snapshot, origin, intactPositions) = (snapshot, nil, snapshot.positions)
        (sharedKeyBytes, sharedValueBytes) = (snapshot.keyBytes, snapshot.valueBytes)
        sharing.unlock()
        advance(to: max(position, snapshot.positions))
        return true
    }

    /// Makes this cache, whose first positions `snapshot` was just taken from, map it too: its own
    /// pages for them (or an older snapshot's) go back, so the prefix is held once, not twice, and
    /// later copies from this cache map it rather than take another. Where a page cannot be
    /// mapped, the cache holds all of them as its own, read back from the snapshot, and only
    /// records it (`origin`).
    func adopt(_ snapshot: PrefixSnapshot) {
        precondition(snapshot.layers == keys.count && position >= snapshot.positions)
        // Every layer's keys, then every layer's values: (pages, offset in the file, bytes). The
        // file holds what they hold, so mapping it over them changes no byte.
        let buffers = keyPages.indices.map { (keyPages[$0], snapshot.keyOffset($0), snapshot.keyBytes) }
            + valuePages.indices.map { (valuePages[$0], snapshot.valueOffset($0), snapshot.valueBytes) }
        var exchanged = 0
        while exchanged < buffers.count,
              buffers[exchanged].0.exchangeForFile(snapshot.file, offset: buffers[exchanged].1, count: buffers[exchanged].2) {
            exchanged += 1
        }
        let mapped = exchanged == buffers.count
        if !mapped {
            // All of them, so that the record is exact whatever each mapped before.
            for (pages, offset, count) in buffers { pages.readBack(snapshot.file, offset: offset, count: count) }
        }
        sharing.lock()
        defer { sharing.unlock() }
        intactPositions = snapshot.positions
        (self.snapshot, origin) = mapped ? (snapshot, nil) : (nil, snapshot)
        (sharedKeyBytes, sharedValueBytes) = mapped ? (snapshot.keyBytes, snapshot.valueBytes) : (0, 0)
    }

    /// The snapshot whose pages hold this cache's first positions unchanged, if any (and alive).
    var intactSnapshot: PrefixSnapshot? {
        guard let held = snapshot ?? origin, intactPositions >= held.positions else { return nil }
        return held
    }

    /// Positions from `kept` on are about to change or be dropped: they no longer match the
    /// snapshot, and the whole pages past `kept` stop mapping it (fresh memory in their place; the
    /// page that also holds earlier positions stays, and is copied if written). The snapshot is
    /// let go once no page maps it and this cache no longer matches all of it.
    func endSnapshot(past kept: Int) {
        if snapshot == nil {
            // A cache that could not map the snapshot it was taken from: only the record changes.
            sharing.lock()
            intactPositions = min(intactPositions, kept)
            if let held = origin, intactPositions < held.positions { origin = nil }
            sharing.unlock()
            return
        }
        guard kept < intactPositions || sharedKeyBytes > 0 || sharedValueBytes > 0 else { return }
        let k = min(sharedKeyBytes, CachePages.pagesUp(kept * keyRowBytes))
        let v = min(sharedValueBytes, CachePages.pagesUp(kept * valueRowBytes))
        for layer in keys.indices {
            keyPages[layer].remapFresh(from: k, to: sharedKeyBytes)
            valuePages[layer].remapFresh(from: v, to: sharedValueBytes)
        }
        sharing.lock()
        intactPositions = min(intactPositions, kept)
        (sharedKeyBytes, sharedValueBytes) = (k, v)
        if k == 0 && v == 0, let held = snapshot, intactPositions < held.positions { snapshot = nil }
        sharing.unlock()
    }
}
