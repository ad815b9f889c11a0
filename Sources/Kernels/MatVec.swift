import CKernels
import GGUF

/// A row-major matrix of `rows` rows × `columns` elements, in its ggml blocks, where it lies
/// (typically inside a memory-mapped GGUF file): nothing is copied or dequantized, except that a
/// model's Q5_0, Q8_0, Q4_K and Q6_K matrices may carry a copy packed at load (`packed`, `PackedWeights`).
public struct WeightMatrix: @unchecked Sendable {
    public let type: GGMLType
    public let rows: Int
    public let columns: Int
    public let data: UnsafeRawPointer
    /// The format activations are quantized to for this matrix (.q8_0, .q8_1, .q8_K or .f32).
    public let activationFormat: GGMLType
    /// The same weights packed at load for the row-interleaved kernels (`PackedWeights`), or nil.
    /// The products read these when they are there, with bitwise the same results; everything else
    /// (dequantizing, references) reads `data`.
    public internal(set) var packed: UnsafeRawPointer?
    private let bytesPerRow: Int

    /// Checks the type and shape; `data` must hold `rows * rowBytes` bytes (at any alignment).
    /// Throws `KernelError.unsupportedType` for types without dot products,
    /// `.notBlockAligned` when `columns` is not a whole number of blocks, and `.shapeMismatch`
    /// for negative sizes or a byte size that overflows.
    public init(type: GGMLType, rows: Int, columns: Int, data: UnsafeRawPointer) throws {
        guard let format = ActivationQuantization.format(for: type) else { throw KernelError.unsupportedType(type) }
        guard rows >= 0, columns >= 0 else {
            throw KernelError.shapeMismatch("weight matrix of \(rows) × \(columns)")
        }
        guard let rowBytes = type.byteCount(elementCount: columns) else {
            throw KernelError.notBlockAligned(type: type, count: columns)
        }
        guard !rows.multipliedReportingOverflow(by: rowBytes).overflow else {
            throw KernelError.shapeMismatch("\(rows) rows of \(rowBytes) bytes overflow")
        }
        self.type = type
        self.rows = rows
        self.columns = columns
        self.data = data
        self.activationFormat = format
        self.bytesPerRow = rowBytes
    }

    /// Bytes from one row to the next.
    public var rowBytes: Int { bytesPerRow }

    /// Bytes of the whole matrix.
    public var byteCount: Int { rows * bytesPerRow }
}

extension WeightMatrix {
    /// A tensor of a GGUF file as a matrix, in place in the file's memory map: `columns` is the
    /// first dimension (ggml's ne[0]), `rows` the product of the others. Valid while `file` lives.
    public init(_ tensor: GGUFTensorInfo, in file: GGUFFile) throws {
        let bytes = file.data(for: tensor)
        // A tensor with no elements has no bytes, and no base address to point at.
        let data = bytes.baseAddress ?? UnsafeRawPointer(file.bytes.baseAddress!)
        try self.init(type: tensor.type, rows: tensor.rowCount, columns: tensor.rowLength, data: data)
        guard byteCount <= bytes.count else {
            throw KernelError.shapeMismatch("tensor '\(tensor.name)' has \(bytes.count) bytes, \(rows) rows need \(byteCount)")
        }
    }
}

/// Matrix-vector and matrix-matrix products over quantized weights, the hot path of inference.
///
/// The activations are quantized once to the weight's partner format, then each output is one
/// `VecDot` of a weight row with them; threads split the rows. The quantized activations live in
/// a per-thread scratch buffer that is reused from call to call.
public enum MatVec {
    /// y[r] = Σ_c W[r,c]·x[c] for r in 0..<rows. `x` holds `columns` floats, `y` room for `rows`;
    /// they must not overlap.
    public static func multiply(_ w: WeightMatrix, x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                                pool: ThreadPool) {
        guard w.rows > 0 else { return }
        let activations = quantizedActivations(w, x: x, count: 1, pool: pool)
        let split = RowSplit(rows: w.rows, rowBytes: w.rowBytes, threads: pool.threadCount)
        pool.parallelFor(split.taskCount) { task in
            let range = split.range(task)
            w.multiplyRows(range, activations.pointer, rowBytes: 0, tokens: 1, into: y, stride: 0)
        }
    }

