import Foundation
import Kernels

/// Rows for one forward pass: row i feeds `tokens[i]` at `positions[i]` of `caches[i]`.
/// Rows of one sequence come in position order, each right after the one before (the first right
/// after what its cache already holds); rows of different sequences may interleave freely.
struct ForwardRows {
    var tokens: [Int32] = []
    var positions: [Int] = []
    var caches: [KVCache] = []
    /// Whether the logits of each row are wanted.
    var wantsLogits: [Bool] = []

    var count: Int { tokens.count }

    mutating func append(_ token: Int32, at position: Int, in cache: KVCache, logits: Bool) {
        tokens.append(token)
        positions.append(position)
        caches.append(cache)
        wantsLogits.append(logits)
    }
}

/// The transformer's arithmetic over a set of rows, shared by the single-sequence and the
/// multi-sequence contexts.
///
/// Every row's result depends only on its own token, position and cache: the matrix kernels give
/// a row of a batched product bit for bit what the single product gives, norms and activations
/// are per row, and attention reads only the row's own cache. So a sequence computes the same
/// whether it runs alone, in chunks of any size, or in a batch with other sequences (what the
/// server's determinism rests on).
///
/// Matrices are multiplied in their quantized blocks with activations quantized to 8 bits
/// (Kernels.MatVec), compensated for the down and output projections; rows are processed
/// `batchSize` at a time as matrix-matrix products.
final class ForwardPass {
    let model: LanguageModel
    /// Rows per pass; longer inputs are split.
    let batchSize: Int
    let pool: ThreadPool

    private var config: ModelConfig { model.config }
    private let scratch: Scratch
    /// The down and output projections run with compensated activations (see CompensatedMatVec):
    /// together they carried most of the 8-bit error against the fp64 reference.
    private let compensated = CompensatedMatVec()
    private let ropeGlobal: RopeTable
    private let ropeSliding: RopeTable?

    init(model: LanguageModel, threads: Int, batchSize: Int) {
        self.model = model
        let config = model.config
        self.batchSize = max(1, batchSize)
        pool = ThreadPool(threadCount: threads)
        scratch = Scratch(config: config, batch: self.batchSize)
        ropeGlobal = RopeTable(dimensions: config.ropeDimensions, base: config.ropeFrequencyBase,
                               scale: config.ropeScale, factors: config.ropeFrequencyFactors, yarn: config.ropeYaRN)
        ropeSliding = config.slidingRopeFrequencyBase.map { RopeTable(dimensions: config.ropeDimensions, base: $0) }
    }

    /// Runs `rows` (already validated) and returns the logits of the rows that want them, in row
    /// order (wanted rows × vocabulary). Advances each cache past its rows.
    func evaluate(_ rows: ForwardRows) -> [Float] {
        let vocabulary = config.vocabularySize
        let wanted = rows.wantsLogits.lazy.filter { $0 }.count
        // Not zeroed first: the output multiply writes every element of every wanted row (a
        // vocabulary-sized pass per row saved: 1 MB at Gemma 3's vocabulary).
        return [Float](unsafeUninitializedCapacity: wanted * vocabulary) { logits, initialized in
            evaluate(rows, into: (0..<wanted).map { logits.baseAddress! + $0 * vocabulary })
            initialized = wanted * vocabulary
        }
    }

    /// Runs `rows` and writes the logits of the k-th row that wants them to `outputs[k]` (a
    /// vocabulary each, every element written): a batch's sequences get theirs in their own
    /// arrays, with no copy out of a shared one.
    func evaluate(_ rows: ForwardRows, into outputs: [UnsafeMutablePointer<Float>]) {
        precondition(outputs.count == rows.wantsLogits.lazy.filter { $0 }.count, "one output per row that wants logits")
        var start = 0
        var written = 0
        while start < rows.count {
            let range = start..<min(start + batchSize, rows.count)
            forward(rows, range)
            for row in range { rows.caches[row].advance(to: max(rows.caches[row].position, rows.positions[row] + 1)) }
            let logitRows = range.filter { rows.wantsLogits[$0] }.map { $0 - start }
            if !logitRows.isEmpty {
                computeLogits(rows: logitRows, into: Array(outputs[written..<(written + logitRows.count)]))
                written += logitRows.count
            }
            start = range.upperBound
        }
    }

