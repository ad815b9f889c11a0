import Foundation

/// One sequence's keys and values for every layer, in Float32, and how many positions hold them.
///
/// Float32 rather than llama.cpp's f16: f16 rounding was one of its error sources against the
/// fp64 reference. The buffers are allocated for the whole context at once; the operating system
/// only backs the pages a sequence actually writes.
final class KVCache {
    let contextLength: Int
    let keyDimension: Int
    let valueDimension: Int
    let keys: [UnsafeMutablePointer<Float>]       // per layer (contextLength × keyDimension)
    let values: [UnsafeMutablePointer<Float>]     // per layer (contextLength × valueDimension)
    /// Positions 0..<position hold the sequence's keys and values.
    var position = 0

    init(config: ModelConfig, contextLength: Int) {
        self.contextLength = contextLength
        keyDimension = config.keyValueDimension
        valueDimension = config.valueDimension
        keys = (0..<config.blockCount).map { _ in .allocate(capacity: contextLength * config.keyValueDimension) }
        values = (0..<config.blockCount).map { _ in .allocate(capacity: contextLength * config.valueDimension) }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }

    /// Copies `positions` from `source` and ends the sequence after them: positions below hold
    /// what they held (a prefix both share).
    func copy(from source: KVCache, positions: Range<Int>) {
        precondition(positions.upperBound <= source.position && positions.upperBound <= contextLength
                     && positions.lowerBound <= position)
        let k = positions.lowerBound * keyDimension, v = positions.lowerBound * valueDimension
        for layer in keys.indices {
            (keys[layer] + k).update(from: source.keys[layer] + k, count: positions.count * keyDimension)
            (values[layer] + v).update(from: source.values[layer] + v, count: positions.count * valueDimension)
        }
        position = positions.upperBound
    }
}
