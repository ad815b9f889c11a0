import GGUF

/// Matrix products whose activations are quantized twice: once as usual, and once more for what the
/// first quantization lost.
///
/// Quantizing activations to 8 bits per block is the whole of the fast path's error against the
/// exact arithmetic (with float activations Hearth matches the fp64 reference to KL ≈ 1e-11 on the
/// real models). Writing x = q(x) + r, where r = x − q(x) is the rounding residual, and quantizing r
/// again in the same format gives W·x ≈ W·q(x) + W·q(r), whose error is that of quantizing r: about
/// 1/254 of the plain error, as good as 16-bit activations. It reuses the 8-bit kernels as they are
/// (the residual rows are simply more rows of the same batch, so each weight row is still read from
/// memory once), costs one more integer dot per weight block, and keeps every row's result
/// independent of how tokens were batched, because each of the two parts is.
///
/// Used where 8-bit activations hurt most (the feed-forward down projection, whose SwiGLU/GELU inputs
/// have large outliers, and the output projection, whose errors land on the logits unfiltered).
public final class CompensatedMatVec {
    /// Tokens per call of the batched kernel (2 × this rows: values and residuals): as many as fit
    /// `productBudget` bytes of products, up to `maximumTokensPerCall`. Each call reads the whole
    /// matrix, so a call per few tokens multiplies the weight traffic: with 4 MiB the output
    /// projection of a 16-sequence decoding step took 8 passes over Gemma 3's 170 MB output matrix
    /// (262k rows, 2 tokens per call), most of the step. 32 MiB holds 16 tokens' products at that
    /// vocabulary, so a step reads it once; larger prompts scoring every position still go in
    /// bounded slices.
    private static let maximumTokensPerCall = 64
    private static let productBudget = 32 << 20

    private static func tokensPerCall(rows: Int) -> Int {
        max(1, min(maximumTokensPerCall, productBudget / max(1, 2 * rows * MemoryLayout<Float>.size)))
    }

    private var stacked: UnsafeMutablePointer<Float>     // (2·tokens per call, columns): values, then residuals
    private var stackedCapacity = 0
    private var products: UnsafeMutablePointer<Float>    // (2·tokens per call, rows)
    private var productsCapacity = 0
    private var quantized: UnsafeMutableRawPointer       // (tokens per call) activation rows in the partner format
    private var quantizedCapacity = 0
    private var quantizedRowBytes = 0

    public init() {
        stacked = .allocate(capacity: 1)
        products = .allocate(capacity: 1)
        quantized = .allocate(byteCount: 1, alignment: 64)
    }

    deinit {
        stacked.deallocate()
        products.deallocate()
        quantized.deallocate()
    }

    /// Y (n × rows) = X (n × columns) · Wᵀ with compensated activations. X and Y must not overlap.
    public func multiply(_ w: WeightMatrix, x: UnsafePointer<Float>, count n: Int,
                         into y: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        multiply(w, x: x, count: n, into: (0..<n).map { y + $0 * w.rows }, pool: pool)
    }

    /// The same, with token t's row of products written to `outputs[t]` (`w.rows` floats each,
    /// none overlapping X): a batch's logits go straight to each sequence's own array.
    public func multiply(_ w: WeightMatrix, x: UnsafePointer<Float>, count n: Int,
                         into outputs: [UnsafeMutablePointer<Float>], pool: ThreadPool) {
        precondition(outputs.count == n, "one output per token")
        let format = w.activationFormat
        guard format != .f32 else {
            // Float activations are not quantized at all: nothing to compensate. The batched
            // product writes its rows one after another; rows elsewhere are copied to their place.
            guard n > 0 else { return }
            let contiguous = outputs.indices.allSatisfy { outputs[$0] == outputs[0] + $0 * w.rows }
            if contiguous { return MatVec.multiplyBatch(w, x: x, count: n, into: outputs[0], pool: pool) }
            let products = UnsafeMutablePointer<Float>.allocate(capacity: n * w.rows)
            defer { products.deallocate() }
            MatVec.multiplyBatch(w, x: x, count: n, into: products, pool: pool)
            for t in 0..<n { outputs[t].update(from: products + t * w.rows, count: w.rows) }
            return
        }
        let perCall = Self.tokensPerCall(rows: w.rows)
        reserve(columns: w.columns, rows: w.rows, tokens: min(perCall, n), format: format)
        var start = 0
        while start < n {
            let m = min(perCall, n - start)
            let (stacked, products, quantized) = (self.stacked, self.products, self.quantized)
            let columns = w.columns, rows = w.rows, quantizedBytes = quantizedRowBytes
            pool.parallelFor(m) { t in
                let source = x + (start + t) * columns
                let value = stacked + t * columns
                let residual = stacked + (m + t) * columns
                let scratch = quantized + t * quantizedBytes
                value.update(from: source, count: columns)
                // The same quantizer MatVec uses, so q(x) here is bit for bit the one it multiplies.
                try! ActivationQuantization.quantize(source, count: columns, to: format, into: scratch)
                Self.dequantize(format, UnsafeRawPointer(scratch), count: columns, into: residual)
                for c in 0..<columns { residual[c] = source[c] - residual[c] }
            }
            MatVec.multiplyBatch(w, x: stacked, count: 2 * m, into: products, pool: pool)
            pool.parallelFor(m) { t in
                let out = outputs[start + t]
                let main = products + t * rows
                let correction = products + (m + t) * rows
                for r in 0..<rows { out[r] = main[r] + correction[r] }
            }
            start += m
        }
    }