    /// Batched: X is n × columns (row-major), Y is n × rows: Y[t,r] = W[r]·X[t]. All n activation
    /// rows are quantized once; then each weight row is read from memory once for all n tokens
    /// (tiles of rows, blocks of tokens: see `hk_gemm_rows`), and threads split the rows.
    /// Row t of Y is bitwise what `multiply` gives for X[t]: the same quantization, the same dot.
    /// X and Y must not overlap.
    public static func multiplyBatch(_ w: WeightMatrix, x: UnsafePointer<Float>, count n: Int,
                                     into y: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        guard w.rows > 0, n > 0 else { return }
        if n == 1 { return multiply(w, x: x, into: y, pool: pool) }
        let activations = quantizedActivations(w, x: x, count: n, pool: pool)
        let split = RowSplit(rows: w.rows, rowBytes: w.rowBytes * n, threads: pool.threadCount)
        pool.parallelFor(split.taskCount) { task in
            let range = split.range(task)
            w.multiplyRows(range, activations.pointer, rowBytes: activations.rowBytes, tokens: n, into: y, stride: w.rows)
        }
    }

    /// One single-row product of a group: y = W·x.
    public struct RowProduct {
        public let w: WeightMatrix
        public let x: UnsafePointer<Float>
        public let y: UnsafeMutablePointer<Float>

        public init(_ w: WeightMatrix, x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
            self.w = w
            self.x = x
            self.y = y
        }
    }

    /// Several single-row products in one trip through the pool: each distinct activation row is
    /// quantized once, then the threads split the rows of all the matrices together. Each y is bit
    /// for bit what `multiply` gives (the same quantization, the same dot per row). For groups of
    /// small products, a mixture's chosen experts, where a dispatch each costs more than the
    /// arithmetic. The x rows must not overlap the y rows.
    public static func multiplyEach(_ products: [RowProduct], pool: ThreadPool) {
        guard !products.isEmpty else { return }
        // Quantized rows, one per distinct (x, format, columns), laid out in this thread's scratch.
        var slots: [Int] = []
        var keys: [(x: UnsafePointer<Float>, format: GGMLType, columns: Int, offset: Int)] = []
        var bytes = 0
        for product in products {
            let format = product.w.activationFormat
            if let index = keys.firstIndex(where: { $0.x == product.x && $0.format == format && $0.columns == product.w.columns }) {
                slots.append(index)
                continue
            }
            slots.append(keys.count)
            keys.append((product.x, format, product.w.columns, bytes))
            if format != .f32 { bytes += (ActivationQuantization.rowBytes(format, columns: product.w.columns) + 63) & ~63 }
        }
        guard let scratch = hk_thread_scratch(0, max(bytes, 1)) else {
            fatalError("MatVec: cannot allocate \(bytes) bytes for quantized activations")
        }
        let activations = keys.map { key -> UnsafeRawPointer in
            if key.format == .f32 { return UnsafeRawPointer(key.x) }
            hk_quantize_row(Int32(key.format.rawValue), key.x, scratch + key.offset, Int64(key.columns))
            return UnsafeRawPointer(scratch + key.offset)
        }
        var tasks: [(product: Int, rows: Range<Int>)] = []
        for (index, product) in products.enumerated() where product.w.rows > 0 {
            let split = RowSplit(rows: product.w.rows, rowBytes: product.w.rowBytes, threads: pool.threadCount)
            for task in 0..<split.taskCount { tasks.append((index, split.range(task))) }
        }
        pool.parallelFor(tasks.count) { task in
            let (index, range) = tasks[task]
            let product = products[index], w = product.w
            w.multiplyRows(range, activations[slots[index]], rowBytes: 0, tokens: 1, into: product.y, stride: 0)
        }
    }

