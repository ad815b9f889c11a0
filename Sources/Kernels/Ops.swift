import CKernels
import Foundation

/// The element-wise and reduction operations around the matrix products: norms, RoPE, softmax and the
/// feed-forward activations. Float32 storage; reductions accumulate in Float64 where ggml also does
/// (RMSNorm's sum of squares), so the fast path loses nothing to the reference here.
public enum Ops {
    /// out[i] = x[i] / sqrt(mean(x²) + eps) * weight[i]. `out` may alias `x`. The C kernel
    /// (`hk_rms_norm`: the double sum in four lanes); `rmsNormScalar` is its twin.
    @inline(__always)
    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, count: Int,
                               epsilon: Float, into out: UnsafeMutablePointer<Float>) {
        hk_rms_norm(x, weight, Int64(count), epsilon, out)
    }

    /// The scalar twin of `rmsNorm`.
    public static func rmsNormScalar(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, count: Int,
                                     epsilon: Float, into out: UnsafeMutablePointer<Float>) {
        var sum = 0.0
        for i in 0..<count { sum += Double(x[i]) * Double(x[i]) }
        let scale = Float(1.0 / (sum / Double(count) + Double(epsilon)).squareRoot())
        for i in 0..<count { out[i] = x[i] * scale * weight[i] }
    }

    /// In-place softmax over `count` values; returns nothing, normalises to sum 1.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        var maxValue = -Float.infinity
        for i in 0..<count where x[i] > maxValue { maxValue = x[i] }
        var sum = 0.0
        for i in 0..<count {
            let e = expf(x[i] - maxValue)
            x[i] = e
            sum += Double(e)
        }
        let inverse = Float(1.0 / sum)
        for i in 0..<count { x[i] *= inverse }
    }

    /// SiLU(gate)·up, SwiGLU's gating, written into `gate`. The C kernel (`hk_silu_gated`,
    /// vectorized exp within 2 ulp of expf); `swiGLUScalar` is its twin.
    public static func swiGLU(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        hk_silu_gated(gate, up, Int64(count))
    }

    /// The scalar twin of `swiGLU`.
    public static func swiGLUScalar(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// GELU with the tanh approximation (as Gemma and ggml use), computed to float precision rather
    /// than through ggml's f16 lookup table, gating `up`; written into `gate`. The C kernel
    /// (`hk_gelu_tanh_gated`, vectorized exp within 2 ulp of expf); `geluTanhGatedScalar` is its twin.
    public static func geluTanhGated(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        hk_gelu_tanh_gated(gate, up, Int64(count))
    }

    /// The scalar twin of `geluTanhGated`.
    public static func geluTanhGatedScalar(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { gate[i] = geluTanh(gate[i]) * up[i] }
    }

    /// x·(1 + tanh u)/2 with u = √(2/π)·(x + 0.044715·x³), evaluated as x / (1 + e^(−2u)): the same
    /// function, without the cancellation of 1 + tanh u where tanh u nears −1.
    @inline(__always)
    public static func geluTanh(_ x: Float) -> Float {
        let sqrt2OverPi: Float = 0.797_884_56
        let u = sqrt2OverPi * x * (1 + 0.044715 * x * x)
        return x / (1 + expf(-2 * u))
    }
}

/// How a model rotates query and key vectors.
public enum RopeStyle: String, Sendable {
    /// Rotates adjacent pairs (x[2i], x[2i+1]): llama.cpp's "norm" mode, used by the llama architecture
    /// (the GGUF converter permutes Q/K rows so this equals Hugging Face's rotate-half).
    case adjacentPairs
    /// Rotates the two halves (x[i], x[i + d/2]): llama.cpp's "NeoX" mode (Qwen2, Gemma 3).
    case halves
}

/// The cosines and sines of one position's rotation angles.
///
/// Angles are computed in Float64 as pos · base^(−2i/d) / scale, not by ggml's running product of
/// Float32 factors, so the rotation is as exact as Float32 storage allows.
/// YaRN context extension (Qwen2.5 and Qwen3 past 32k tokens), as ggml's rope computes it: pairs
/// that turn many times within the original context keep their frequency (extrapolation), pairs
/// that turn less than once are divided by `factor` (interpolation), those between are blended on
/// a linear ramp; cosines and sines are multiplied by `attentionFactor · (1 + 0.1 ln factor)`.
public struct YaRN: Sendable, Equatable {
    public var factor: Double
    /// The context the model was trained for before extension.
    public var originalContext: Int
    /// Rotations within the original context above which a pair is extrapolated, below which
    /// (`betaSlow`) it is interpolated.
    public var betaFast: Double
    public var betaSlow: Double
    public var attentionFactor: Double

    public init(factor: Double, originalContext: Int, betaFast: Double = 32, betaSlow: Double = 1, attentionFactor: Double = 1) {
        self.factor = factor
        self.originalContext = originalContext
        self.betaFast = betaFast
        self.betaSlow = betaSlow
        self.attentionFactor = attentionFactor
    }

