import XCTest
import Foundation
import GGUF
import TestSupport
@testable import Kernels

/// Mat-vec and mat-mat: the fast path (C, threads, cache blocking) held to the scalar twin at
/// every dispatch level, batches held bitwise to single products, and real model weights.
final class MatVecTests: XCTestCase {
    override func tearDown() {
        KernelDispatch.reset()
        super.tearDown()
    }

    private struct Case {
        let type: GGMLType
        let rows: Int
        let columns: Int
        let weights: [UInt8]
    }

    private func makeCase(_ type: GGMLType, rows: Int, columns: Int, rng: inout TestRandom) -> Case {
        var weights: [UInt8] = []
        for _ in 0..<rows { weights += TestData.randomWeights(type, count: columns, rng: &rng) }
        return Case(type: type, rows: rows, columns: columns, weights: weights)
    }

    private func columns(for type: GGMLType) -> Int { type.blockSize == 1 ? 96 : 3 * type.blockSize }

    func testWeightMatrixValidatesShapeAndType() throws {
        let bytes = [UInt8](repeating: 0, count: 1024)
        try bytes.withUnsafeBytes { raw in
            let data = raw.baseAddress!
            let matrix = try WeightMatrix(type: .q4_1, rows: 4, columns: 64, data: data)
            XCTAssertEqual(matrix.rowBytes, 40)
            XCTAssertEqual(matrix.byteCount, 160)
            XCTAssertEqual(matrix.activationFormat, .q8_1)
            XCTAssertThrowsError(try WeightMatrix(type: .q4_1, rows: 4, columns: 48, data: data)) {
                XCTAssertEqual($0 as? KernelError, .notBlockAligned(type: .q4_1, count: 48))
            }
            XCTAssertThrowsError(try WeightMatrix(type: .iq2_xxs, rows: 1, columns: 256, data: data)) {
                XCTAssertEqual($0 as? KernelError, .unsupportedType(.iq2_xxs))
            }
            XCTAssertThrowsError(try WeightMatrix(type: .bf16, rows: 1, columns: 256, data: data))
            XCTAssertThrowsError(try WeightMatrix(type: .f32, rows: -1, columns: 8, data: data))
            XCTAssertThrowsError(try WeightMatrix(type: .q8_0, rows: Int.max / 2, columns: 64, data: data)) {
                guard case .shapeMismatch = $0 as? KernelError else { return XCTFail("\($0)") }
            }
        }
    }

    /// Types whose mat-vec and mat-mat at the VNNI level are the row-interleaved kernels
    /// (gemm_vnni.h), which keep the portable float order: bitwise the scalar twin.
    private static let interleavedTypes: Set<GGMLType> = [.q4_0, .q4_1, .q5_0, .q8_0, .q4_K, .q6_K]

    /// multiply (threads, C at each level) against multiplyScalar, row by row, with the tolerance
    /// of VecDotTests (bitwise at the portable level, and for the interleaved kernels).
    func testMultiplyMatchesScalarTwinAtEveryLevel() throws {
        var rng = TestRandom(seed: 11)
        let pool = ThreadPool(threadCount: 3)
        for type in VecDot.supportedTypes {
            let c = makeCase(type, rows: 37, columns: columns(for: type), rng: &rng)
            let x = TestData.randomActivations(c.columns, rng: &rng)
            let activations = try TestData.quantizedScalar(x, for: type)
            try c.weights.withUnsafeBytes { raw in
                let w = try WeightMatrix(type: type, rows: c.rows, columns: c.columns, data: raw.baseAddress!)
                var twin = [Float](repeating: .nan, count: c.rows)
                MatVec.multiplyScalar(w, x: x, into: &twin)
                for level in KernelDispatch.available {
                    KernelDispatch.force(level)
                    var fast = [Float](repeating: .nan, count: c.rows)
                    MatVec.multiply(w, x: x, into: &fast, pool: pool)
                    for r in 0..<c.rows {
                        let rowBytes = Array(c.weights[(r * w.rowBytes)..<((r + 1) * w.rowBytes)])
                        let scale = try TestData.magnitude(type, weights: rowBytes, activations: activations, count: c.columns)
                        if level == .portable || (level == .avx512VNNI && Self.interleavedTypes.contains(type)) {
                            XCTAssertEqual(fast[r].bitPattern, twin[r].bitPattern, "\(type) row \(r) at \(level)")
                        } else {
                            XCTAssertLessThanOrEqual(Double(abs(fast[r] - twin[r])), 1e-5 * scale, "\(type) row \(r) at \(level)")
                        }
                    }
                }
                KernelDispatch.reset()
            }
        }
    }