    /// Several single-row compensated products in one trip through the pool (a mixture's chosen
    /// experts' down projections): each y bit for bit what `multiply` gives for its row alone.
    public func multiplyEach(_ products: [MatVec.RowProduct], pool: ThreadPool) {
        var residuals: [UnsafeMutablePointer<Float>] = []
        var corrections: [UnsafeMutablePointer<Float>] = []
        defer {
            residuals.forEach { $0.deallocate() }
            corrections.forEach { $0.deallocate() }
        }
        var group: [MatVec.RowProduct] = []
        for product in products {
            let format = product.w.activationFormat
            guard format != .f32 else {
                // Float activations are not quantized at all: nothing to compensate.
                group.append(product)
                continue
            }
            let columns = product.w.columns
            let residual = UnsafeMutablePointer<Float>.allocate(capacity: columns)
            let correction = UnsafeMutablePointer<Float>.allocate(capacity: product.w.rows)
            residuals.append(residual)
            corrections.append(correction)
            // As `multiply` computes it: x − dequantize(quantize(x)), with the quantizer MatVec uses.
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: max(1, ActivationQuantization.rowBytes(format, columns: columns)), alignment: 64)
            try! ActivationQuantization.quantize(product.x, count: columns, to: format, into: scratch)
            Self.dequantize(format, UnsafeRawPointer(scratch), count: columns, into: residual)
            scratch.deallocate()
            for c in 0..<columns { residual[c] = product.x[c] - residual[c] }
            group.append(product)
            group.append(MatVec.RowProduct(product.w, x: residual, into: correction))
        }
        MatVec.multiplyEach(group, pool: pool)
        var next = 0
        for product in products where product.w.activationFormat != .f32 {
            let correction = corrections[next]
            for r in 0..<product.w.rows { product.y[r] = product.y[r] + correction[r] }
            next += 1
        }
    }

    private func reserve(columns: Int, rows: Int, tokens: Int, format: GGMLType) {
        let rowsNeeded = 2 * tokens
        if stackedCapacity < rowsNeeded * columns {
            stacked.deallocate()
            stackedCapacity = rowsNeeded * columns
            stacked = .allocate(capacity: stackedCapacity)
        }
        if productsCapacity < rowsNeeded * rows {
            products.deallocate()
            productsCapacity = rowsNeeded * rows
            products = .allocate(capacity: productsCapacity)
        }
        quantizedRowBytes = ActivationQuantization.rowBytes(format, columns: columns)
        let bytes = quantizedRowBytes * tokens
        if quantizedCapacity < bytes {
            quantized.deallocate()
            quantizedCapacity = bytes
            quantized = .allocate(byteCount: bytes, alignment: 64)
        }
    }

    /// Values of an activation row in ggml's Q8_0, Q8_1 or Q8_K layout (`BlockLayout`): d · q.
    static func dequantize(_ format: GGMLType, _ row: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Float>) {
        let block = format.blockSize
        for b in 0..<(count / block) {
            let base = row + b * format.bytesPerBlock
            let d: Float
            let quants: UnsafeRawPointer
            switch format {
            case .q8_0:
                d = Half.toFloat(base.loadUnaligned(fromByteOffset: BlockLayout.Q8_0.d, as: UInt16.self))
                quants = base + BlockLayout.Q8_0.qs
            case .q8_1:
                d = Half.toFloat(base.loadUnaligned(fromByteOffset: BlockLayout.Q8_1.d, as: UInt16.self))
                quants = base + BlockLayout.Q8_1.qs
            default: // .q8_K
                d = base.loadUnaligned(fromByteOffset: BlockLayout.Q8_K.d, as: Float.self)
                quants = base + BlockLayout.Q8_K.qs
            }
            for i in 0..<block {
                out[b * block + i] = d * Float(quants.load(fromByteOffset: i, as: Int8.self))
            }
        }
    }
}
