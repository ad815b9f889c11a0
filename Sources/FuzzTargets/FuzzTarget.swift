import Foundation

/// Hearth's fuzz targets: each takes arbitrary bytes and drives one parser or decoder that reads
/// input from outside (a downloaded model file, a chat template inside it, a prompt, a request body).
///
/// A target returns normally whether or not its input was valid: refusing bad input with an error
/// is the expected outcome. It traps (`fatalError`) only when an invariant fails — an error of a
/// kind the caller is not prepared for, or a result that contradicts another component — so that
/// libFuzzer records the input, as it does for crashes, hangs, leaks and oversized allocations.
///
/// The same functions run in two places: under libFuzzer with coverage and the address sanitizer
/// (the `Fuzz` package, `scripts/fuzz.sh`), and in the ordinary test suite, which replays every
/// committed seed and every input that once failed (`Fuzz/corpus`, `Fuzz/regressions`).
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The GGUF reader, then model loading (configuration, tokenizer, tensor table and shapes) and
    /// one forward step when the file loads.
    case gguf
    /// A model's tokenizer: encoding arbitrary bytes, decoding arbitrary ids.
    case tokenizer
    /// The chat-template lexer, parser and interpreter.
    case template
    /// The JSON parser, and printing what it parsed.
    case json
    /// The JSON-schema compiler and the byte automaton built from it, checked against the validator.
    case schema
    /// The server's decoding of `/v1/completions` and `/v1/chat/completions` request bodies.
    case request

    /// Runs one input. The tokenizer target needs a tokenizer: `tokenizer` is used when given,
    /// else the one of the GGUF file named by the environment variable `HEARTH_FUZZ_MODEL`.
    public func run(_ input: UnsafeRawBufferPointer) {
        switch self {
        case .gguf: GGUFFuzzing.run(input)
        case .tokenizer: TokenizerFuzzing.run(input, tokenizer: TokenizerFuzzing.environmentTokenizer)
        case .template: TemplateFuzzing.run(input)
        case .json: JSONFuzzing.run(input)
        case .schema: SchemaFuzzing.run(input)
        case .request: RequestFuzzing.run(input)
        }
    }

    public func run(_ input: [UInt8]) {
        input.withUnsafeBytes { run($0) }
    }
}

/// A failed invariant: the input is kept by libFuzzer (or fails the replaying test) with this message.
func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("fuzz invariant failed: \(message())") }
}

/// A small deterministic generator for the mutator (libFuzzer hands it a seed per call).
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(next() % UInt64(bound)) }
}
