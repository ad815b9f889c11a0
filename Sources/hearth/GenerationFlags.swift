import ArgumentParser
import Engine
import Models

/// The sampling and stopping options `run` and `chat` share; defaults are llama.cpp's.
struct GenerationFlags: ParsableArguments {
    @Option(name: .long, help: "Generate at most this many tokens.")
    var maxTokens = 512

    @Option(name: .long, help: "Sampling temperature; 0 is greedy (always the most likely token).")
    var temperature: Float = 0.8

    @Option(name: .long, help: "Keep only the K most likely tokens (0: all).")
    var topK = 40

    @Option(name: .long, help: "Keep the most likely tokens up to this total probability (1: all).")
    var topP: Float = 0.95

    @Option(name: .long, help: "Drop tokens less likely than this fraction of the most likely one (0: none).")
    var minP: Float = 0.05

    @Option(name: .long, help: "Penalise tokens seen in the last --repeat-last-n tokens (1: off).")
    var repeatPenalty: Float = 1

    @Option(name: .long, help: "How many recent tokens the repeat penalty looks at (-1: all).")
    var repeatLastN = 64

    @Option(name: .long, help: "Subtract this from the logit of every token already generated.")
    var presencePenalty: Float = 0

    @Option(name: .long, help: "Subtract this per time a token was already generated.")
    var frequencyPenalty: Float = 0

    @Option(name: .long, help: "Seed of the sampler's random generator (default: a random seed).")
    var seed: UInt64?

    @Option(name: .long, help: "Stop before this text (repeatable); it is not printed.")
    var stop: [String] = []

    func validate() throws {
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be zero or more") }
        do {
            try sampling(seed: 0).validate(vocabularySize: Int(Int32.max))
        } catch let error as SamplingError {
            throw ValidationError(error.description)
        }
        guard stop.allSatisfy({ !$0.isEmpty }) else { throw ValidationError("--stop needs a non-empty string") }
    }

    func sampling(seed chosen: UInt64) -> SamplingParameters {
        SamplingParameters(temperature: temperature, topK: topK, topP: topP, minP: minP,
                           repetitionPenalty: repeatPenalty, presencePenalty: presencePenalty,
                           frequencyPenalty: frequencyPenalty, penaltyWindow: repeatLastN, seed: chosen)
    }

    /// The options for one generation; without --seed each call draws a fresh random seed.
    func options() -> GenerationOptions {
        GenerationOptions(maxTokens: maxTokens, sampling: sampling(seed: seed ?? UInt64.random(in: 0...UInt64.max)), stop: stop)
    }
}

/// Threads and context size, shared by the commands that run a model.
struct ContextFlags: ParsableArguments {
    @Option(name: .long, help: "Threads for the matrix products (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Context size in tokens (default: what the prompt and --max-tokens need, at most the model's; chat: 4096 at most).")
    var ctxSize: Int?

    @Option(name: .long, help: KVCacheType.help)
    var cacheType: KVCacheType = .f32

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let ctxSize, ctxSize < 1 { throw ValidationError("--ctx-size must be at least 1") }
    }
}

extension KVCacheType: ExpressibleByArgument {
    /// The --cache-type help, one text for every command that takes it.
    static let help = ArgumentHelp("How the KV cache stores keys and values: f32 (default, as computed) f16 (half the memory; each key and value rounded to binary16, as llama.cpp stores them by default) or q8_0 (about a quarter; 8-bit blocks of 32 per head, as llama.cpp's q8_0 cache). Memory is taken as positions are written, not for the whole context.")
}
