extension Statistics {
    /// Cohen's kappa between two raters labelling the same items (a model judge against human
    /// labels, or two judges), with the raw agreement beside it: raw agreement alone flatters a
    /// rater that always says the majority label, kappa discounts what chance would give.
    ///
    /// kappa = (p_o - p_e) / (1 - p_e), p_e from each rater's own label frequencies. Computed from
    /// integer counts, so the result does not depend on dictionary order. When p_e is 1 (both
    /// raters gave every item the same single label) kappa is 0/0 and is returned as NaN: the data
    /// cannot separate agreement from chance, and 1.0 would praise a rubber stamp; `agreement` is
    /// still 1 there. Empty input gives NaN for both.
    public static func cohensKappa<Label: Hashable>(_ first: [Label], _ second: [Label]) -> (kappa: Double, agreement: Double) {
        precondition(first.count == second.count, "cohensKappa: \(first.count) and \(second.count) labels do not pair up")
        let n = first.count
        guard n > 0 else { return (.nan, .nan) }
        var agreed = 0
        var firstCounts: [Label: Int] = [:]
        var secondCounts: [Label: Int] = [:]
        for (x, y) in zip(first, second) {
            if x == y { agreed += 1 }
            firstCounts[x, default: 0] += 1
            secondCounts[y, default: 0] += 1
        }
        // n^2 p_e, exact in integers (n up to about 3e9).
        var chancePairs = 0
        for (label, count) in firstCounts {
            if let other = secondCounts[label] { chancePairs += count * other }
        }
        let agreement = Double(agreed) / Double(n)
        let nn = n * n
        guard chancePairs < nn else { return (.nan, agreement) }
        return (Double(agreed * n - chancePairs) / Double(nn - chancePairs), agreement)
    }
}
