import Foundation

extension Statistics {
    /// Standard normal quantile (inverse CDF), so intervals can be built at any confidence rather
    /// than with a hard-coded 1.96.
    ///
    /// Acklam's rational approximation (relative error below 1.2e-9) followed by one Halley step
    /// against `erfc`, which brings it to about machine precision. The upper half is computed as
    /// the negated lower half (1 - p is exact there), so the result is exactly antisymmetric.
    /// p <= 0 gives -infinity, p >= 1 +infinity, NaN gives NaN.
    public static func normalQuantile(_ p: Double) -> Double {
        if p.isNaN { return .nan }
        if p <= 0 { return -.infinity }
        if p >= 1 { return .infinity }
        if p > 0.5 { return -normalQuantile(1 - p) }

        var x: Double
        if p < acklamTailBreak {
            let q = (-2 * log(p)).squareRoot()
            x = horner(acklamC, q) / (horner(acklamD, q) * q + 1)
        } else {
            let q = p - 0.5
            let r = q * q
            x = horner(acklamA, r) * q / (horner(acklamB, r) * r + 1)
        }

        // Halley refinement: e is the CDF's error at x, u the matching step in x.
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        if u.isFinite { x -= u / (1 + x * u / 2) }
        return x
    }

    /// Evaluates c[0] t^(k-1) + ... + c[k-1].
    private static func horner(_ coefficients: [Double], _ t: Double) -> Double {
        coefficients.dropFirst().reduce(coefficients[0]) { $0 * t + $1 }
    }

    // Acklam's coefficients: numerator and denominator for the central region (a, b) and the tails
    // (c, d); the denominators' constant term 1 is applied by the caller.
    private static let acklamTailBreak = 0.02425
    private static let acklamA = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                  1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    private static let acklamB = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                  6.680131188771972e+01, -1.328068155288572e+01]
    private static let acklamC = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                  -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    private static let acklamD = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                  3.754408661907416e+00]
}