    public var magnitude: Double { attentionFactor * (1 + 0.1 * Foundation.log(factor)) }

    /// Per pair, how much of the extrapolated (unscaled) frequency it keeps: 1 below the low
    /// correction dimension, 0 above the high one (ggml's `rope_yarn_ramp` with ext_factor 1).
    public func extrapolationRamp(dimensions: Int, base: Double) -> [Double] {
        func correctionDimension(_ rotations: Double) -> Double {
            Double(dimensions) * Foundation.log(Double(originalContext) / (rotations * 2 * Double.pi)) / (2 * Foundation.log(base))
        }
        let low = max(0, correctionDimension(betaFast).rounded(.down))
        let high = min(Double(dimensions - 1), correctionDimension(betaSlow).rounded(.up))
        return (0..<dimensions / 2).map { i in
            let y = (Double(i) - low) / max(0.001, high - low)
            return 1 - min(1, max(0, y))
        }
    }
}

public struct RopeTable {
    public let dimensions: Int
    public private(set) var cosines: [Float]
    public private(set) var sines: [Float]
    private let inverseFrequencies: [Double]

    /// Multiplies the cosines and sines (YaRN's attention factor; 1 otherwise).
    private let magnitude: Double

    /// `dimensions` rotated (≤ head size), `base` the frequency base, `scale` linear position scaling
    /// (1 = none), `factors` per-pair frequency divisors (Llama 3.1's `rope_freqs`), as ggml applies them;
    /// `yarn`: YaRN context extension in place of linear scaling.
    public init(dimensions: Int, base: Double, scale: Double = 1, factors: [Float]? = nil, yarn: YaRN? = nil) {
        self.dimensions = dimensions
        let pairs = dimensions / 2
        let extrapolated = (0..<pairs).map { i in pow(base, -2.0 * Double(i) / Double(dimensions)) / Double(factors?[i] ?? 1) }
        if let yarn {
            let ramp = yarn.extrapolationRamp(dimensions: dimensions, base: base)
            inverseFrequencies = (0..<pairs).map { i in
                extrapolated[i] / yarn.factor * (1 - ramp[i]) + extrapolated[i] * ramp[i]
            }
            magnitude = yarn.magnitude
        } else {
            inverseFrequencies = extrapolated.map { $0 / scale }
            magnitude = 1
        }
        cosines = [Float](repeating: 1, count: pairs)
        sines = [Float](repeating: 0, count: pairs)
    }

    public mutating func setPosition(_ position: Int) {
        var c = cosines, s = sines
        c.withUnsafeMutableBufferPointer { c in
            s.withUnsafeMutableBufferPointer { s in angles(at: position, cosines: c.baseAddress!, sines: s.baseAddress!) }
        }
        cosines = c
        sines = s
    }

    /// The cosines and sines of `position`'s angles (dimensions / 2 of each), for callers that keep
    /// them per position (a prompt's chunk computes them once for all layers).
    public func angles(at position: Int, cosines: UnsafeMutablePointer<Float>, sines: UnsafeMutablePointer<Float>) {
        for i in 0..<inverseFrequencies.count {
            let theta = Double(position) * inverseFrequencies[i]
            cosines[i] = Float(cos(theta) * magnitude)
            sines[i] = Float(sin(theta) * magnitude)
        }
    }

    /// Rotates `heads` consecutive vectors of `headSize` in place.
    public func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, headSize: Int, style: RopeStyle) {
        cosines.withUnsafeBufferPointer { cosines in
            sines.withUnsafeBufferPointer { sines in
                Self.rotate(x, heads: heads, headSize: headSize, style: style, dimensions: dimensions,
                            cosines: cosines.baseAddress!, sines: sines.baseAddress!)
            }
        }
    }

    /// Rotates `heads` consecutive vectors of `headSize` in place by the angles whose cosines and
    /// sines are given (dimensions / 2 of each, as `angles(at:)` writes them).
    public static func rotate(_ x: UnsafeMutablePointer<Float>, heads: Int, headSize: Int, style: RopeStyle,
                              dimensions: Int, cosines: UnsafePointer<Float>, sines: UnsafePointer<Float>) {
        let half = dimensions / 2
        for h in 0..<heads {
            let v = x + h * headSize
            switch style {
            case .adjacentPairs:
                for i in 0..<half {
                    let a = v[2 * i], b = v[2 * i + 1]
                    v[2 * i] = a * cosines[i] - b * sines[i]
                    v[2 * i + 1] = a * sines[i] + b * cosines[i]
                }
            case .halves:
                for i in 0..<half {
                    let a = v[i], b = v[i + half]
                    v[i] = a * cosines[i] - b * sines[i]
                    v[i + half] = a * sines[i] + b * cosines[i]
                }
            }
        }
    }
}
