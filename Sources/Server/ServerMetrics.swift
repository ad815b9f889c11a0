import Foundation

/// Counters and histograms for `/metrics`, written in Prometheus's text exposition format (0.0.4)
/// by hand: a few dozen lines, where a metrics library would add a dependency tree to every build.
public final class ServerMetrics: @unchecked Sendable {
    struct Histogram {
        let bounds: [Double]
        var counts: [Int]
        var sum = 0.0
        var count = 0

        init(bounds: [Double]) {
            self.bounds = bounds
            counts = [Int](repeating: 0, count: bounds.count)
        }

        mutating func observe(_ value: Double) {
            for (i, bound) in bounds.enumerated() where value <= bound { counts[i] += 1 }
            sum += value
            count += 1
        }
    }

    private struct RequestKey: Hashable {
        let model: String
        let endpoint: String
        let status: Int
    }

    static let secondsBounds = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]
    static let rateBounds = [1.0, 2, 5, 10, 20, 50, 100, 200, 500, 1000]

    private let lock = NSLock()
    private var requests: [RequestKey: Int] = [:]
    private var promptTokens: [String: Int] = [:]
    private var completionTokens: [String: Int] = [:]
    private var timeToFirstToken: [String: Histogram] = [:]
    private var requestDuration: [String: Histogram] = [:]
    private var tokensPerSecond: [String: Histogram] = [:]

    public init() {}

    /// A finished request: `model` is empty for requests that named none.
    public func recordRequest(model: String, endpoint: String, status: Int) {
        lock.lock()
        requests[RequestKey(model: model, endpoint: endpoint, status: status), default: 0] += 1
        lock.unlock()
    }

    public func recordTokens(model: String, prompt: Int, completion: Int) {
        lock.lock()
        promptTokens[model, default: 0] += prompt
        completionTokens[model, default: 0] += completion
        lock.unlock()
    }

    public func recordTimeToFirstToken(model: String, seconds: Double) {
        lock.lock()
        timeToFirstToken[model, default: Histogram(bounds: Self.secondsBounds)].observe(seconds)
        lock.unlock()
    }

    /// A generation's duration, and its decoding speed (tokens after the first over the time after it).
    public func recordGeneration(model: String, seconds: Double, completionTokens: Int, decodeSeconds: Double) {
        lock.lock()
        requestDuration[model, default: Histogram(bounds: Self.secondsBounds)].observe(seconds)
        if completionTokens > 1 && decodeSeconds > 0 {
            tokensPerSecond[model, default: Histogram(bounds: Self.rateBounds)]
                .observe(Double(completionTokens - 1) / decodeSeconds)
        }
        lock.unlock()
    }

    /// The exposition text; gauges (queue depth, busy slots) are read from the models now.
    public func render(models: ModelRegistry) -> String {
        lock.lock()
        defer { lock.unlock() }
        var out = ""
        func header(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func label(_ value: String) -> String {
            value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        func number(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }

        header("hearth_requests_total", "counter", "HTTP requests answered, by model, endpoint and status.")
        for (key, count) in requests.sorted(by: { ($0.key.model, $0.key.endpoint, $0.key.status) < ($1.key.model, $1.key.endpoint, $1.key.status) }) {
            out += "hearth_requests_total{model=\"\(label(key.model))\",endpoint=\"\(label(key.endpoint))\",status=\"\(key.status)\"} \(count)\n"
        }
        // One line per served model.
        func perModel(_ name: String, _ type: String, _ help: String, _ value: (ServedModel) -> Int) {
            header(name, type, help)
            for model in models.models { out += "\(name){model=\"\(label(model.id))\"} \(value(model))\n" }
        }
        // Read once per model: each read takes the executor's lock.
        let work = Dictionary(models.models.map { ($0.id, $0.executor.statistics) }, uniquingKeysWith: { first, _ in first })
        perModel("hearth_prompt_tokens_total", "counter", "Prompt tokens processed.") { promptTokens[$0.id] ?? 0 }
        perModel("hearth_completion_tokens_total", "counter", "Tokens generated.") { completionTokens[$0.id] ?? 0 }
        perModel("hearth_queue_depth", "gauge", "Generations waiting for a slot.") { $0.executor.queueDepth }
        perModel("hearth_active_slots", "gauge", "Generations running now.") { $0.executor.activeCount }
        perModel("hearth_slots", "gauge", "Generations that can run at once.") { $0.executor.slotCount }
        perModel("hearth_kv_cache_resident_bytes", "gauge",
                 "Memory the KV caches hold now: pages written by sequences, running or kept for prefix reuse.") {
            $0.executor.residentCacheBytes
        }
        perModel("hearth_forward_passes_total", "counter", "Forward passes run; rows over passes is the batch sequences shared.") {
            work[$0.id]?.passes ?? 0
        }
        perModel("hearth_forward_rows_total", "counter", "Tokens computed in forward passes (prompt and generated).") {
            work[$0.id]?.rows ?? 0
        }
        perModel("hearth_reused_prompt_tokens_total", "counter", "Prompt tokens taken from a cached shared prefix instead of computed.") {
            work[$0.id]?.reusedPromptTokens ?? 0
        }

        func histograms(_ name: String, _ help: String, _ values: [String: Histogram]) {
            header(name, "histogram", help)
            for id in models.ids {
                guard let histogram = values[id] else { continue }
                let model = "model=\"\(label(id))\""
                for (bound, count) in zip(histogram.bounds, histogram.counts) {
                    out += "\(name)_bucket{\(model),le=\"\(number(bound))\"} \(count)\n"
                }
                out += "\(name)_bucket{\(model),le=\"+Inf\"} \(histogram.count)\n"
                out += "\(name)_sum{\(model)} \(histogram.sum)\n"
                out += "\(name)_count{\(model)} \(histogram.count)\n"
            }
        }
        histograms("hearth_time_to_first_token_seconds", "From the request's arrival to its first generated token.", timeToFirstToken)
        histograms("hearth_request_duration_seconds", "From a generation request's arrival to its last token.", requestDuration)
        histograms("hearth_tokens_per_second", "Decoding speed of each generation (tokens after the first).", tokensPerSecond)
        return out
    }
}
