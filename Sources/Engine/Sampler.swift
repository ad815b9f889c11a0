import Foundation

/// A small, seedable random generator (xoshiro256**), so the same seed gives the same tokens on every
/// machine and every run, independent of the platform's `SystemRandomNumberGenerator`.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        // SplitMix64 spreads a small seed over the 256-bit state, as xoshiro's authors recommend.
        var x = seed
        func next() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }

    /// A uniform Double in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}

/// Picks the next token from logits.
public enum Sampler {
    /// The index of the largest logit; the lowest index wins a tie, as in llama.cpp.
    public static func argmax(_ logits: [Float]) -> Int32 {
        var best = 0
        var bestValue = -Float.infinity
        for (i, value) in logits.enumerated() where value > bestValue {
            best = i
            bestValue = value
        }
        return Int32(best)
    }

    /// Samples from softmax(logits / temperature).
    public static func sample(_ logits: [Float], temperature: Float, generator: inout SeededGenerator) -> Int32 {
        precondition(temperature > 0)
        let maxLogit = logits.max() ?? 0
        var weights = logits.map { exp(Double(($0 - maxLogit) / temperature)) }
        let total = weights.reduce(0, +)
        var threshold = generator.nextUnit() * total
        for i in weights.indices {
            threshold -= weights[i]
            if threshold < 0 { return Int32(i) }
        }
        weights.removeAll()
        return argmax(logits)
    }
}