    /// A token's outputs must not depend on how the prompt was batched, nor on the thread count:
    /// multiplyBatch row t is bitwise multiply(X[t]).
    func testBatchRowsAreBitwiseSingleProducts() throws {
        var rng = TestRandom(seed: 12)
        let pools = [ThreadPool(threadCount: 1), ThreadPool(threadCount: 2), ThreadPool(threadCount: 5)]
        for type in VecDot.supportedTypes {
            let c = makeCase(type, rows: 70, columns: columns(for: type), rng: &rng)
            for n in [2, 3, 17, 40] {
                let x = TestData.randomActivations(n * c.columns, rng: &rng)
                try c.weights.withUnsafeBytes { raw in
                    let w = try WeightMatrix(type: type, rows: c.rows, columns: c.columns, data: raw.baseAddress!)
                    for level in KernelDispatch.available {
                        KernelDispatch.force(level)
                        var single = [Float](repeating: .nan, count: n * c.rows)
                        x.withUnsafeBufferPointer { xp in
                            for t in 0..<n {
                                single.withUnsafeMutableBufferPointer { y in
                                    MatVec.multiply(w, x: xp.baseAddress! + t * c.columns, into: y.baseAddress! + t * c.rows,
                                                    pool: pools[t % pools.count])
                                }
                            }
                        }
                        for pool in pools {
                            var batch = [Float](repeating: .nan, count: n * c.rows)
                            MatVec.multiplyBatch(w, x: x, count: n, into: &batch, pool: pool)
                            XCTAssertEqual(batch.map(\.bitPattern), single.map(\.bitPattern),
                                           "\(type) n=\(n) \(pool.threadCount) threads at \(level)")
                        }
                    }
                    KernelDispatch.reset()
                }
            }
        }
    }

