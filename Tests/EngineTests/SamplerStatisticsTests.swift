import XCTest
@testable import Engine

/// Goodness-of-fit tests of the sampler chain: for a fixed distribution, the frequencies of many
/// seeded draws must match the probabilities the chain should produce. Pearson's chi-square test at
/// significance 0.001: a correct sampler fails one such test in a thousand seeds; the seeds are
/// fixed, so the outcome is repeatable, and a wrong truncation or temperature fails by a wide margin.
final class SamplerStatisticsTests: XCTestCase {
    static let draws = 40_000
    static let logits: [Float] = [2.0, 1.6, 1.5, 1.0, 0.3, 0.0, -0.5, -1.0, -2.0, -3.0]

    /// Upper 0.001 quantiles of chi-square for 1...10 degrees of freedom, then Wilson–Hilferty.
    static func criticalValue(degreesOfFreedom k: Int) -> Double {
        let table = [10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877, 29.588]
        if k <= table.count { return table[k - 1] }
        let z = 3.0902
        let d = Double(k)
        return d * pow(1 - 2 / (9 * d) + z * (2 / (9 * d)).squareRoot(), 3)
    }

    /// Softmax at temperature `t` over the tokens in `kept` (others 0).
    static func expected(_ logits: [Float], kept: Set<Int>, temperature t: Double) -> [Double] {
        let top = kept.map { Double(logits[$0]) }.max()!
        var p = logits.indices.map { kept.contains($0) ? exp((Double(logits[$0]) - top) / t) : 0 }
        let total = p.reduce(0, +)
        for i in p.indices { p[i] /= total }
        return p
    }

    func assertFits(_ parameters: SamplingParameters, expected: [Double], file: StaticString = #filePath, line: UInt = #line) throws {
        var sampler = TokenSampler(parameters: parameters)
        var counts = [Int](repeating: 0, count: expected.count)
        for _ in 0..<Self.draws {
            counts[Int(try sampler.sample(logits: Self.logits))] += 1
        }
        var chiSquare = 0.0
        var cells = 0
        for i in expected.indices {
            if expected[i] == 0 {
                XCTAssertEqual(counts[i], 0, "token \(i) should never be drawn", file: file, line: line)
                continue
            }
            let e = expected[i] * Double(Self.draws)
            chiSquare += pow(Double(counts[i]) - e, 2) / e
            cells += 1
        }
        if cells > 1 {
            let critical = Self.criticalValue(degreesOfFreedom: cells - 1)
            XCTAssertLessThan(chiSquare, critical, "chi-square \(chiSquare) over \(cells - 1) dof; counts \(counts)", file: file, line: line)
        }
    }

    func testTemperatureOnly() throws {
        for t: Float in [0.5, 1.0, 1.7] {
            let p = SamplingParameters(temperature: t, topK: 0, topP: 1, minP: 0, seed: 11)
            try assertFits(p, expected: Self.expected(Self.logits, kept: Set(0..<10), temperature: Double(t)))
        }
    }

    func testTopK() throws {
        let p = SamplingParameters(temperature: 1, topK: 3, topP: 1, minP: 0, seed: 12)
        try assertFits(p, expected: Self.expected(Self.logits, kept: [0, 1, 2], temperature: 1))
        let hot = SamplingParameters(temperature: 2, topK: 5, topP: 1, minP: 0, seed: 13)
        try assertFits(hot, expected: Self.expected(Self.logits, kept: [0, 1, 2, 3, 4], temperature: 2))
    }

    func testTopP() throws {
        // The untempered probabilities decide the nucleus (temperature comes last, as in llama.cpp).
        let base = Self.expected(Self.logits, kept: Set(0..<10), temperature: 1)
        for target: Float in [0.5, 0.8, 0.95] {
            var cumulative = 0.0
            var kept = Set<Int>()
            for i in 0..<10 where cumulative < Double(target) {
                kept.insert(i)
                cumulative += base[i]
            }
            let p = SamplingParameters(temperature: 0.8, topK: 0, topP: target, minP: 0, seed: 14)
            try assertFits(p, expected: Self.expected(Self.logits, kept: kept, temperature: 0.8))
        }
    }

    func testMinP() throws {
        let base = Self.expected(Self.logits, kept: Set(0..<10), temperature: 1)
        for minP: Float in [0.05, 0.2, 0.5] {
            let kept = Set((0..<10).filter { base[$0] >= Double(minP) * base[0] })
            let p = SamplingParameters(temperature: 1.3, topK: 0, topP: 1, minP: minP, seed: 15)
            try assertFits(p, expected: Self.expected(Self.logits, kept: kept, temperature: 1.3))
        }
    }

    func testFullChain() throws {
        // top-k 6, then top-p 0.9 of those six renormalised, then min-p 0.1, then temperature 0.7.
        let six = Self.expected(Self.logits, kept: Set(0..<6), temperature: 1)
        var cumulative = 0.0
        var nucleus = Set<Int>()
        for i in 0..<6 where cumulative < 0.9 {
            nucleus.insert(i)
            cumulative += six[i]
        }
        let kept = nucleus.filter { six[$0] >= 0.1 * six[0] }
        let p = SamplingParameters(temperature: 0.7, topK: 6, topP: 0.9, minP: 0.1, seed: 16)
        try assertFits(p, expected: Self.expected(Self.logits, kept: Set(kept), temperature: 0.7))
    }

    func testAWrongDistributionIsRejected() throws {
        // The test has power: temperature 1 draws do not fit temperature 1.2 probabilities.
        var sampler = TokenSampler(parameters: SamplingParameters(temperature: 1, topK: 0, topP: 1, minP: 0, seed: 17))
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<Self.draws { counts[Int(try sampler.sample(logits: Self.logits))] += 1 }
        let wrong = Self.expected(Self.logits, kept: Set(0..<10), temperature: 1.2)
        let chiSquare = zip(counts, wrong).reduce(0.0) { $0 + pow(Double($1.0) - $1.1 * Double(Self.draws), 2) / ($1.1 * Double(Self.draws)) }
        XCTAssertGreaterThan(chiSquare, Self.criticalValue(degreesOfFreedom: 9))
    }
}
