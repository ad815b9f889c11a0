import XCTest
import Foundation
@testable import Kernels

/// Attention, RMSNorm and the feed-forward gates: the C kernels at every level held to their Swift
/// twins.
final class AttentionTests: XCTestCase {
    override func tearDown() {
        KernelDispatch.reset()
        super.tearDown()
    }

    private func random(_ count: Int, _ rng: inout TestRandom, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in rng.uniform(-1, 1) * scale }
    }

    /// Heads per group 1...7 (Gemma 3 has 4, Qwen2.5 7), head sizes that are and are not multiples
    /// of the vector width, key and value rows of different strides, spans from one position up.
    func testAttendMatchesScalarTwinAtEveryLevel() throws {
        var rng = TestRandom(seed: 31)
        let shapes: [(group: Int, headSize: Int, valueSize: Int)] = [(1, 64, 64), (4, 256, 256), (7, 64, 64), (2, 20, 36), (5, 8, 16), (3, 7, 5)]
        for shape in shapes {
            let positions = 37
            let keyStride = shape.headSize + 3, valueStride = shape.valueSize + 5
            let keys = random(positions * keyStride, &rng, scale: 2)
            let values = random(positions * valueStride, &rng)
            let query = random(shape.group * shape.headSize, &rng, scale: 2)
            let scale = 1 / Float(shape.headSize).squareRoot()
            for span in [0...0, 0...36, 5...20, 36...36] {
                var twin = [Float](repeating: .nan, count: shape.group * shape.valueSize)
                Attention.attendScalar(query: query, group: shape.group, headSize: shape.headSize, keys: keys, keyStride: keyStride,
                                       values: values, valueStride: valueStride, valueSize: shape.valueSize,
                                       positions: span, scale: scale, into: &twin)
                for level in KernelDispatch.available {
                    KernelDispatch.force(level)
                    var fast = [Float](repeating: .nan, count: twin.count)
                    Attention.attend(query: query, group: shape.group, headSize: shape.headSize, keys: keys, keyStride: keyStride,
                                     values: values, valueStride: valueStride, valueSize: shape.valueSize,
                                     positions: span, scale: scale, into: &fast)
                    for i in 0..<twin.count {
                        // Outputs are convex combinations of values in [-1, 1]: an absolute bound.
                        XCTAssertEqual(fast[i], twin[i], accuracy: 2e-6, "\(shape) \(span) [\(i)] at \(level)")
                    }
                }
                KernelDispatch.reset()
            }
        }
    }

    /// Rows attended together give each row exactly (bit for bit) what it gets alone, whatever the
    /// block: the forward pass's batch invariance rests on it. Rows of one sequence (spans growing by
    /// one), a sliding window (the first position moving too), spans across the 8-position blocks
    /// and the key and value tiles.
    func testRowsTogetherEqualEachRowAloneBitForBit() throws {
        var rng = TestRandom(seed: 47)
        let shapes: [(group: Int, headSize: Int, valueSize: Int)] = [(7, 64, 64), (4, 256, 256), (2, 20, 36), (3, 7, 5), (1, 64, 80)]
        for shape in shapes {
            let positions = 700
            let keyStride = shape.headSize + 3, valueStride = shape.valueSize + 5
            let keys = random(positions * keyStride, &rng, scale: 2)
            let values = random(positions * valueStride, &rng)
            let rows = 6
            let queryStride = shape.group * shape.headSize + 1, outStride = shape.group * shape.valueSize + 2
            let query = random(rows * queryStride, &rng, scale: 2)
            let scale = 1 / Float(shape.headSize).squareRoot()
            for window in [nil, 37] as [Int?] {
                let last = (0..<rows).map { 690 + $0 }
                let first = last.map { pos in window.map { max(0, pos - $0 + 1) } ?? 0 }
                for level in KernelDispatch.available {
                    KernelDispatch.force(level)
                    var together = [Float](repeating: .nan, count: rows * outStride)
                    Attention.attendRows(query: query, queryRowStride: queryStride, rows: rows, group: shape.group,
                                         headSize: shape.headSize, keys: keys, keyStride: keyStride, values: values,
                                         valueStride: valueStride, valueSize: shape.valueSize, first: first, last: last,
                                         scale: scale, into: &together, outRowStride: outStride)
                    for r in 0..<rows {
                        var alone = [Float](repeating: .nan, count: shape.group * shape.valueSize)
                        query.withUnsafeBufferPointer { q in
                            Attention.attend(query: q.baseAddress! + r * queryStride, group: shape.group, headSize: shape.headSize,
                                             keys: keys, keyStride: keyStride, values: values, valueStride: valueStride,
                                             valueSize: shape.valueSize, positions: first[r]...last[r], scale: scale, into: &alone)
                        }
                        for i in alone.indices {
                            XCTAssertEqual(together[r * outStride + i].bitPattern, alone[i].bitPattern,
                                           "\(shape) window \(String(describing: window)) row \(r) [\(i)] at \(level)")
                        }
                    }
                }
                KernelDispatch.reset()
            }
        }
    }

    /// A half cache computes exactly what a Float32 cache holding the same rounded values does, at
    /// every level: the widening is exact and the arithmetic after it the same. Spans across the
    /// key and value tiles (a half cache widens each tile once), sliding windows, several rows.
    /// And its writes round as `Half.fromFloat` does, tails past the vector width included.
    func testHalfCacheIsTheFloatCacheOfItsRoundedValues() throws {
        var rng = TestRandom(seed: 59)
        let shapes: [(group: Int, headSize: Int, valueSize: Int)] = [(7, 64, 64), (4, 256, 256), (2, 20, 36), (3, 7, 5)]
        for shape in shapes {
            let positions = 700
            let keyStride = shape.headSize + 3, valueStride = shape.valueSize + 5
            let keys = random(positions * keyStride, &rng, scale: 2), values = random(positions * valueStride, &rng)
            var halfKeys = [UInt16](repeating: 0, count: keys.count), halfValues = [UInt16](repeating: 0, count: values.count)
            Half.round(keys, count: keys.count, into: &halfKeys)
            Half.round(values, count: values.count, into: &halfValues)
            XCTAssertEqual(halfKeys, keys.map(Half.fromFloat), "\(shape) rounding")
            XCTAssertEqual(halfValues, values.map(Half.fromFloat), "\(shape) rounding")
            let roundedKeys = halfKeys.map(Half.toFloat), roundedValues = halfValues.map(Half.toFloat)
            let rows = 5
            let queryStride = shape.group * shape.headSize + 1, outStride = shape.group * shape.valueSize + 2
            let query = random(rows * queryStride, &rng, scale: 2)
            let scale = 1 / Float(shape.headSize).squareRoot()
            for window in [nil, 300] as [Int?] {
                let last = (0..<rows).map { 695 + $0 }
                let first = last.map { pos in window.map { max(0, pos - $0 + 1) } ?? 0 }
                for level in KernelDispatch.available {
                    KernelDispatch.force(level)
                    var float = [Float](repeating: .nan, count: rows * outStride), half = float
                    Attention.attendRows(query: query, queryRowStride: queryStride, rows: rows, group: shape.group,
                                         headSize: shape.headSize, keys: roundedKeys, keyStride: keyStride, values: roundedValues,
                                         valueStride: valueStride, valueSize: shape.valueSize, first: first, last: last,
                                         scale: scale, into: &float, outRowStride: outStride)
                    Attention.attendRows(query: query, queryRowStride: queryStride, rows: rows, group: shape.group,
                                         headSize: shape.headSize, halfKeys: halfKeys, keyStride: keyStride, halfValues: halfValues,
                                         valueStride: valueStride, valueSize: shape.valueSize, first: first, last: last,
                                         scale: scale, into: &half, outRowStride: outStride)
                    XCTAssertEqual(half.map(\.bitPattern), float.map(\.bitPattern),
                                   "\(shape) window \(String(describing: window)) at \(level)")
                }
                KernelDispatch.reset()
            }
        }
    }

    /// A one-position span is that position's value, exactly; equal scores average the values.
    func testAttendKnownCases() {
        let keys: [Float] = [1, 0, 0, 1]
        let values: [Float] = [2, -4, 6, 8]
        let query: [Float] = [0.5, 0.5]
        for level in KernelDispatch.available {
            KernelDispatch.force(level)
            var out: [Float] = [.nan, .nan]
            Attention.attend(query: query, group: 1, headSize: 2, keys: keys, keyStride: 2, values: values, valueStride: 2,
                             valueSize: 2, positions: 1...1, scale: 1, into: &out)
            XCTAssertEqual(out, [6, 8], "\(level)")
            Attention.attend(query: query, group: 1, headSize: 2, keys: keys, keyStride: 2, values: values, valueStride: 2,
                             valueSize: 2, positions: 0...1, scale: 1, into: &out)
            XCTAssertEqual(out, [4, 2], "\(level)")
        }
    }

    /// The GELU gate at every level against its twin (within a few ulp: the vector exp is within
    /// 2 ulp of expf), and the twin against the tanh form in Double.
    func testGeluMatchesTwinAndTheTanhForm() {
        var rng = TestRandom(seed: 32)
        let count = 1003
        let gate = (0..<count).map { i in i < 20 ? Float(i - 10) * 10 : rng.uniform(-12, 12) }
        let up = random(count, &rng, scale: 3)
        var twin = gate
        Ops.geluTanhGatedScalar(gate: &twin, up: up, count: count)
        for i in 0..<count {
            let x = Double(gate[i])
            let exact = 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))) * Double(up[i])
            XCTAssertEqual(Double(twin[i]), exact, accuracy: 1e-6 * max(1, abs(exact)), "x = \(x)")
        }
        for level in KernelDispatch.available {
            KernelDispatch.force(level)
            var fast = gate
            Ops.geluTanhGated(gate: &fast, up: up, count: count)
            for i in 0..<count {
                XCTAssertEqual(fast[i], twin[i], accuracy: 8 * twin[i].ulp + 1e-30, "x = \(gate[i]) at \(level)")
            }
        }
    }

    /// SwiGLU's gate at every level against its twin, and the twin against Double.
    func testSwiGLUMatchesTwin() {
        var rng = TestRandom(seed: 33)
        let count = 1003
        let gate = (0..<count).map { i in i < 20 ? Float(i - 10) * 10 : rng.uniform(-20, 20) }
        let up = random(count, &rng, scale: 3)
        var twin = gate
        Ops.swiGLUScalar(gate: &twin, up: up, count: count)
        for i in 0..<count {
            let x = Double(gate[i])
            let exact = x / (1 + exp(-x)) * Double(up[i])
            XCTAssertEqual(Double(twin[i]), exact, accuracy: 1e-6 * max(1, abs(exact)), "x = \(x)")
        }
        for level in KernelDispatch.available {
            KernelDispatch.force(level)
            var fast = gate
            Ops.swiGLU(gate: &fast, up: up, count: count)
            for i in 0..<count {
                XCTAssertEqual(fast[i], twin[i], accuracy: 8 * twin[i].ulp + 1e-30, "x = \(gate[i]) at \(level)")
            }
        }
    }

    /// RMSNorm at every level against its twin (the double sums differ in their last bits at most),
    /// in place and not, over lengths around the vector width.
    func testRMSNormMatchesTwin() {
        var rng = TestRandom(seed: 34)
        for count in [1, 7, 8, 9, 64, 640, 903] {
            let x = random(count, &rng, scale: 5)
            let weight = random(count, &rng, scale: 2)
            var twin = [Float](repeating: .nan, count: count)
            Ops.rmsNormScalar(x, weight: weight, count: count, epsilon: 1e-6, into: &twin)
            for level in KernelDispatch.available {
                KernelDispatch.force(level)
                var fast = [Float](repeating: .nan, count: count)
                Ops.rmsNorm(x, weight: weight, count: count, epsilon: 1e-6, into: &fast)
                var inPlace = x
                inPlace.withUnsafeMutableBufferPointer { p in
                    Ops.rmsNorm(p.baseAddress!, weight: weight, count: count, epsilon: 1e-6, into: p.baseAddress!)
                }
                for i in 0..<count {
                    XCTAssertEqual(fast[i], twin[i], accuracy: 2 * twin[i].ulp, "\(count) [\(i)] at \(level)")
                    XCTAssertEqual(inPlace[i].bitPattern, fast[i].bitPattern, "\(count) [\(i)] in place at \(level)")
                }
            }
        }
    }
}