    // MARK: - The layers

    /// Runs the layers over `rows[range]`; the final hidden states stay in scratch.hidden.
    private func forward(_ rows: ForwardRows, _ range: Range<Int>) {
        let n = range.count
        let e = config.embeddingLength
        let s = scratch
        let weights = model.weights
        let half = config.ropeDimensions / 2
        let tokens = Array(rows.tokens[range]), positions = Array(rows.positions[range]), caches = Array(rows.caches[range])
        // Every per-row step runs on the pool, one task per row: on one thread alone they would be
        // a serial share of the pass's time.
        pool.parallelFor(n) { t in
            self.model.embed(tokens[t], into: s.hidden + t * e)
            // The rotation angles of the rows' positions, once for all layers.
            self.ropeGlobal.angles(at: positions[t], cosines: s.ropeCosines + t * half, sines: s.ropeSines + t * half)
            self.ropeSliding?.angles(at: positions[t], cosines: s.slidingCosines + t * half, sines: s.slidingSines + t * half)
        }
        for layer in 0..<config.blockCount {
            let w = weights.layers[layer]
            // h = x + attn(norm(x))
            pool.parallelFor(n) { t in
                Ops.rmsNorm(s.hidden + t * e, weight: w.attentionNorm, count: e, epsilon: self.config.normEpsilon, into: s.normed + t * e)
            }
            attention(layer: layer, weights: w, positions: positions, caches: caches)
            project(w.attentionOutput, s.attention, n, into: s.branch)
            addResidual(count: n, postNorm: w.postAttentionNorm)
            // out = h + ffn(norm(h))
            pool.parallelFor(n) { t in
                Ops.rmsNorm(s.hidden + t * e, weight: w.feedForwardNorm, count: e, epsilon: self.config.normEpsilon, into: s.normed + t * e)
            }
            switch w.feedForward {
            case .dense(let network):
                gated(network, input: s.normed, count: n, into: s.branch)
            case .experts(let router, let experts):
                mixture(router: router, experts: experts, count: n)
            }
            addResidual(count: n, postNorm: w.postFeedForwardNorm)
        }
    }

    /// down(act(gate·x) ⊙ up·x) for `n` rows of `x`, into `out`.
    private func gated(_ w: FeedForwardWeights.Gated, input x: UnsafeMutablePointer<Float>, count n: Int,
                       into out: UnsafeMutablePointer<Float>) {
        let s = scratch
        project(w.gate, x, n, into: s.gate)
        project(w.up, x, n, into: s.up)
        let f = w.gate.rows
        let activate = { (t: Int) in self.activate(gate: s.gate + t * f, up: s.up + t * f, count: f) }
        // One row (a generated token, or one expert's row) is not worth a trip through the pool.
        if n == 1 { activate(0) } else { pool.parallelFor(n, activate) }
        compensated.multiply(w.down, x: s.gate, count: n, into: out, pool: pool)
    }

