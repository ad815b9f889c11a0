import CKernels

/// Scaled dot-product attention of one query token over cached positions, for the query heads that
/// share one key/value head (grouped-query attention), in Float32.
///
/// The fast path is C (`hk_attend`: each key and value row is read once for up to four heads, dot
/// products in eight lanes); `attendScalar` is its plain Swift twin, summing in order.
public enum Attention {
    /// One token's attention for `group` query heads, `headSize` floats apart at `query`, over
    /// positions `positions` of one key/value head: the key and the value of position j start at
    /// `keys + j·keyStride` and `values + j·valueStride`. Writes `group × valueSize` floats to `out`:
    /// Σ_j p_j·v_j with p = softmax(scale · q·k_j) per head. `positions` must not be empty.
    public static func attend(query: UnsafePointer<Float>, group: Int, headSize: Int,
                              keys: UnsafePointer<Float>, keyStride: Int, values: UnsafePointer<Float>, valueStride: Int,
                              valueSize: Int, positions: ClosedRange<Int>, scale: Float,
                              into out: UnsafeMutablePointer<Float>) {
        let done = hk_attend(query, Int32(group), Int64(headSize), keys, values, keyStride, valueStride, Int64(valueSize),
                             Int64(positions.lowerBound), Int64(positions.upperBound), scale, out)
        if done == 0 {
            // Only when the kernel's scratch memory could not be had: the twin needs none of its own.
            attendScalar(query: query, group: group, headSize: headSize, keys: keys, keyStride: keyStride, values: values, valueStride: valueStride,
                         valueSize: valueSize, positions: positions, scale: scale, into: out)
        }
    }

    /// `attend` for `rows` query rows of one sequence at once: row r's query heads start at
    /// `query + r·queryRowStride`, it attends over `first[r]...last[r]`, and its output goes to
    /// `out + r·outRowStride`. The cached keys and values are read once per block of rows rather
    /// than once per row; each row's output is exactly what `attend` gives it alone.
    public static func attendRows(query: UnsafePointer<Float>, queryRowStride: Int, rows: Int, group: Int, headSize: Int,
                                  keys: UnsafePointer<Float>, keyStride: Int, values: UnsafePointer<Float>, valueStride: Int,
                                  valueSize: Int, first: [Int], last: [Int], scale: Float,
                                  into out: UnsafeMutablePointer<Float>, outRowStride: Int) {
        let done = withSpans(first, last, rows: rows) { f, l in
            hk_attend_rows(query, queryRowStride, Int32(rows), Int32(group), Int64(headSize), keys, values,
                           keyStride, valueStride, Int64(valueSize), f, l, scale, out, outRowStride)
        }
        if done == 0 {
            for r in 0..<rows {
                attendScalar(query: query + r * queryRowStride, group: group, headSize: headSize, keys: keys, keyStride: keyStride,
                             values: values, valueStride: valueStride, valueSize: valueSize, positions: first[r]...last[r],
                             scale: scale, into: out + r * outRowStride)
            }
        }
    }

    /// `attendRows` over a binary16 cache (`keys` and `values` hold fp16 bits; strides in
    /// elements). Each key and value is widened exactly, so every row's output is bit for bit
    /// `attendRows` over a Float32 cache holding the same rounded values.
    public static func attendRows(query: UnsafePointer<Float>, queryRowStride: Int, rows: Int, group: Int, headSize: Int,
                                  halfKeys keys: UnsafePointer<UInt16>, keyStride: Int, halfValues values: UnsafePointer<UInt16>,
                                  valueStride: Int, valueSize: Int, first: [Int], last: [Int], scale: Float,
                                  into out: UnsafeMutablePointer<Float>, outRowStride: Int) {
        let done = withSpans(first, last, rows: rows) { f, l in
            hk_attend_rows_f16(query, queryRowStride, Int32(rows), Int32(group), Int64(headSize), keys, values,
                               keyStride, valueStride, Int64(valueSize), f, l, scale, out, outRowStride)
        }
        guard done == 0 else { return }
        attendWidened(query: query, queryRowStride: queryRowStride, rows: rows, group: group, headSize: headSize,
                      key: { j, c in Half.toFloat(keys[j * keyStride + c]) },
                      value: { j, c in Half.toFloat(values[j * valueStride + c]) },
                      valueSize: valueSize, first: first, last: last, scale: scale, into: out, outRowStride: outRowStride)
    }

