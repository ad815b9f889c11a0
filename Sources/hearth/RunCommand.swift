import ArgumentParser
import Engine
import Foundation
import Models

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Complete a prompt, streaming only the generated text to standard output."
    )

    @Argument(help: "A GGUF file or a catalog name.")
    var model: String

    @Argument(help: "The text to complete (raw completion: no chat template is applied).")
    var prompt: String

    @Option(name: .long, help: "Generate at most this many tokens.")
    var maxTokens = 128

    @Option(name: .long, help: "Sampling temperature; 0 is greedy (always the most likely token).")
    var temperature: Float = 0.8

    @Option(name: .long, help: "Seed of the sampler's random generator (default: a random seed).")
    var seed: UInt64?

    @Option(name: .long, help: "Threads for the matrix products (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Context size in tokens (default: prompt plus --max-tokens, at most the model's).")
    var ctxSize: Int?

    @Flag(name: .long, help: "Print timings (tokens per second) to standard error at the end.")
    var stats = false

    func validate() throws {
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be zero or more") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be zero or more") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let ctxSize, ctxSize < 1 { throw ValidationError("--ctx-size must be at least 1") }
    }

    func run() throws {
        let loadStart = Date()
        let model = try ModelArgument.load(model)
        let tokenizer = model.tokenizer
        let promptTokens = tokenizer.encode(prompt, addSpecial: true, parseSpecial: false)
        let trained = model.config.contextLength
        let wanted = ctxSize ?? min(trained, promptTokens.count + maxTokens + 1)
        guard wanted <= trained else {
            throw CLIError("--ctx-size \(wanted) exceeds the model's context of \(trained) tokens")
        }
        guard promptTokens.count < wanted else {
            throw CLIError("the prompt is \(promptTokens.count) tokens, which does not fit a context of \(wanted) tokens (the model's is \(trained))")
        }
        let context = model.makeContext(contextLength: wanted, threads: threads ?? defaultThreadCount)
        let generator = Generator(context: context)
        let options = GenerationOptions(maxTokens: maxTokens, temperature: temperature,
                                        seed: seed ?? UInt64.random(in: 0...UInt64.max))
        let loaded = Date()
        var firstToken: Date?
        var count = 0
        let output = FileHandle.standardOutput
        try generator.generate(prompt: promptTokens, options: options) { step in
            if firstToken == nil { firstToken = Date() }
            count += 1
            if !step.text.isEmpty { output.write(Data(step.text.utf8)) }
            return true
        }
        output.write(Data("\n".utf8))
        if stats {
            let end = Date()
            let promptSeconds = (firstToken ?? end).timeIntervalSince(loaded)
            let genSeconds = end.timeIntervalSince(firstToken ?? end)
            status(String(format: "load %.2f s | prompt %d tokens, %.1f tokens/s | generated %d tokens, %.1f tokens/s | %d threads",
                          loaded.timeIntervalSince(loadStart), promptTokens.count,
                          Double(promptTokens.count) / max(promptSeconds, 1e-9),
                          count, Double(max(count - 1, 0)) / max(genSeconds, 1e-9), context.threadCount))
        }
    }
}