    /// The mixture of experts: each row's router picks its experts (`MixtureRouting`), then each
    /// expert runs once over the rows that chose it, gathered together, so only chosen experts'
    /// weights are read. A row's branch is the weighted sum of its experts' outputs, added in
    /// expert order, as Hugging Face's implementation adds them; it does not depend on the other
    /// rows of the pass.
    private func mixture(router: WeightMatrix, experts: [FeedForwardWeights.Gated], count n: Int) {
        let s = scratch
        let e = config.embeddingLength
        let routing = config.experts!
        project(router, s.normed, n, into: s.routerLogits)
        var choices = [[MixtureRouting.Choice]](repeating: [], count: n)
        choices.withUnsafeMutableBufferPointer { out in
            let out = out
            pool.parallelFor(n) { t in
                out[t] = MixtureRouting.choose(logits: UnsafeBufferPointer(start: s.routerLogits + t * routing.count, count: routing.count),
                                               used: routing.used, normalize: routing.normalizeWeights)
            }
        }
        if n == 1 { return mixtureOfOneRow(experts: experts, chosen: choices[0]) }
        var rowsOf = [[(row: Int, weight: Float)]](repeating: [], count: routing.count)
        for (row, chosen) in choices.enumerated() {
            for choice in chosen { rowsOf[choice.expert].append((row, choice.weight)) }
        }
        s.branch.update(repeating: 0, count: n * e)
        for (expert, rows) in rowsOf.enumerated() where !rows.isEmpty {
            let gather = { (j: Int) in (s.expertInput + j * e).update(from: s.normed + rows[j].row * e, count: e) }
            let scatter = { (j: Int) in
                let branch = s.branch + rows[j].row * e, output = s.expertOutput + j * e, weight = rows[j].weight
                for i in 0..<e { branch[i] += weight * output[i] }
            }
            // Copies of a few rows (a generated token's) are cheaper than a trip through the pool.
            let inline = rows.count * e <= 1 << 14
            if inline { (0..<rows.count).forEach(gather) } else { pool.parallelFor(rows.count, gather) }
            gated(experts[expert], input: s.expertInput, count: rows.count, into: s.expertOutput)
            if inline { (0..<rows.count).forEach(scatter) } else { pool.parallelFor(rows.count, scatter) }
        }
    }

    /// gate ← act(gate) ⊙ up, the model's gated activation.
    private func activate(gate: UnsafeMutablePointer<Float>, up: UnsafeMutablePointer<Float>, count: Int) {
        switch config.block.feedForward.activation {
        case .swiGLU: Ops.swiGLU(gate: gate, up: up, count: count)
        case .geluTanhGated: Ops.geluTanhGated(gate: gate, up: up, count: count)
        }
    }

    /// A generated token's mixture: the chosen experts' gate and up products in one trip through
    /// the pool, their down products in another, so that a token costs a few dispatches, not a few
    /// per expert. Bit for bit what the general path computes for one row.
    private func mixtureOfOneRow(experts: [FeedForwardWeights.Gated], chosen: [MixtureRouting.Choice]) {
        let s = scratch
        let e = config.embeddingLength
        let f = config.experts!.feedForwardLength
        var products: [MatVec.RowProduct] = []
        for (k, choice) in chosen.enumerated() {
            products.append(.init(experts[choice.expert].gate, x: s.normed, into: s.expertGate + k * f))
            products.append(.init(experts[choice.expert].up, x: s.normed, into: s.expertUp + k * f))
        }
        MatVec.multiplyEach(products, pool: pool)
        for k in chosen.indices { activate(gate: s.expertGate + k * f, up: s.expertUp + k * f, count: f) }
        compensated.multiplyEach(chosen.indices.map { .init(experts[chosen[$0].expert].down, x: s.expertGate + $0 * f, into: s.expertOutput + $0 * e) },
                                 pool: pool)
        s.branch.update(repeating: 0, count: e)
        for (k, choice) in chosen.enumerated() {
            let output = s.expertOutput + k * e
            for i in 0..<e { s.branch[i] += choice.weight * output[i] }
        }
    }

    private func project(_ w: WeightMatrix, _ x: UnsafeMutablePointer<Float>, _ n: Int, into y: UnsafeMutablePointer<Float>) {
        if n == 1 {
            MatVec.multiply(w, x: x, into: y, pool: pool)
        } else {
            MatVec.multiplyBatch(w, x: x, count: n, into: y, pool: pool)
        }
    }