    /// `attendRows` over a Q8_0 cache (`Q8_0Rows`): position j's keys for this head start at
    /// `keys + j·keyRowBytes` (values likewise). Each element is widened exactly (d·q), so every
    /// row's output is bit for bit `attendRows` over a Float32 cache holding the dequantized values.
    public static func attendRows(query: UnsafePointer<Float>, queryRowStride: Int, rows: Int, group: Int, headSize: Int,
                                  q8Keys keys: UnsafeRawPointer, keyRowBytes: Int, q8Values values: UnsafeRawPointer,
                                  valueRowBytes: Int, valueSize: Int, first: [Int], last: [Int], scale: Float,
                                  into out: UnsafeMutablePointer<Float>, outRowStride: Int) {
        let done = withSpans(first, last, rows: rows) { f, l in
            hk_attend_rows_q8_0(query, queryRowStride, Int32(rows), Int32(group), Int64(headSize), keys, values,
                                keyRowBytes, valueRowBytes, Int64(valueSize), f, l, scale, out, outRowStride)
        }
        guard done == 0 else { return }
        attendWidened(query: query, queryRowStride: queryRowStride, rows: rows, group: group, headSize: headSize,
                      key: { j, c in Q8_0Rows.element(keys + j * keyRowBytes, c) },
                      value: { j, c in Q8_0Rows.element(values + j * valueRowBytes, c) },
                      valueSize: valueSize, first: first, last: last, scale: scale, into: out, outRowStride: outRowStride)
    }

    /// Only when a kernel's scratch memory could not be had: each row's span widened here
    /// (`key(j, c)`: element c of position j's key), then the Float32 twin.
    private static func attendWidened(query: UnsafePointer<Float>, queryRowStride: Int, rows: Int, group: Int, headSize: Int,
                                      key: (Int, Int) -> Float, value: (Int, Int) -> Float, valueSize: Int,
                                      first: [Int], last: [Int], scale: Float,
                                      into out: UnsafeMutablePointer<Float>, outRowStride: Int) {
        for r in 0..<rows {
            let span = first[r]...last[r]
            var k = [Float](repeating: 0, count: span.count * headSize)
            var v = [Float](repeating: 0, count: span.count * valueSize)
            for (i, j) in span.enumerated() {
                for c in 0..<headSize { k[i * headSize + c] = key(j, c) }
                for c in 0..<valueSize { v[i * valueSize + c] = value(j, c) }
            }
            attendScalar(query: query + r * queryRowStride, group: group, headSize: headSize, keys: k, keyStride: headSize,
                         values: v, valueStride: valueSize, valueSize: valueSize, positions: 0...(span.count - 1),
                         scale: scale, into: out + r * outRowStride)
        }
    }

    /// The rows' spans checked and handed to a kernel as its int64_t arrays. Int is int64_t here, so
    /// they go as they are, not copied per call (this runs for every head of every layer of every
    /// token).
    private static func withSpans(_ first: [Int], _ last: [Int], rows: Int,
                                  _ body: (UnsafePointer<Int64>, UnsafePointer<Int64>) -> Int32) -> Int32 {
        precondition(first.count == rows && last.count == rows && zip(first, last).allSatisfy { 0 <= $0 && $0 <= $1 }
                     && MemoryLayout<Int>.size == MemoryLayout<Int64>.size)
        return first.withUnsafeBufferPointer { firsts in
            last.withUnsafeBufferPointer { lasts in
                firsts.baseAddress!.withMemoryRebound(to: Int64.self, capacity: rows) { f in
                    lasts.baseAddress!.withMemoryRebound(to: Int64.self, capacity: rows) { l in body(f, l) }
                }
            }
        }
    }

    /// The scalar twin of `attend`: the same steps in plain loops.
    public static func attendScalar(query: UnsafePointer<Float>, group: Int, headSize: Int,
                                    keys: UnsafePointer<Float>, keyStride: Int, values: UnsafePointer<Float>, valueStride: Int,
                                    valueSize: Int, positions: ClosedRange<Int>, scale: Float,
                                    into out: UnsafeMutablePointer<Float>) {
        var scores = [Float](repeating: 0, count: positions.count)
        for g in 0..<group {
            let q = query + g * headSize
            for (i, j) in positions.enumerated() {
                let k = keys + j * keyStride
                var dot: Float = 0
                for c in 0..<headSize { dot += q[c] * k[c] }
                scores[i] = dot * scale
            }
            scores.withUnsafeMutableBufferPointer { Ops.softmax($0.baseAddress!, count: $0.count) }
            let o = out + g * valueSize
            o.update(repeating: 0, count: valueSize)
            for (i, j) in positions.enumerated() {
                let v = values + j * valueStride
                for c in 0..<valueSize { o[c] += scores[i] * v[c] }
            }
        }
    }
}
