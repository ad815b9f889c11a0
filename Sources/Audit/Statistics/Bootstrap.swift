import Foundation

extension Statistics {
    /// Percentile bootstrap interval of the mean, for scores that are not simply 0/1 (a judge's
    /// 1-10 grade, a similarity), where no closed-form interval fits every shape of data.
    ///
    /// Deterministic given `seed`: the resampling uses `SplitMix64` and its own bounded draws, not
    /// the standard library's (whose algorithm may change between Swift releases), so the same
    /// scores and seed give the same interval on every machine. Limits are the type-7 (linear
    /// interpolation, NumPy's default) quantiles of the resampled means. An empty array gives a
    /// NaN interval; a constant one gives that constant at both ends.
    public static func bootstrapMean(_ values: [Double], resamples: Int = 2000, confidence: Double = 0.95,
                                     seed: UInt64 = 0) -> ConfidenceInterval {
        percentileBootstrapOfMean(values, resamples: resamples, confidence: confidence, seed: seed)
    }

    /// mean(a) - mean(b) for two runs scored on the same items (a[i] and b[i] are one item), with a
    /// paired bootstrap interval: each resample draws items, keeping both runs' scores of an item
    /// together. Resampling the runs independently would ignore that hard items are hard for both
    /// and give a needlessly wide interval.
    ///
    /// Resampling pairs jointly is the same as resampling the per-item differences, which is how it
    /// is computed. Identical runs give [0, 0]; empty input gives a NaN difference and interval.
    public static func pairedBootstrapDifference(_ a: [Double], _ b: [Double], resamples: Int = 2000, confidence: Double = 0.95,
                                                 seed: UInt64 = 0) -> (difference: Double, interval: ConfidenceInterval) {
        precondition(a.count == b.count, "pairedBootstrapDifference: \(a.count) and \(b.count) values do not pair up")
        guard !a.isEmpty else {
            checkConfidence(confidence)
            return (.nan, ConfidenceInterval(low: .nan, high: .nan))
        }
        let difference = mean(a) - mean(b)
        let perItem = zip(a, b).map { $0 - $1 }
        return (difference, percentileBootstrapOfMean(perItem, resamples: resamples, confidence: confidence, seed: seed))
    }

    static func percentileBootstrapOfMean(_ values: [Double], resamples: Int, confidence: Double, seed: UInt64) -> ConfidenceInterval {
        precondition(resamples > 0, "bootstrap needs at least one resample, got \(resamples)")
        checkConfidence(confidence)
        let alpha = 1 - confidence
        guard let first = values.first else { return ConfidenceInterval(low: .nan, high: .nan) }
        // Every resample of a constant has exactly that mean; skipping the work also avoids
        // summation rounding that would make [v, v] come out as [v - ulp, v].
        if values.allSatisfy({ $0 == first }) { return ConfidenceInterval(low: first, high: first) }

        var generator = SplitMix64(seed: seed)
        let n = values.count
        var means = [Double](repeating: 0, count: resamples)
        // Unsafe buffers keep the inner loop fast in debug builds too (the tests run it thousands
        // of times); indices are in range by construction.
        values.withUnsafeBufferPointer { sample in
            means.withUnsafeMutableBufferPointer { out in
                for r in 0..<resamples {
                    var sum = 0.0
                    for _ in 0..<n { sum += sample[generator.nextIndex(below: n)] }
                    out[r] = sum / Double(n)
                }
            }
        }
        means.sort()
        return ConfidenceInterval(low: sortedQuantile(means, alpha / 2), high: sortedQuantile(means, 1 - alpha / 2))
    }

    /// Type-7 quantile of an ascending, non-empty array.
    static func sortedQuantile(_ sorted: [Double], _ p: Double) -> Double {
        let position = Double(sorted.count - 1) * p
        let below = Int(position.rounded(.down))
        guard below + 1 < sorted.count else { return sorted[sorted.count - 1] }
        let fraction = position - Double(below)
        return sorted[below] + fraction * (sorted[below + 1] - sorted[below])
    }

    static func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(values.count)
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference code): a tiny seedable generator whose
/// output is fixed by its seed alone, so bootstrap intervals reproduce exactly across machines,
/// runs and Swift releases. Statistically ample for resampling; not for anything secret.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<bound, without modulo bias (Lemire 2019, "Fast random integer
    /// generation in an interval"). Written out rather than `Int.random(in:using:)` because the
    /// standard library does not promise that algorithm stays the same.
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "nextIndex(below:) needs a positive bound, got \(bound)")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniform Double in [0, 1) from the top 53 bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}