    /// hidden += postNorm(branch), row by row.
    private func addResidual(count n: Int, postNorm: [Float]?) {
        let e = config.embeddingLength
        let s = scratch
        let epsilon = config.normEpsilon
        pool.parallelFor(n) { t in
            let branch = s.branch + t * e
            if let postNorm {
                Ops.rmsNorm(branch, weight: postNorm, count: e, epsilon: epsilon, into: branch)
            }
            let hidden = s.hidden + t * e
            for i in 0..<e { hidden[i] += branch[i] }
        }
    }

    private func attention(layer: Int, weights w: LayerWeights, positions: [Int], caches: [KVCache]) {
        let n = positions.count
        let s = scratch
        let c = config
        project(w.query, s.normed, n, into: s.query)
        project(w.key, s.normed, n, into: s.key)
        project(w.value, s.normed, n, into: s.value)

        let sliding = c.slidingLayers[layer]
        let qd = c.queryDimension, kd = c.keyValueDimension, vd = c.valueDimension
        let half = c.ropeDimensions / 2
        let (cosines, sines) = sliding && ropeSliding != nil ? (s.slidingCosines, s.slidingSines) : (s.ropeCosines, s.ropeSines)
        // Every row's key and value go into its cache before any row attends: a later row of the
        // same sequence in this pass reads the earlier ones.
        pool.parallelFor(n) { t in
            let q = s.query + t * qd, k = s.key + t * kd, v = s.value + t * vd
            if let b = w.queryBias { for i in 0..<qd { q[i] += b[i] } }
            if let b = w.keyBias { for i in 0..<kd { k[i] += b[i] } }
            if let b = w.valueBias { for i in 0..<vd { v[i] += b[i] } }
            if let qn = w.queryNorm, let kn = w.keyNorm {
                for h in 0..<c.headCount {
                    Ops.rmsNorm(q + h * c.headSize, weight: qn, count: c.headSize, epsilon: c.normEpsilon, into: q + h * c.headSize)
                }
                for h in 0..<c.headCountKV {
                    Ops.rmsNorm(k + h * c.headSize, weight: kn, count: c.headSize, epsilon: c.normEpsilon, into: k + h * c.headSize)
                }
            }
            RopeTable.rotate(q, heads: c.headCount, headSize: c.headSize, style: c.ropeStyle, dimensions: c.ropeDimensions,
                             cosines: cosines + t * half, sines: sines + t * half)
            RopeTable.rotate(k, heads: c.headCountKV, headSize: c.headSize, style: c.ropeStyle, dimensions: c.ropeDimensions,
                             cosines: cosines + t * half, sines: sines + t * half)
            caches[t].store(layer: layer, position: positions[t], key: k, value: v)
        }

        let window = sliding ? c.slidingWindow : nil
        let groupSize = c.headCount / c.headCountKV
        let out = s.attention
        let hs = c.headSize, vs = c.valueHeadSize
        let outDim = c.headCount * vs
        let scale = c.attentionScale
        // One task per block of rows and KV head: up to `attentionBlockRows` consecutive rows of one
        // sequence with their query heads together, so each cached key and value is read once for
        // all of them (a row's result does not depend on its block). Later rows see more positions,
        // and the pool hands tasks out one at a time, so the threads stay even. With fewer tasks
        // than threads (one generated token), a group's query heads are split over tasks, as few
        // as keep every thread busy: each task reads (and, in a narrow cache, widens) the KV head's
        // keys and values once for its heads (Gemma 3 has 4 query heads to its one KV head: 2
        // tasks of 2 on two threads, not 4 of 1). Each head's result is the same either way.
        let blocks = Self.rowBlocks(positions: positions, caches: caches, limit: Self.attentionBlockRows)
        let headsPerTask = Self.headsPerTask(groupSize: groupSize, kvTasks: blocks.count * c.headCountKV, threads: pool.threadCount)
        let tasksPerBlock = c.headCount / headsPerTask
        pool.parallelFor(blocks.count * tasksPerBlock) { task in
            let rows = blocks[task / tasksPerBlock], head = (task % tasksPerBlock) * headsPerTask
            let kvHead = head / groupSize
            let t0 = rows.lowerBound, cache = caches[t0]
            let last = rows.map { positions[$0] }
            let first = last.map { pos in window.map { max(0, pos - $0 + 1) } ?? 0 }
            let query = s.query + t0 * qd + head * hs, into = out + t0 * outDim + head * vs
            let keys = cache.keys[layer] + kvHead * cache.keyHeadBytes
            let values = cache.values[layer] + kvHead * cache.valueHeadBytes
            switch cache.type {
            case .f32:
                Attention.attendRows(query: query, queryRowStride: qd, rows: rows.count, group: headsPerTask, headSize: hs,
                                     keys: keys.assumingMemoryBound(to: Float.self), keyStride: kd,
                                     values: values.assumingMemoryBound(to: Float.self), valueStride: vd,
                                     valueSize: vs, first: first, last: last, scale: scale, into: into, outRowStride: outDim)
            case .f16:
                Attention.attendRows(query: query, queryRowStride: qd, rows: rows.count, group: headsPerTask, headSize: hs,
                                     halfKeys: keys.assumingMemoryBound(to: UInt16.self), keyStride: kd,
                                     halfValues: values.assumingMemoryBound(to: UInt16.self), valueStride: vd,
                                     valueSize: vs, first: first, last: last, scale: scale, into: into, outRowStride: outDim)
            case .q8_0:
                Attention.attendRows(query: query, queryRowStride: qd, rows: rows.count, group: headsPerTask, headSize: hs,
                                     q8Keys: UnsafeRawPointer(keys), keyRowBytes: cache.keyRowBytes,
                                     q8Values: UnsafeRawPointer(values), valueRowBytes: cache.valueRowBytes,
                                     valueSize: vs, first: first, last: last, scale: scale, into: into, outRowStride: outDim)
            }
        }
    }

