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

    /// A Q8_0 cache: each head quantized by ggml's reference rule (full blocks byte for byte the
    /// activation quantizer's), each element within half a step of its value (and d's rounding), and attention over it
    /// bit for bit attention over a Float32 cache of the dequantized values (computed here by hand
    /// from the bytes), at every level. Rows at odd byte offsets; heads that are not a multiple of 32.
    func testQ8_0CacheIsTheFloatCacheOfItsDequantizedValues() throws {
        var rng = TestRandom(seed: 61)
        let shapes: [(group: Int, headSize: Int, valueSize: Int)] = [(7, 64, 64), (4, 256, 128), (2, 20, 36), (3, 7, 5)]
        for shape in shapes {
            let positions = 700
            let keyRow = Q8_0Rows.headBytes(headSize: shape.headSize) + 3, valueRow = Q8_0Rows.headBytes(headSize: shape.valueSize) + 5
            let keys = random(positions * shape.headSize, &rng, scale: 2), values = random(positions * shape.valueSize, &rng)
            func quantized(_ x: [Float], size: Int, row: Int) -> (bytes: [UInt8], floats: [Float]) {
                var bytes = [UInt8](repeating: 0xA5, count: positions * row)
                var floats = [Float](repeating: .nan, count: x.count)
                x.withUnsafeBufferPointer { x in
                    bytes.withUnsafeMutableBytes { out in
                        for j in 0..<positions {
                            Q8_0Rows.quantize(x.baseAddress! + j * size, heads: 1, headSize: size, into: out.baseAddress! + j * row)
                        }
                    }
                }
                for j in 0..<positions {
                    let blocks = (size + 31) / 32
                    if size % 32 == 0 {
                        var reference = [UInt8](repeating: 0, count: blocks * 34)
                        x.withUnsafeBufferPointer { x in
                            ActivationQuantization.quantizeQ8_0(x.baseAddress! + j * size, count: size, into: &reference)
                        }
                        XCTAssertEqual(Array(bytes[(j * row)..<(j * row + blocks * 34)]), reference, "\(shape) row \(j)")
                    }
                    for c in 0..<size {
                        let block = j * row + c / 32 * 34
                        let d = Half.toFloat(UInt16(bytes[block]) | UInt16(bytes[block + 1]) << 8)
                        let q = Int8(bitPattern: bytes[block + 2 + c % 32])
                        floats[j * size + c] = d * Float(q)
                        // Half a step, plus |q| ≤ 127 times d's own rounding to binary16 (2⁻¹¹ relative):
                        // ggml quantizes with the unrounded d and stores the rounded one.
                        XCTAssertLessThanOrEqual(abs(floats[j * size + c] - x[j * size + c]), d * (0.5 + 127.0 / 2048) + 1e-7,
                                                 "\(shape) \(j),\(c)")
                    }
                }
                return (bytes, floats)
            }
            let k = quantized(keys, size: shape.headSize, row: keyRow), v = quantized(values, size: shape.valueSize, row: valueRow)
            let rows = 5
            let queryStride = shape.group * shape.headSize + 1, outStride = shape.group * shape.valueSize + 2
            let query = random(rows * queryStride, &rng, scale: 2)
            let scale = 1 / Float(shape.headSize).squareRoot()
            for window in [nil, 300] as [Int?] {
                let last = (0..<rows).map { 695 + $0 }
                let first = last.map { pos in window.map { max(0, pos - $0 + 1) } ?? 0 }
                for level in KernelDispatch.available {
                    KernelDispatch.force(level)
                    var float = [Float](repeating: .nan, count: rows * outStride), eight = float
                    Attention.attendRows(query: query, queryRowStride: queryStride, rows: rows, group: shape.group,
                                         headSize: shape.headSize, keys: k.floats, keyStride: shape.headSize, values: v.floats,
                                         valueStride: shape.valueSize, valueSize: shape.valueSize, first: first, last: last,
                                         scale: scale, into: &float, outRowStride: outStride)
                    Attention.attendRows(query: query, queryRowStride: queryStride, rows: rows, group: shape.group,
                                         headSize: shape.headSize, q8Keys: k.bytes, keyRowBytes: keyRow, q8Values: v.bytes,
                                         valueRowBytes: valueRow, valueSize: shape.valueSize, first: first, last: last,
                                         scale: scale, into: &eight, outRowStride: outStride)
                    XCTAssertEqual(eight.map(\.bitPattern), float.map(\.bitPattern),
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
