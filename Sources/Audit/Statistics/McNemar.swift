import Foundation

extension Statistics {
    /// McNemar's test for two runs' pass/fail on the same items: only the discordant items
    /// (b = first passed and second failed, c = the reverse) carry evidence of a difference.
    ///
    /// `pValue` is the exact two-sided binomial test of b against Binomial(b + c, 1/2),
    /// min(1, 2 P(X <= min(b, c))), the same as `scipy.stats.binomtest(min(b, c), b + c)`; exact
    /// because audits often have only a handful of discordant items, where the chi-square
    /// approximation is poor. `chiSquare` is (|b - c| - 1)^2 / (b + c) with Edwards' continuity
    /// correction, for readers used to it; the correction is not allowed to overshoot, so b == c
    /// gives 0 (R's `mcnemar.test` and statsmodels give 1 / (b + c) there). No discordant items
    /// gives p = 1 and chi-square 0.
    public static func mcNemar(onlyFirst b: Int, onlySecond c: Int) -> (pValue: Double, chiSquare: Double) {
        precondition(b >= 0 && c >= 0, "mcNemar: negative count (\(b), \(c))")
        let discordant = b + c
        guard discordant > 0 else { return (1, 0) }
        let pValue = min(1, 2 * binomialHalfLowerTail(atMost: min(b, c), trials: discordant))
        let excess = max(0, Double(abs(b - c)) - 1)
        return (pValue, excess * excess / Double(discordant))
    }

    /// P(X <= k) for X ~ Binomial(n, 1/2), k <= n / 2.
    ///
    /// Starts from the largest term, P(X = k), in logs (2^-n underflows from n = 1075) and walks
    /// down with the exact ratio P(X = i - 1) / P(X = i) = i / (n - i + 1) < 1, stopping once the
    /// terms no longer change the sum.
    static func binomialHalfLowerTail(atMost k: Int, trials n: Int) -> Double {
        precondition(k >= 0 && k <= n)
        let trials = Double(n), successes = Double(k)
        let logChoose: Double = lgamma(trials + 1) - lgamma(successes + 1) - lgamma(trials - successes + 1)
        let logHalfPower: Double = trials * log(2.0)
        var term: Double = exp(logChoose - logHalfPower)
        var sum = 0.0
        var i = k
        while true {
            sum += term
            if i == 0 || term <= sum * 1e-17 { break }
            let remaining: Int = n - i + 1
            term *= Double(i) / Double(remaining)
            i -= 1
        }
        return sum
    }
}