    /// The most query heads of a group one attention task takes (a divisor of the group) such that
    /// there are at least `threads` tasks, where that is possible.
    static func headsPerTask(groupSize: Int, kvTasks: Int, threads: Int) -> Int {
        (1...groupSize).reversed().first { groupSize % $0 == 0 && kvTasks * (groupSize / $0) >= threads } ?? 1
    }

    /// Rows attended together: at long contexts a row alone spent most of its time reading the cache
    /// from L3; eight rows read it once (a 512-token prompt after 4,096 cached tokens on Qwen2.5).
    static let attentionBlockRows = 8

    /// The pass's rows cut into runs of at most `limit` consecutive positions of one sequence.
    static func rowBlocks(positions: [Int], caches: [KVCache], limit: Int) -> [Range<Int>] {
        guard !positions.isEmpty else { return [] }
        var blocks: [Range<Int>] = []
        var start = 0
        for t in 1...positions.count where t == positions.count || t - start == limit
            || caches[t] !== caches[t - 1] || positions[t] != positions[t - 1] + 1 {
            blocks.append(start..<t)
            start = t
        }
        return blocks
    }

    /// Final norm and output projection for the given rows of the last pass.
    /// The logits of scratch rows `rows`, row k's into `outputs[k]`.
    private func computeLogits(rows: [Int], into outputs: [UnsafeMutablePointer<Float>]) {
        let e = config.embeddingLength
        let s = scratch
        let norm = model.weights.outputNorm, epsilon = config.normEpsilon
        pool.parallelFor(rows.count) { i in
            Ops.rmsNorm(s.hidden + rows[i] * e, weight: norm, count: e, epsilon: epsilon, into: s.normed + i * e)
        }
        compensated.multiply(model.weights.output, x: s.normed, count: rows.count, into: outputs, pool: pool)
        if let cap = config.finalLogitSoftcap {
            for logits in outputs {
                for i in 0..<config.vocabularySize { logits[i] = cap * tanhf(logits[i] / cap) }
            }
        }
    }
}