    /// A compensated batch is split into calls of at most 64 tokens (fewer for a vocabulary-sized
    /// matrix); every row, in whichever call it lands, is bit for bit that token's product alone,
    /// also when each token's row goes to a place of its own (a batch's logits, each sequence's
    /// array), float-activation weights (F16) included.
    func testCompensatedBatchesAreBitwiseEachTokenAlone() throws {
        var rng = TestRandom(seed: 33)
        let pool = ThreadPool(threadCount: 2)
        for type in [GGMLType.q8_0, .q4_K, .q5_0, .f16] {
            let c = makeCase(type, rows: 24, columns: columns(for: type), rng: &rng)
            let raw = UnsafeMutableRawPointer.allocate(byteCount: c.weights.count, alignment: 64)
            defer { raw.deallocate() }
            c.weights.withUnsafeBytes { raw.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            let w = try WeightMatrix(type: type, rows: c.rows, columns: c.columns, data: raw)
            let n = 70
            var x: [Float] = []
            for _ in 0..<n { x += TestData.randomActivations(c.columns, rng: &rng) }
            let compensated = CompensatedMatVec()
            var alone = [Float](repeating: .nan, count: n * c.rows)
            x.withUnsafeBufferPointer { xp in
                alone.withUnsafeMutableBufferPointer { y in
                    for t in 0..<n {
                        compensated.multiply(w, x: xp.baseAddress! + t * c.columns, count: 1, into: y.baseAddress! + t * c.rows, pool: pool)
                    }
                }
            }
            var batch = [Float](repeating: .nan, count: n * c.rows)
            compensated.multiply(w, x: x, count: n, into: &batch, pool: pool)
            XCTAssertEqual(batch.map(\.bitPattern), alone.map(\.bitPattern), "\(type)")
            // Token t's row to place n − 1 − t of a separate buffer.
            let scattered = UnsafeMutablePointer<Float>.allocate(capacity: n * c.rows)
            defer { scattered.deallocate() }
            scattered.initialize(repeating: .nan, count: n * c.rows)
            x.withUnsafeBufferPointer { xp in
                compensated.multiply(w, x: xp.baseAddress!, count: n, into: (0..<n).map { scattered + (n - 1 - $0) * c.rows }, pool: pool)
            }
            for t in 0..<n {
                let row = (0..<c.rows).map { scattered[(n - 1 - t) * c.rows + $0].bitPattern }
                XCTAssertEqual(row, alone[(t * c.rows)..<((t + 1) * c.rows)].map(\.bitPattern), "\(type) token \(t), own place")
            }
        }
    }

    /// Grouped single-row products (a mixture's chosen experts) are bit for bit the products alone,
    /// shared activation rows included; so are their compensated forms.
    func testGroupedProductsAreBitwiseTheProductsAlone() throws {
        var rng = TestRandom(seed: 21)
        let pool = ThreadPool(threadCount: 2)
        for type in VecDot.supportedTypes {
            let width = columns(for: type)
            var cases: [Case] = []
            for i in 0..<3 { cases.append(makeCase(type, rows: 40 + 8 * i, columns: width, rng: &rng)) }
            let shared = TestData.randomActivations(width, rng: &rng)
            let own = TestData.randomActivations(width, rng: &rng)
            var matrices: [WeightMatrix] = []
            var storage: [UnsafeMutableRawPointer] = []
            defer { storage.forEach { $0.deallocate() } }
            for c in cases {
                let raw = UnsafeMutableRawPointer.allocate(byteCount: c.weights.count, alignment: 64)
                c.weights.withUnsafeBytes { raw.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                storage.append(raw)
                matrices.append(try WeightMatrix(type: type, rows: c.rows, columns: c.columns, data: raw))
            }
            let inputs = [shared, shared, own]
            var alone = matrices.map { [Float](repeating: .nan, count: $0.rows) }
            var grouped = alone, compensatedAlone = alone, compensatedGrouped = alone
            let compensated = CompensatedMatVec()
            for (i, w) in matrices.enumerated() {
                MatVec.multiply(w, x: inputs[i], into: &alone[i], pool: pool)
                compensated.multiply(w, x: inputs[i], count: 1, into: &compensatedAlone[i], pool: pool)
            }
            try inputs[0].withUnsafeBufferPointer { a in
                try inputs[2].withUnsafeBufferPointer { b in
                    let xs = [a.baseAddress!, a.baseAddress!, b.baseAddress!]
                    func run(_ out: inout [[Float]], _ body: ([MatVec.RowProduct]) -> Void) throws {
                        let buffers = out.map { row -> UnsafeMutablePointer<Float> in
                            let p = UnsafeMutablePointer<Float>.allocate(capacity: row.count)
                            p.initialize(repeating: .nan, count: row.count)
                            return p
                        }
                        defer { buffers.forEach { $0.deallocate() } }
                        body(matrices.indices.map { MatVec.RowProduct(matrices[$0], x: xs[$0], into: buffers[$0]) })
                        for i in out.indices { out[i] = Array(UnsafeBufferPointer(start: buffers[i], count: out[i].count)) }
                    }
                    try run(&grouped) { MatVec.multiplyEach($0, pool: pool) }
                    try run(&compensatedGrouped) { compensated.multiplyEach($0, pool: pool) }
                }
            }
            XCTAssertEqual(grouped.map { $0.map(\.bitPattern) }, alone.map { $0.map(\.bitPattern) }, "\(type)")
            XCTAssertEqual(compensatedGrouped.map { $0.map(\.bitPattern) }, compensatedAlone.map { $0.map(\.bitPattern) }, "\(type) compensated")
        }
    }

    /// The interleaved kernels take eight rows at a time and use them directly (up to four tokens)
    /// or unpack them once per batch into a panel (more than four): sixteen rows to a 512-bit
    /// panel, a last group of eight or fewer to a 256-bit one. Every output, for every batch size
    /// (tiles of four and eight tokens with their remainders) and row range (partial groups, an odd
    /// group after the pairs, several threads), is bitwise the scalar twin's.
    func testInterleavedKernelsAreBitwiseTheTwinForEveryBatch() throws {
        guard KernelDispatch.available.contains(.avx512VNNI) else { throw XCTSkip("no AVX-512 VNNI here") }
        var rng = TestRandom(seed: 15)
        let pools = [ThreadPool(threadCount: 1), ThreadPool(threadCount: 3)]
        for type in Self.interleavedTypes.sorted(by: { $0.rawValue < $1.rawValue }) {
            for rows in [1, 8, 13, 16, 40, 67] {
                let c = makeCase(type, rows: rows, columns: 2 * columns(for: type), rng: &rng)
                for n in [1, 3, 4, 5, 9, 16, 19] {
                    let x = TestData.randomActivations(n * c.columns, rng: &rng)
                    try c.weights.withUnsafeBytes { raw in
                        let w = try WeightMatrix(type: type, rows: c.rows, columns: c.columns, data: raw.baseAddress!)
                        let twin = Self.scalarTwin(w, x: x, tokens: n)
                        for pool in pools {
                            var fast = [Float](repeating: .nan, count: n * rows)
                            MatVec.multiplyBatch(w, x: x, count: n, into: &fast, pool: pool)
                            XCTAssertEqual(fast.map(\.bitPattern), twin.map(\.bitPattern), "\(type) \(rows) rows n=\(n) \(pool.threadCount) threads")
                        }
                    }
                }
            }
        }
    }

    /// Q5_0, Q8_0, Q4_K and Q6_K matrices packed at load (PackedWeights): every product, one token or many,
    /// one thread or several, bitwise the scalar twin's over the original bytes, which packing
    /// leaves as they were.
    func testPackedWeightsAreBitwiseTheTwinForEveryBatch() throws {
        guard KernelDispatch.available.contains(.avx512VNNI) else { throw XCTSkip("no AVX-512 VNNI here") }
        var rng = TestRandom(seed: 16)
        let pools = [ThreadPool(threadCount: 1), ThreadPool(threadCount: 3)]
        for type in [GGMLType.q5_0, .q8_0, .q4_K, .q6_K] {
            for rows in [16, 48, 160] {
                let c = makeCase(type, rows: rows, columns: 3 * columns(for: type), rng: &rng)
                let store = PackedWeights()
                try c.weights.withUnsafeBytes { raw in
                    let original = try WeightMatrix(type: type, rows: c.rows, columns: c.columns, data: raw.baseAddress!)
                    XCTAssertTrue(PackedWeights.packs(original))
                    let w = store.pack([original], handingBackOriginals: false)[0]
                    XCTAssertNotNil(w.packed, "\(type)")
                    // As many bytes as the original (the K-quants' scales a byte each: a little more).
                    XCTAssertGreaterThanOrEqual(store.byteCount, original.byteCount, "\(type)")
                    XCTAssertLessThanOrEqual(Double(store.byteCount), Double(original.byteCount) * 1.03, "\(type)")
                    // Each row read back from the packed copy is the stored row, byte for byte.
                    for r in 0..<rows {
                        w.withRow(r) { row in
                            XCTAssertEqual(memcmp(row, raw.baseAddress! + r * original.rowBytes, original.rowBytes), 0, "\(type) row \(r) read back")
                        }
                    }
                    for n in [1, 2, 4, 7, 8, 9, 16, 19, 33] {
                        let x = TestData.randomActivations(n * c.columns, rng: &rng)
                        let twin = Self.scalarTwin(original, x: x, tokens: n)
                        for pool in pools {
                            var fast = [Float](repeating: .nan, count: n * rows)
                            MatVec.multiplyBatch(w, x: x, count: n, into: &fast, pool: pool)
                            XCTAssertEqual(fast.map(\.bitPattern), twin.map(\.bitPattern), "\(type) \(rows) rows n=\(n) \(pool.threadCount) threads")
                        }
                        var each = [Float](repeating: .nan, count: rows)
                        x.withUnsafeBufferPointer { xp in
                            each.withUnsafeMutableBufferPointer { y in
                                MatVec.multiplyEach([.init(w, x: xp.baseAddress!, into: y.baseAddress!)], pool: pools[1])
                            }
                        }
                        XCTAssertEqual(each.map(\.bitPattern), twin[0..<rows].map(\.bitPattern), "\(type) \(rows) rows, multiplyEach")
                    }
                }
            }
        }
        // No packed layout: other types, and rows that are not whole groups of sixteen.
        let c = makeCase(.q8_0, rows: 40, columns: 64, rng: &rng)
        try c.weights.withUnsafeBytes { raw in
            XCTAssertFalse(PackedWeights.packs(try WeightMatrix(type: .q8_0, rows: 40, columns: 64, data: raw.baseAddress!)))
            XCTAssertFalse(PackedWeights.packs(try WeightMatrix(type: .q4_0, rows: 32, columns: 64, data: raw.baseAddress!)))
        }
        let k = makeCase(.q4_K, rows: 40, columns: 256, rng: &rng)
        try k.weights.withUnsafeBytes { raw in
            XCTAssertFalse(PackedWeights.packs(try WeightMatrix(type: .q4_K, rows: 40, columns: 256, data: raw.baseAddress!)))
            XCTAssertFalse(PackedWeights.packs(try WeightMatrix(type: .q5_K, rows: 32, columns: 256, data: raw.baseAddress!)))
        }
    }

    /// The scalar twin's products of `w` with each of `tokens` rows of `x`, token after token.
    private static func scalarTwin(_ w: WeightMatrix, x: [Float], tokens: Int) -> [Float] {
        var twin = [Float](repeating: .nan, count: tokens * w.rows)
        x.withUnsafeBufferPointer { xp in
            twin.withUnsafeMutableBufferPointer { y in
                for t in 0..<tokens { MatVec.multiplyScalar(w, x: xp.baseAddress! + t * w.columns, into: y.baseAddress! + t * w.rows) }
            }
        }
        return twin
    }

    func testDegenerateShapes() throws {
        let pool = ThreadPool(threadCount: 2)
        var rng = TestRandom(seed: 13)
        let c = makeCase(.q8_0, rows: 1, columns: 32, rng: &rng)
        let x = TestData.randomActivations(32, rng: &rng)
        try c.weights.withUnsafeBytes { raw in
            let one = try WeightMatrix(type: .q8_0, rows: 1, columns: 32, data: raw.baseAddress!)
            var fast: [Float] = [.nan], twin: [Float] = [.nan]
            MatVec.multiply(one, x: x, into: &fast, pool: pool)
            MatVec.multiplyScalar(one, x: x, into: &twin)
            XCTAssertEqual(fast[0], twin[0], accuracy: 1e-4 * max(1, abs(twin[0])))
            // No rows, or no tokens: nothing is written.
            let empty = try WeightMatrix(type: .q8_0, rows: 0, columns: 32, data: raw.baseAddress!)
            var untouched: [Float] = [42]
            MatVec.multiply(empty, x: x, into: &untouched, pool: pool)
            MatVec.multiplyBatch(one, x: x, count: 0, into: &untouched, pool: pool)
            XCTAssertEqual(untouched, [42])
        }
        // Zero columns: every output is an empty sum.
        try c.weights.withUnsafeBytes { raw in
            let none = try WeightMatrix(type: .q4_K, rows: 3, columns: 0, data: raw.baseAddress!)
            var sums = [Float](repeating: .nan, count: 6)
            MatVec.multiply(none, x: x, into: &sums, pool: pool)
            XCTAssertEqual(sums[0..<3], [0, 0, 0])
            MatVec.multiplyBatch(none, x: x, count: 2, into: &sums, pool: pool)
            XCTAssertEqual(sums, [0, 0, 0, 0, 0, 0])
            MatVec.multiplyScalar(none, x: x, into: &sums)
            XCTAssertEqual(sums[0..<3], [0, 0, 0])
        }
    }

    /// Real weights from the catalog's models: the fast path against the scalar twin, and both
    /// against the f64 product of the dequantized weights with the unquantized input (this one
    /// bounds the 8-bit activation quantization error: well under 1% of Σ|w·x| per row).
    func testRealModelWeights() throws {
        let pool = ThreadPool(threadCount: 2)
        var rng = TestRandom(seed: 14)
        var covered = Set<GGMLType>()
        for model in ["smollm2-135m-instruct", "gemma3-270m", "qwen2.5-coder-0.5b-instruct"] {
            let file = try GGUFFile(url: try TestModels.url(model))
            for tensor in file.tensors where tensor.dimensions.count == 2 && !covered.contains(tensor.type)
                && VecDot.supportedTypes.contains(tensor.type) && tensor.type != .f32 {
                covered.insert(tensor.type)
                let whole = try WeightMatrix(tensor, in: file)
                XCTAssertEqual(whole.rows, tensor.rowCount)
                XCTAssertEqual(whole.byteCount, tensor.byteCount)
                let rows = min(tensor.rowCount, 48)
                let w = try WeightMatrix(type: tensor.type, rows: rows, columns: tensor.rowLength, data: whole.data)
                let x = TestData.randomActivations(w.columns, rng: &rng)
                var fast = [Float](repeating: .nan, count: rows), twin = fast
                MatVec.multiply(w, x: x, into: &fast, pool: pool)
                MatVec.multiplyScalar(w, x: x, into: &twin)
                var dequantized = [Float](repeating: 0, count: w.columns)
                for r in 0..<rows {
                    try Dequantizer.dequantize(w.type, from: w.data + r * w.rowBytes, count: w.columns, into: &dequantized)
                    var exact = 0.0, magnitude = 0.0
                    for c in 0..<w.columns {
                        exact += Double(dequantized[c]) * Double(x[c])
                        magnitude += abs(Double(dequantized[c]) * Double(x[c]))
                    }
                    let label = "\(model) \(tensor.name) (\(tensor.type)) row \(r)"
                    XCTAssertLessThanOrEqual(Double(abs(fast[r] - twin[r])), 1e-5 * magnitude, label)
                    XCTAssertLessThanOrEqual(abs(Double(twin[r]) - exact), 0.01 * magnitude, label)
                }
            }
        }
        XCTAssertTrue(covered.isSuperset(of: [.q4_1, .q8_0, .q5_0, .q4_K, .q6_K]), "covered \(covered)")
    }

    /// Throughput, printed for the record (never asserted). Opt in: HEARTH_BENCH=1, release build:
    /// `HEARTH_BENCH=1 swift test -c release --filter MatVecTests/testBenchmark`.
    func testBenchmark() throws {
        guard ProcessInfo.processInfo.environment["HEARTH_BENCH"] == "1" else {
            throw XCTSkip("set HEARTH_BENCH=1 (and build with -c release) to measure")
        }
        var rng = TestRandom(seed: 99)
        // rows × columns as in the catalog's models (SmolLM2 Q4_1; Gemma 3 and Qwen2.5 Q5_0, Q4_K,
        // Q6_K, Q8_0), then the other formats at one shape.
        let shapes: [(GGMLType, Int, Int)] = [
            (.q4_1, 1536, 576), (.q4_1, 576, 1536), (.q4_1, 192, 576),
            (.q5_0, 4864, 896), (.q5_0, 896, 896), (.q5_0, 2048, 640),
            (.q4_K, 896, 4864), (.q4_K, 640, 2048), (.q6_K, 896, 4864), (.q6_K, 640, 2048),
            (.q8_0, 896, 4864), (.q8_0, 16384, 896),
            (.q4_0, 896, 4864), (.q5_1, 896, 4864), (.q2_K, 896, 4864), (.q3_K, 896, 4864),
            (.q5_K, 896, 4864), (.f16, 896, 896), (.f32, 896, 896),
        ]
        let pools = [ThreadPool(threadCount: 1), ThreadPool(threadCount: 2)]
        print("kernel benchmark: \(CPUFeatures.summary)")
        print("GB/s of weights: mat-vec 1 thread / 2 threads, then batch of 64 tokens 1 / 2 threads (weight bytes × 64 / time)")
        for pool in pools {
            let calls = 20_000
            let seconds = Self.bestTime(budget: 0.2) { for _ in 0..<calls { pool.parallelFor(pool.threadCount * 4) { _ in } } }
            print(String(format: "parallelFor(%d) with an empty body, %d threads: %.2f µs per call",
                         pool.threadCount * 4, pool.threadCount, seconds / Double(calls) * 1e6))
        }
        for (type, rows, columns) in shapes {
            let c = makeCase(type, rows: rows, columns: columns, rng: &rng)
            let batchTokens = 64
            let x = TestData.randomActivations(columns * batchTokens, rng: &rng)
            var y = [Float](repeating: 0, count: rows * batchTokens)
            try c.weights.withUnsafeBytes { raw in
                let w = try WeightMatrix(type: type, rows: rows, columns: columns, data: raw.baseAddress!)
                var line = "\(type) \(rows)x\(columns) (\(w.byteCount / 1024) KiB):"
                for level in KernelDispatch.available.reversed() {
                    KernelDispatch.force(level)
                    var rates: [String] = []
                    for pool in pools {
                        let seconds = Self.bestTime(budget: 0.3) { MatVec.multiply(w, x: x, into: &y, pool: pool) }
                        rates.append(String(format: "%.1f", Double(w.byteCount) / seconds / 1e9))
                    }
                    if level != .portable {
                        for pool in pools {
                            let seconds = Self.bestTime(budget: 0.3) {
                                MatVec.multiplyBatch(w, x: x, count: batchTokens, into: &y, pool: pool)
                            }
                            rates.append(String(format: "%.1f", Double(w.byteCount) * Double(batchTokens) / seconds / 1e9))
                        }
                    }
                    line += " [\(level)] " + rates.joined(separator: " / ")
                }
                KernelDispatch.reset()
                // Packed at load against as stored, at the token counts of one sequence decoding,
                // sixteen decoding together and a prompt chunk, two threads.
                if PackedWeights.packs(w) {
                    let store = PackedWeights()
                    let packed = store.pack([w], handingBackOriginals: false)[0]
                    var rates: [String] = []
                    for tokens in [1, 16, 64] {
                        for matrix in [w, packed] {
                            let seconds = Self.bestTime(budget: 0.3) {
                                MatVec.multiplyBatch(matrix, x: x, count: tokens, into: &y, pool: pools[1])
                            }
                            rates.append(String(format: "%.1f", Double(w.byteCount) * Double(tokens) / seconds / 1e9))
                        }
                    }
                    line += " [stored / packed, 2 threads, 1 16 64 tokens] " + rates.joined(separator: " / ")
                }
                print(line)
            }
        }
    }

    private static func bestTime(budget: Double, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        let start = DispatchTime.now().uptimeNanoseconds
        var runs = 0
        while runs < 3 || Double(DispatchTime.now().uptimeNanoseconds - start) < budget * 1e9 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            runs += 1
        }
        return best
    }
}
