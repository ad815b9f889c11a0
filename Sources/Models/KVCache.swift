import Foundation
import Kernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a KV cache stores keys and values.
public enum KVCacheType: String, CaseIterable, Sendable {
    /// Float32, as computed: the default. f16 rounding is one of llama.cpp's error sources against
    /// the fp64 reference (docs/ACCURACY.md measures both).
    case f32
    /// IEEE binary16, rounded to nearest even: half the memory and half the bytes attention reads
    /// per cached position. Attention widens each value exactly, so it computes what a Float32
    /// cache holding the same rounded values would.
    case f16
    /// ggml's Q8_0 (32 signed bytes and a binary16 scale per block of a head), as llama.cpp's
    /// `--cache-type-k/-v q8_0`: about a quarter of the memory. Attention widens each value exactly
    /// (d·q), so it computes what a Float32 cache holding the dequantized values would; the cost is
    /// the quantization itself (docs/ACCURACY.md measures it against fp64).
    case q8_0

    /// Bytes of one position's row of `heads` heads of `headSize` elements.
    public func rowBytes(heads: Int, headSize: Int) -> Int {
        switch self {
        case .f32: return heads * headSize * MemoryLayout<Float>.size
        case .f16: return heads * headSize * MemoryLayout<UInt16>.size
        case .q8_0: return heads * Q8_0Rows.headBytes(headSize: headSize)
        }
    }

    /// Bytes one position takes in a cache of `config`'s model: keys and values of every layer.
    public func bytesPerPosition(_ config: ModelConfig) -> Int {
        config.blockCount * (rowBytes(heads: config.headCountKV, headSize: config.headSize)
                             + rowBytes(heads: config.headCountKV, headSize: config.valueHeadSize))
    }
}

/// One sequence's keys and values for every layer, and how many positions hold them.
///
/// Each layer's keys and values are mapped for the whole context at once but take memory only as
/// they are written: the operating system backs a page when it is first touched, and `truncate`
/// hands back the pages past the positions kept. So a cache holds memory for the tokens it holds,
/// not for its context length (`--parallel 16 --ctx-size 32768` starts small).
final class KVCache {
    let type: KVCacheType
    let contextLength: Int
    let heads: Int
    let headSize: Int
    let valueHeadSize: Int
    /// Bytes of one position's keys (values) in one layer, and of one head's part of them.
    let keyRowBytes: Int, valueRowBytes: Int
    let keyHeadBytes: Int, valueHeadBytes: Int
    let keyPages: [CachePages]       // per layer: contextLength rows of keyRowBytes
    let valuePages: [CachePages]     // per layer: contextLength rows of valueRowBytes
    let keys: [UnsafeMutableRawPointer]
    let values: [UnsafeMutableRawPointer]
    /// Positions 0..<position hold the sequence's keys and values.
    private(set) var position = 0

    /// The prefix snapshot whose pages this cache maps, and how many bytes of each layer's keys and
    /// values map it; or, for a cache it was taken from that could not map it, `origin` (weak: the
    /// snapshot's memory is not kept for a cache that does not map it). Either way, this cache's
    /// first `intactPositions` positions are the snapshot's, untouched since. See
    /// PrefixSnapshot.swift. Guarded by `sharing`: `residentBytes` reads them from other threads.
    var snapshot: PrefixSnapshot?
    weak var origin: PrefixSnapshot?
    var intactPositions = 0
    var sharedKeyBytes = 0, sharedValueBytes = 0
    let sharing = NSLock()

    init(config: ModelConfig, contextLength: Int, type: KVCacheType = .f32) {
        self.type = type
        self.contextLength = contextLength
        heads = config.headCountKV
        headSize = config.headSize
        valueHeadSize = config.valueHeadSize
        keyRowBytes = type.rowBytes(heads: heads, headSize: headSize)
        valueRowBytes = type.rowBytes(heads: heads, headSize: valueHeadSize)
        keyHeadBytes = type.rowBytes(heads: 1, headSize: headSize)
        valueHeadBytes = type.rowBytes(heads: 1, headSize: valueHeadSize)
        let (k, v) = (keyRowBytes, valueRowBytes)
        keyPages = (0..<config.blockCount).map { _ in CachePages(byteCount: contextLength * k) }
        valuePages = (0..<config.blockCount).map { _ in CachePages(byteCount: contextLength * v) }
        keys = keyPages.map(\.base)
        values = valuePages.map(\.base)
    }

    /// Ends the sequence after `newPosition` positions (none past the current end) and returns the
    /// whole pages past them to the operating system.
    func truncate(to newPosition: Int) {
        position = min(max(0, newPosition), position)
        endSnapshot(past: position)
        releasePagesPastEnd()
    }

    private func releasePagesPastEnd() {
        for layer in keyPages.indices {
            keyPages[layer].release(from: position * keyRowBytes)
            valuePages[layer].release(from: position * valueRowBytes)
        }
    }

    /// Marks positions up to `newPosition` as holding keys and values (after storing them).
    func advance(to newPosition: Int) {
        precondition(newPosition >= position && newPosition <= contextLength)
        position = newPosition
    }

    /// Bytes of the cache the operating system backs now (resident pages), for tests and reports,
    /// less the pages that map a snapshot, and that snapshot (counted once by the context for all
    /// the caches that share it).
    var residentBytes: (own: Int, snapshot: PrefixSnapshot?) {
        sharing.lock()
        let (k, v, snapshot) = (sharedKeyBytes, sharedValueBytes, self.snapshot)
        sharing.unlock()
        let own = keyPages.reduce(0) { $0 + $1.residentBytes(from: k) } + valuePages.reduce(0) { $0 + $1.residentBytes(from: v) }
        return (own, snapshot)
    }

    /// Stores one position's key and value of `layer` (in the cache's type).
    func store(layer: Int, position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        let k = keys[layer] + position * keyRowBytes, v = values[layer] + position * valueRowBytes
        switch type {
        case .f32:
            k.assumingMemoryBound(to: Float.self).update(from: key, count: heads * headSize)
            v.assumingMemoryBound(to: Float.self).update(from: value, count: heads * valueHeadSize)
        case .f16:
            Half.round(key, count: heads * headSize, into: k.assumingMemoryBound(to: UInt16.self))
            Half.round(value, count: heads * valueHeadSize, into: v.assumingMemoryBound(to: UInt16.self))
        case .q8_0:
            Q8_0Rows.quantize(key, heads: heads, headSize: headSize, into: k)
            Q8_0Rows.quantize(value, heads: heads, headSize: valueHeadSize, into: v)
        }
    }

    /// Copies `positions` from `source` and ends the sequence after them: positions below hold
    /// what they held (a prefix both share); pages past them are handed back.
    func copy(from source: KVCache, positions: Range<Int>) {
        precondition(positions.upperBound <= source.position && positions.upperBound <= contextLength
                     && positions.lowerBound <= position && source.type == type)
        let k = positions.lowerBound * keyRowBytes, v = positions.lowerBound * valueRowBytes
        endSnapshot(past: positions.lowerBound)
        for layer in keys.indices {
            (keys[layer] + k).copyMemory(from: source.keys[layer] + k, byteCount: positions.count * keyRowBytes)
            (values[layer] + v).copyMemory(from: source.values[layer] + v, byteCount: positions.count * valueRowBytes)
        }
        position = positions.upperBound
        releasePagesPastEnd()
    }
}