    /// The scalar twin of `multiply`: the same quantized arithmetic (Swift twins of the activation
    /// quantization and of the dot products), plain Swift, one thread. Tests hold the fast path
    /// to it; it is also a readable statement of what the fast path computes.
    public static func multiplyScalar(_ w: WeightMatrix, x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let rowBytes = ActivationQuantization.rowBytes(w.activationFormat, columns: w.columns)
        let quantized = UnsafeMutableRawPointer.allocate(byteCount: max(rowBytes, 1), alignment: 64)
        defer { quantized.deallocate() }
        // Cannot throw: the format and the block alignment were checked when `w` was made.
        try! ActivationQuantization.quantizeScalar(x, count: w.columns, to: w.activationFormat, into: quantized)
        for r in 0..<w.rows {
            y[r] = VecDot.dotScalar(w.type, count: w.columns, weights: w.data + r * w.rowBytes,
                                    activations: UnsafeRawPointer(quantized))
        }
    }

    // MARK: - Helpers

    /// Activation rows ready for the dot products: quantized into this thread's scratch buffer,
    /// or the caller's floats themselves for F32/F16 weights.
    private struct Activations {
        let pointer: UnsafeRawPointer
        let rowBytes: Int
    }

    private static func quantizedActivations(_ w: WeightMatrix, x: UnsafePointer<Float>, count n: Int,
                                             pool: ThreadPool) -> Activations {
        let format = w.activationFormat
        let rowBytes = ActivationQuantization.rowBytes(format, columns: w.columns)
        if format == .f32 { return Activations(pointer: UnsafeRawPointer(x), rowBytes: rowBytes) }
        guard let scratch = hk_thread_scratch(0, max(rowBytes * n, 1)) else {
            fatalError("MatVec: cannot allocate \(rowBytes * n) bytes for quantized activations")
        }
        let columns = w.columns, formatRaw = Int32(format.rawValue)
        if n == 1 {
            hk_quantize_row(formatRaw, x, scratch, Int64(columns))
        } else {
            let chunks = min(n, pool.threadCount * 2)
            pool.parallelFor(chunks) { chunk in
                for t in (chunk * n / chunks)..<((chunk + 1) * n / chunks) {
                    hk_quantize_row(formatRaw, x + t * columns, scratch + t * rowBytes, Int64(columns))
                }
            }
        }
        return Activations(pointer: UnsafeRawPointer(scratch), rowBytes: rowBytes)
    }
}

extension WeightMatrix {
    /// Y[t·stride + r] = W[r]·X[t] for r in `range`, t in 0..<tokens, X's rows `rowBytes` apart (in
    /// the activation format): through the packed copy where there is one.
    func multiplyRows(_ range: Range<Int>, _ x: UnsafeRawPointer, rowBytes xRowBytes: Int, tokens: Int,
              into y: UnsafeMutablePointer<Float>, stride: Int) {
        if let packed {
            hk_gemm_packed(type.rawValue, Int64(columns), packed, data, rowBytes, Int64(range.lowerBound),
                           Int64(range.upperBound), x, xRowBytes, Int64(tokens), y, stride)
        } else if tokens == 1 {
            hk_gemv_rows(type.rawValue, Int64(columns), data, rowBytes, Int64(range.lowerBound), Int64(range.upperBound), x, y)
        } else {
            hk_gemm_rows(type.rawValue, Int64(columns), data, rowBytes, Int64(range.lowerBound), Int64(range.upperBound),
                         x, xRowBytes, Int64(tokens), y, stride)
        }
    }
}

/// Contiguous row ranges for the threads: about four per thread, so that a thread the OS
/// deschedules delays little, but none under ~32 KiB of weights, so that the hand-out costs
/// (tens of nanoseconds each) stay small next to the work. Ranges start at multiples of sixteen
/// rows, the 512-bit panel of the interleaved kernels (two groups of eight, gemm_vnni.h), so that
/// no panel is split between two tasks (results do not depend on the split; only the work does).
struct RowSplit {
    let rows: Int
    let taskCount: Int

    init(rows: Int, rowBytes: Int, threads: Int) {
        self.rows = rows
        let minimumRows = max(1, (32 * 1024) / max(rowBytes, 1))
        let wanted = threads <= 1 ? 1 : threads * 4
        taskCount = max(1, min(wanted, rows / minimumRows))
    }

    func range(_ task: Int) -> Range<Int> {
        bound(task)..<bound(task + 1)
    }

    private func bound(_ task: Int) -> Int {
        task >= taskCount ? rows : (task * rows / taskCount) & ~15
    }
}