/// Activation buffers for one pass of up to `batch` rows, allocated once per context.
private final class Scratch {
    let hidden, normed, branch, query, key, value, attention, gate, up: UnsafeMutablePointer<Float>
    /// Mixtures of experts: router scores (batch, experts), one expert's gathered rows and outputs
    /// (or a token's chosen experts' outputs), a token's chosen experts' gate and up products.
    let routerLogits, expertInput, expertOutput, expertGate, expertUp: UnsafeMutablePointer<Float>
    let ropeCosines, ropeSines, slidingCosines, slidingSines: UnsafeMutablePointer<Float>

    init(config c: ModelConfig, batch n: Int) {
        hidden = .allocate(capacity: n * c.embeddingLength)          // (batch, embedding)
        normed = .allocate(capacity: n * c.embeddingLength)          // (batch, embedding)
        branch = .allocate(capacity: n * c.embeddingLength)          // (batch, embedding)
        query = .allocate(capacity: n * c.queryDimension)            // (batch, heads·headSize)
        key = .allocate(capacity: n * c.keyValueDimension)           // (batch, kvHeads·headSize)
        value = .allocate(capacity: n * c.valueDimension)            // (batch, kvHeads·valueHeadSize)
        attention = .allocate(capacity: n * c.headCount * c.valueHeadSize) // (batch, heads·valueHeadSize)
        let feedForward = max(c.feedForwardLength, c.experts?.feedForwardLength ?? 0)
        gate = .allocate(capacity: n * feedForward)                  // (batch, feedForward)
        up = .allocate(capacity: n * feedForward)                    // (batch, feedForward)
        routerLogits = .allocate(capacity: max(1, n * (c.experts?.count ?? 0)))  // (batch, experts)
        expertInput = .allocate(capacity: c.experts == nil ? 1 : n * c.embeddingLength)   // (batch, embedding)
        let chosen = c.experts?.used ?? 0
        expertOutput = .allocate(capacity: c.experts == nil ? 1 : max(n, chosen) * c.embeddingLength)  // (batch or used, embedding)
        expertGate = .allocate(capacity: max(1, chosen * (c.experts?.feedForwardLength ?? 0)))       // (used, expert length)
        expertUp = .allocate(capacity: max(1, chosen * (c.experts?.feedForwardLength ?? 0)))         // (used, expert length)
        let angles = max(1, n * (c.ropeDimensions / 2))
        ropeCosines = .allocate(capacity: angles)                    // (batch, ropeDimensions / 2)
        ropeSines = .allocate(capacity: angles)                      // (batch, ropeDimensions / 2)
        slidingCosines = .allocate(capacity: angles)                 // (batch, ropeDimensions / 2)
        slidingSines = .allocate(capacity: angles)                   // (batch, ropeDimensions / 2)
    }

    deinit {
        for buffer in [hidden, normed, branch, query, key, value, attention, gate, up, routerLogits, expertInput, expertOutput, expertGate, expertUp,
                       ropeCosines, ropeSines, slidingCosines, slidingSines] { buffer.deallocate() }
    }
}

/// How a mixture of experts routes one token: softmax over every expert's score, the `used` most
/// likely (ties to the lower index), their probabilities renormalised to sum to 1 when asked.
/// The one definition the fast path and the reference share.
enum MixtureRouting {
    struct Choice: Equatable {
        let expert: Int
        let weight: Float
    }

    static func choose(logits: UnsafeBufferPointer<Float>, used: Int, normalize: Bool) -> [Choice] {
        let probabilities = softmax(logits.map(Double.init))
        let chosen = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
            .prefix(used)
        let total = normalize ? chosen.reduce(0.0) { $0 + probabilities[$1] } : 1
        return chosen.sorted().map { Choice(expert: $0, weight: Float(probabilities[$0] / total)) }
    }

    static func softmax(_ x: [Double]) -> [Double] {
        let top = x.max() ?? 0
        let exps = x.map { Foundation.exp($0 - top) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }
}
