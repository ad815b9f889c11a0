import Foundation
import Kernels

/// How a KV cache stores keys and values.
public enum KVCacheType: String, CaseIterable, Sendable {
    /// Float32, as computed: the default. f16 rounding is one of llama.cpp's error sources against
    /// the fp64 reference (docs/ACCURACY.md measures both).
    case f32
    /// IEEE binary16, rounded to nearest even: half the memory and half the bytes attention reads
    /// per cached position. Attention widens each value exactly, so it computes what a Float32
    /// cache holding the same rounded values would.
    case f16

    public var bytesPerElement: Int {
        switch self {
        case .f32: return 4
        case .f16: return 2
        }
    }
}

/// One sequence's keys and values for every layer, and how many positions hold them.
///
/// The buffers are allocated for the whole context at once; the operating system only backs the
/// pages a sequence actually writes.
final class KVCache {
    let type: KVCacheType
    let contextLength: Int
    let keyDimension: Int
    let valueDimension: Int
    let keys: [UnsafeMutableRawPointer]       // per layer (contextLength × keyDimension elements)
    let values: [UnsafeMutableRawPointer]     // per layer (contextLength × valueDimension elements)
    /// Positions 0..<position hold the sequence's keys and values.
    var position = 0

    init(config: ModelConfig, contextLength: Int, type: KVCacheType = .f32) {
        self.type = type
        self.contextLength = contextLength
        keyDimension = config.keyValueDimension
        valueDimension = config.valueDimension
        let size = type.bytesPerElement
        keys = (0..<config.blockCount).map { _ in
            .allocate(byteCount: max(1, contextLength * config.keyValueDimension * size), alignment: 64)
        }
        values = (0..<config.blockCount).map { _ in
            .allocate(byteCount: max(1, contextLength * config.valueDimension * size), alignment: 64)
        }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }

    /// Stores one position's key and value of `layer` (in the cache's type).
    func store(layer: Int, position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        switch type {
        case .f32:
            (keys[layer].assumingMemoryBound(to: Float.self) + position * keyDimension).update(from: key, count: keyDimension)
            (values[layer].assumingMemoryBound(to: Float.self) + position * valueDimension).update(from: value, count: valueDimension)
        case .f16:
            Half.round(key, count: keyDimension, into: keys[layer].assumingMemoryBound(to: UInt16.self) + position * keyDimension)
            Half.round(value, count: valueDimension, into: values[layer].assumingMemoryBound(to: UInt16.self) + position * valueDimension)
        }
    }

    /// Copies `positions` from `source` and ends the sequence after them: positions below hold
    /// what they held (a prefix both share).
    func copy(from source: KVCache, positions: Range<Int>) {
        precondition(positions.upperBound <= source.position && positions.upperBound <= contextLength
                     && positions.lowerBound <= position && source.type == type)
        let size = type.bytesPerElement
        let k = positions.lowerBound * keyDimension * size, v = positions.lowerBound * valueDimension * size
        for layer in keys.indices {
            (keys[layer] + k).copyMemory(from: source.keys[layer] + k, byteCount: positions.count * keyDimension * size)
            (values[layer] + v).copyMemory(from: source.values[layer] + v, byteCount: positions.count * valueDimension * size)
        }
        position = positions.upperBound
    }
}
