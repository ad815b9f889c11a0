import GGUF
import Kernels

/// A decoder-only transformer's hyperparameters and its block, decoded from GGUF metadata in exactly
/// one place per architecture (see `Architectures/`). Forward code reads only this.
public struct ModelConfig: Sendable {
    public typealias Experts = BlockRecipe.Experts

    public var architecture: String
    public var vocabularySize: Int
    public var embeddingLength: Int
    public var blockCount: Int
    public var headCount: Int
    public var headCountKV: Int
    /// Size of each query/key head; not always embeddingLength / headCount (Gemma 3 270M: 256 vs 160).
    public var headSize: Int
    /// Size of each value head.
    public var valueHeadSize: Int
    public var feedForwardLength: Int
    /// The context the model was trained for.
    public var contextLength: Int
    public var normEpsilon: Float

    public var ropeStyle: RopeStyle
    /// Dimensions of each head that RoPE rotates.
    public var ropeDimensions: Int
    public var ropeFrequencyBase: Double
    /// Linear position scaling factor (1 = none).
    public var ropeScale: Double
    /// YaRN context extension, in place of linear scaling; nil: none.
    public var ropeYaRN: YaRN?
    /// Per-pair divisors of the rotation frequencies: Llama 3.1's long-context scaling, which the GGUF
    /// converter precomputes into the tensor `rope_freqs.weight` (ropeDimensions / 2 values).
    public var ropeFrequencyFactors: [Float]?
    /// Frequency base of sliding-window layers, where it differs (Gemma 3: 10,000).
    public var slidingRopeFrequencyBase: Double?

    /// Multiplies q·k before softmax.
    public var attentionScale: Float
    /// Key positions a sliding-window layer sees: query p attends to keys p−window+1 … p.
    public var slidingWindow: Int?
    /// Per layer: whether it uses the sliding window.
    public var slidingLayers: [Bool]
    /// Embeddings are multiplied by this after lookup (Gemma: sqrt(embeddingLength)).
    public var embeddingScale: Float?
    /// tanh soft-capping of the final logits, when set.
    public var finalLogitSoftcap: Float?
    /// Every block's tensors and steps, as the architecture declares them.
    public var block: BlockRecipe

    /// The experts of every block's feed-forward, when it is a mixture; nil: dense.
    public var experts: Experts? { block.experts }

    public var queryDimension: Int { headCount * headSize }
    public var keyValueDimension: Int { headCountKV * headSize }
    public var valueDimension: Int { headCountKV * valueHeadSize }
}

public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unsupportedArchitecture(String, supported: [String])
    case missingMetadata(String)
    case invalidMetadata(key: String, reason: String)
    case missingTensor(String)
    /// A tensor the architecture does not read, and how many more there are.
    case unexpectedTensor(String, architecture: String, others: Int)
    case tensorShape(name: String, expected: [Int], actual: [Int])
    case unsupportedTensorType(name: String, type: String)
    case contextExceeded(tokens: Int, context: Int)
    case invalidToken(Int32, vocabularySize: Int)

    public var description: String {
        switch self {
        case let .unsupportedArchitecture(name, supported):
            return "unsupported architecture '\(name)' (supported: \(supported.joined(separator: ", ")))"
        case let .missingMetadata(key):
            return "the model file lacks the metadata key '\(key)'"
        case let .invalidMetadata(key, reason):
            return "metadata '\(key)': \(reason)"
        case let .missingTensor(name):
            return "the model file lacks the tensor '\(name)'"
        case let .unexpectedTensor(name, architecture, others):
            let more = others == 0 ? "" : " (and \(others) other\(others == 1 ? "" : "s"))"
            return "the model file holds the tensor '\(name)'\(more), which Hearth's '\(architecture)' does not use; "
                + "running without it would give wrong results"
        case let .tensorShape(name, expected, actual):
            return "tensor '\(name)' has shape \(actual), expected \(expected)"
        case let .unsupportedTensorType(name, type):
            return "tensor '\(name)' uses quant type \(type), which Hearth cannot compute with yet"
        case let .contextExceeded(tokens, context):
            return "\(tokens) tokens do not fit the context of \(context) tokens"
        case let .invalidToken(token, size):
            return "token id \(token) is outside the vocabulary of \(size)"
        }
    }
}

/// Reads typed hyperparameters for one architecture, naming the exact key in every error.
struct MetadataReader {
    let metadata: GGUFMetadata
    let architecture: String

    func key(_ suffix: String) -> String { "\(architecture).\(suffix)" }

    func int(_ suffix: String) throws -> Int {
        let key = key(suffix)
        guard let value = metadata[key] else { throw ModelError.missingMetadata(key) }
        guard let int = value.intValue else {
            throw ModelError.invalidMetadata(key: key, reason: "expected an integer")
        }
        guard int > 0, int < 1 << 24 else {
            throw ModelError.invalidMetadata(key: key, reason: "\(int) is out of range")
        }
        return int
    }

    func int(_ suffix: String, default value: Int) throws -> Int {
        metadata[key(suffix)] == nil ? value : try int(suffix)
    }

    func double(_ suffix: String, default value: Double? = nil) throws -> Double {
        let key = key(suffix)
        guard let raw = metadata[key] else {
            if let value { return value }
            throw ModelError.missingMetadata(key)
        }
        guard let double = raw.doubleValue, double.isFinite else {
            throw ModelError.invalidMetadata(key: key, reason: "expected a finite number")
        }
        return double
    }

    func optionalDouble(_ suffix: String) throws -> Double? {
        metadata[key(suffix)] == nil ? nil : try double(suffix)
    }
}
