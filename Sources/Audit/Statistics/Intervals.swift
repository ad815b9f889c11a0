import Foundation

/// A two-sided interval for an estimate; every figure the audit reports carries one, so a reader
/// can tell a real difference between runs from sampling noise.
///
/// `low` and `high` are NaN where the data cannot give an interval at all (no samples for a mean),
/// rather than a made-up range; JSON output prints them as `NaN`, Foundation's `JSONEncoder`
/// refuses them unless told how.
public struct ConfidenceInterval: Sendable, Equatable, Codable {
    public var low: Double
    public var high: Double

    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }

    public var width: Double { high - low }

    /// Closed at both ends: an interval that collapsed to a point still contains that point.
    public func contains(_ value: Double) -> Bool { low <= value && value <= high }
}

/// The audit's statistics, deterministic and dependency-free, so that a report can be reproduced
/// bit for bit from its recorded scores and seed.
///
/// Conventions shared by every function here:
/// - `confidence` is the two-sided coverage, strictly between 0 and 1 (a precondition: it is a
///   setting, not data).
/// - Counts that cannot occur (negative cells, more successes than trials, arrays of different
///   lengths where pairs are meant) are programming errors and stop with a precondition.
/// - No data gives the uninformative answer where one exists (a rate's interval is [0, 1]) and NaN
///   where none does (the mean of nothing).
public enum Statistics {
    /// Wilson score interval for a binomial proportion.
    ///
    /// Chosen over the textbook Wald interval because audit rates are often near 0 or 1 with small
    /// n, where Wald collapses to zero width or leaves [0, 1]; Wilson keeps close to nominal
    /// coverage there (Newcombe 1998, "Two-sided confidence intervals for the single proportion",
    /// method 3). No trials gives [0, 1]: any rate is still possible.
    public static func wilson(successes: Int, trials: Int, confidence: Double = 0.95) -> ConfidenceInterval {
        precondition(trials >= 0 && successes >= 0 && successes <= trials,
                     "wilson: need 0 <= successes (\(successes)) <= trials (\(trials))")
        let z = twoSidedZ(confidence)
        guard trials > 0 else { return ConfidenceInterval(low: 0, high: 1) }
        let n = Double(trials), x = Double(successes), z2 = z * z
        let center = (x + z2 / 2) / (n + z2)
        let halfWidth = z * (x * (n - x) / n + z2 / 4).squareRoot() / (n + z2)
        // At 0 and n the formula's limit is exactly 0 (or 1); pin it so rounding cannot leave a
        // 1e-17 that reads as "not impossible".
        let low = successes == 0 ? 0 : max(0, center - halfWidth)
        let high = successes == trials ? 1 : min(1, center + halfWidth)
        return ConfidenceInterval(low: low, high: high)
    }

    /// Interval for p1 - p2 when both proportions are measured on the same items (two models on
    /// one dataset), from the 2x2 table of pairs: a = both yes, b = first only, c = second only,
    /// d = both no. The difference is (b - c) / n.
    ///
    /// Newcombe (1998), "Improved confidence intervals for the difference between binomial
    /// proportions based on paired data", method 10: Wilson limits for each margin combined
    /// square-and-add, with the correlation between the margins (phi) taken into account. Ignoring
    /// the pairing would give an interval far too wide when the two runs mostly agree, which is the
    /// usual case when comparing models. Newcombe's phi correction (numerator ad - bc reduced by
    /// n/2 when positive, floored at 0) keeps a table like (27, 0, 0, 27) from giving a zero-width
    /// interval. No pairs gives difference 0 with [-1, 1].
    public static func pairedProportionDifference(bothYes a: Int, onlyFirst b: Int, onlySecond c: Int, bothNo d: Int,
                                                  confidence: Double = 0.95) -> (difference: Double, interval: ConfidenceInterval) {
        precondition(a >= 0 && b >= 0 && c >= 0 && d >= 0, "pairedProportionDifference: negative cell in (\(a), \(b), \(c), \(d))")
        checkConfidence(confidence)
        let total = a + b + c + d
        guard total > 0 else { return (0, ConfidenceInterval(low: -1, high: 1)) }
        let n = Double(total)
        let p1 = Double(a + b) / n
        let p2 = Double(a + c) / n
        let difference = Double(b - c) / n
        let first = wilson(successes: a + b, trials: total, confidence: confidence)
        let second = wilson(successes: a + c, trials: total, confidence: confidence)

        // In Double: the product of the four margins overflows Int64 from about 110,000 pairs.
        let margins = Double(a + b) * Double(c + d) * Double(a + c) * Double(b + d)
        var phi = 0.0
        if margins > 0 {
            let cross = Double(a) * Double(d) - Double(b) * Double(c)
            let corrected = cross > 0 ? max(cross - n / 2, 0) : cross
            phi = corrected / margins.squareRoot()
        }

        let firstBelow = p1 - first.low, firstAbove = first.high - p1
        let secondBelow = p2 - second.low, secondAbove = second.high - p2
        // |phi| <= 1 keeps both radicands >= 0 mathematically; max guards the last bit.
        let lowerReach = max(0, firstBelow * firstBelow - 2 * phi * firstBelow * secondAbove + secondAbove * secondAbove).squareRoot()
        let upperReach = max(0, secondBelow * secondBelow - 2 * phi * secondBelow * firstAbove + firstAbove * firstAbove).squareRoot()
        return (difference, ConfidenceInterval(low: max(-1, difference - lowerReach), high: min(1, difference + upperReach)))
    }

    /// The z with `confidence` of the standard normal between -z and z.
    static func twoSidedZ(_ confidence: Double) -> Double {
        checkConfidence(confidence)
        return normalQuantile(1 - (1 - confidence) / 2)
    }

    static func checkConfidence(_ confidence: Double) {
        precondition(confidence > 0 && confidence < 1, "confidence must be strictly between 0 and 1, got \(confidence)")
    }
}
