import Foundation
import TestSupport
import XCTest

/// The fp64 ground truth made by scripts/reference/make_accuracy_fixtures.py: for each prompt, the token
/// sequence (prompt + llama.cpp's 64 greedy tokens) and, at each of the 64 teacher-forced steps, the
/// fp64 reference's top-32 token ids with their logits and the log-sum-exp over the whole vocabulary.
struct AccuracyFixture: Decodable {
    struct LlamaCpp: Decodable {
        let package: String
        let top1_agreement: Double
        let mean_kl: Double
        let steps: Int
    }

    struct Step: Decodable {
        let position: Int
        let ids: [Int]
        let logits: [Double]
        let logsumexp: Double
        let top1: Int
    }

    struct Prompt: Decodable {
        let name: String
        let tokens: [Int32]
        let prompt_length: Int
        let greedy_top2_margins: [Double]
        let steps: [Step]

        var promptTokens: [Int32] { Array(tokens[..<prompt_length]) }
        var llamaCppGreedy: [Int32] { Array(tokens[prompt_length...]) }
    }

    let model: String
    let file: String
    let top_n: Int
    /// llama.cpp's own figures (default settings: an f16 KV cache).
    let llamacpp: LlamaCpp
    /// llama.cpp with flash attention and its KV cache in f16 or q8_0
    /// (scripts/reference/score_llamacpp_cache.py), the same steps.
    let llamacpp_f16: LlamaCpp?
    let llamacpp_q8_0: LlamaCpp?
    let prompts: [Prompt]

    static func load(_ model: String) throws -> AccuracyFixture {
        guard let url = Bundle.module.url(forResource: "Fixtures/accuracy/\(model)", withExtension: "json") else {
            throw XCTSkip("no accuracy fixture for \(model)")
        }
        return try JSONDecoder().decode(AccuracyFixture.self, from: Data(contentsOf: url))
    }
}

/// Top-1 agreement and KL divergence from the fp64 distribution, defined exactly as the fixture
/// script defines them for llama.cpp, so both engines are scored by the same rule.
struct AccuracyScore {
    private(set) var steps = 0
    private(set) var agreements = 0
    private(set) var klSum = 0.0
    private(set) var worstKL = 0.0

    var top1Agreement: Double { steps == 0 ? 0 : Double(agreements) / Double(steps) }
    var meanKL: Double { steps == 0 ? 0 : klSum / Double(steps) }

    mutating func add(_ step: AccuracyFixture.Step, logits: UnsafeBufferPointer<Float>) {
        steps += 1
        var best = 0
        for i in logits.indices where logits[i] > logits[best] { best = i }
        if best == step.top1 { agreements += 1 }
        let kl = Self.kl(step, logits: logits)
        klSum += kl
        worstKL = max(worstKL, kl)
    }

    /// KL(P_fp64 ‖ Q) = Σ_{i∈top-N} p_i (log p_i − log q_i) + p_rest (log p_rest − log q_rest), where
    /// p and q are full-vocabulary softmax probabilities and the rest bucket's mass is clamped ≥ 1e-30.
    static func kl(_ step: AccuracyFixture.Step, logits: UnsafeBufferPointer<Float>) -> Double {
        let maxLogit = Double(logits.max() ?? 0)
        var sum = 0.0
        for value in logits { sum += exp(Double(value) - maxLogit) }
        let engineLSE = maxLogit + log(sum)
        var kl = 0.0, pTop = 0.0, qTop = 0.0
        for (id, reference) in zip(step.ids, step.logits) {
            let logP = reference - step.logsumexp
            let logQ = Double(logits[id]) - engineLSE
            let p = exp(logP)
            kl += p * (logP - logQ)
            pTop += p
            qTop += exp(logQ)
        }
        let pRest = max(1 - pTop, 1e-30), qRest = max(1 - qTop, 1e-30)
        return kl + pRest * (log(pRest) - log(qRest))
    }
}

/// Where the accuracy tests write Hearth's figures for scripts/accuracy_report.py, when asked.
enum AccuracyReport {
    static func record(model: String, _ fields: [String: Any]) {
        guard let dir = ProcessInfo.processInfo.environment["HEARTH_ACCURACY_OUT"], !dir.isEmpty else { return }
        let url = URL(fileURLWithPath: dir).appendingPathComponent("\(model).json")
        var existing = (try? JSONSerialization.jsonObject(with: Data(contentsOf: url))) as? [String: Any] ?? [:]
        existing.merge(fields) { $1 }
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try? JSONSerialization.data(withJSONObject: existing, options: [.prettyPrinted, .sortedKeys]).write(to: url)
    }
}
