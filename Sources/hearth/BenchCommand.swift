import ArgumentParser
import Engine
import Foundation
import GGUF
import Kernels
import Models
import Store

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure prompt processing and generation speed, in the manner of llama-bench.",
        discussion: """
        ppN evaluates an N-token prompt from an empty context (logits of the last token only); tgN feeds \
        N tokens one at a time from an empty context; with --parallel P > 1, tgNxP generates N tokens \
        for each of P sequences together, one pass per step (as `hearth serve` batches them) and \
        counts all P·N tokens. With --depth D (llama-bench's -d), D tokens are in the cache before \
        each test (evaluated once, not timed), so "tg128 @ d4096" is generation at a long context. \
        With --choices C, mcNxC scores C choices of 4 tokens after an N-token question (each -p value) \
        as the audit does, the question computed once and each choice a short pass, and "mcNxC whole" \
        scores each choice's whole prompt alone, for comparison; their figure is choices/s. \
        With --budget, the read bandwidth of this machine and the int8 peak of its Q8_0 matrix kernel \
        (operands in cache) are measured at each thread count, and each pp test's multiply-adds per \
        second and tg test's bytes read per second are shown as a fraction of them. Each tgNxP test \
        is also set against the longest pp test at the same threads and depth in multiply-adds per \
        second (a generated token multiplies the output matrix too). --cache-type f16 or q8_0 stores \
        the KV cache in binary16 or 8-bit blocks. Token ids are random, valid and seeded. Each test \
        runs once to warm up, then --repetitions times; the table shows the median tokens/s and the \
        sample standard deviation. Load time excludes downloading a catalog model; peak memory is the \
        process's VmHWM (resident pages, memory-mapped weights included).

        Examples:
          hearth bench smollm2-135m-instruct
          hearth bench gemma3-270m --threads 1,2 -p 512 -n 128 --output json
          hearth bench qwen2.5-coder-0.5b-instruct --depth 0,4096 -r 3
          hearth bench smollm2-135m-instruct -p 256 -n 0 --choices 4
          hearth bench gemma3-270m --budget
        """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @Argument(help: "A GGUF file or a catalog name.")
    var model: String

    @Option(name: [.short, .long], help: "Thread counts, comma-separated (default: all cores).")
    var threads: [CountList] = []

    @Option(name: [.customShort("p"), .customLong("prompt-tokens")], help: "Prompt lengths to process, comma-separated; 0 skips.")
    var promptTokens: [CountList] = [CountList(values: [512])]

    @Option(name: [.customShort("n"), .customLong("gen-tokens")], help: "Tokens to generate, comma-separated; 0 skips.")
    var genTokens: [CountList] = [CountList(values: [128])]

    @Option(name: .long, help: "Sequences generating together in the tg tests, comma-separated (default: 1).")
    var parallel: [CountList] = [CountList(values: [1])]

    @Option(name: .long, help: "Choices per question in multiple-choice scoring tests (mcNxC), comma-separated (default: none).")
    var choices: [CountList] = []

    @Option(name: [.short, .long], help: "Tokens already in the cache before each test, comma-separated (default: 0).")
    var depth: [CountList] = [CountList(values: [0])]

    @Option(name: [.short, .long], help: "Measured runs of each test, after one warm-up run.")
    var repetitions = 5

    @Option(name: [.short, .long], help: "Prompt tokens per forward pass (default: the engine's).")
    var batchSize: Int?

    @Option(name: .long, help: "Seed of the random token ids.")
    var seed: UInt64 = 1234

    @Option(name: .long, help: KVCacheType.help)
    var cacheType: KVCacheType = .f32

    @Flag(name: .long, help: "Also measure this machine's read bandwidth and int8 matrix peak, and set each test against them.")
    var budget = false

    @Flag(name: .long, help: "Skip the warm-up run before each test.")
    var noWarmup = false

    @Option(name: [.short, .long], help: "table or json (one JSON array of objects).")
    var output: OutputFormat = .table

    /// More threads than this is a typo, not a benchmark; each one is an OS thread with its own stack.
    static let maximumThreads = 1024

    private var threadCounts: [Int] {
        let values = threads.flatMap(\.values)
        return values.isEmpty ? [defaultThreadCount] : values
    }

    private var tests: [BenchmarkTest] {
        depth.flatMap(\.values).flatMap { depth in
            promptTokens.flatMap(\.values).filter { $0 > 0 }.map { BenchmarkTest(.promptProcessing, tokens: $0, depth: depth) }
                + genTokens.flatMap(\.values).filter { $0 > 0 }.flatMap { tokens in
                    parallel.flatMap(\.values).map { BenchmarkTest(.generation, tokens: tokens, sequences: $0, depth: depth) }
                }
        }
    }

    /// Multiple-choice tests: for each question length (-p) and choice count, shared and whole.
    private var choiceTests: [ChoiceBenchmark] {
        promptTokens.flatMap(\.values).filter { $0 > 0 }.flatMap { question in
            choices.flatMap(\.values).flatMap { count in
                [true, false].map { ChoiceBenchmark(questionTokens: question, choices: count, shared: $0) }
            }
        }
    }

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        guard threadCounts.allSatisfy({ (1...Self.maximumThreads).contains($0) }) else {
            throw ValidationError("--threads must be from 1 to \(Self.maximumThreads)")
        }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        guard parallel.flatMap(\.values).allSatisfy({ (1...1024).contains($0) }) else {
            throw ValidationError("--parallel must be from 1 to 1024")
        }
        guard choices.flatMap(\.values).allSatisfy({ (1...256).contains($0) }) else {
            throw ValidationError("--choices must be from 1 to 256")
        }
        guard !tests.isEmpty else { throw ValidationError("nothing to measure: -p and -n are both 0") }
    }

    func run() throws {
        let resolved: ModelStore.Resolved = try ModelArgument.resolve(model)
        let url = resolved.url
        let clock = ContinuousClock()
        let loadStart = clock.now
        let languageModel = try LanguageModel(file: GGUFFile(urls: resolved.urls), url: url)
        let loadSeconds = Self.seconds(clock.now - loadStart)
        let trained = languageModel.config.contextLength
        let needs = tests.map { ($0.name, $0.contextLength) } + choiceTests.map { ($0.name, $0.contextLength) }
        if let longest = needs.max(by: { $0.1 < $1.1 }), longest.1 > trained {
            throw CLIError("\(longest.0) needs \(longest.1) positions, more than the model's context of \(trained) tokens")
        }

        var rows: [(test: BenchmarkTest, threads: Int, samples: [Double])] = []
        var choiceRows: [(test: ChoiceBenchmark, threads: Int, samples: [Double])] = []
        for threadCount in threadCounts {
            for test in tests {
                status("\(test.name), \(threadCount) thread\(threadCount == 1 ? "" : "s") …")
                let samples = try test.run(model: languageModel, threads: threadCount, batchSize: batchSize,
                                           repetitions: repetitions, warmUp: !noWarmup, seed: seed, cacheType: cacheType)
                rows.append((test, threadCount, samples))
            }
            for test in choiceTests {
                status("\(test.name), \(threadCount) thread\(threadCount == 1 ? "" : "s") …")
                let samples = try test.run(model: languageModel, threads: threadCount, batchSize: batchSize,
                                           repetitions: repetitions, warmUp: !noWarmup, seed: seed, cacheType: cacheType)
                choiceRows.append((test, threadCount, samples))
            }
        }
        let peakMiB = ProcessMemory.peakResidentBytes().map { Double($0) / 1_048_576 }
        var ceilings: [Int: (bandwidth: Double, peak: Double)] = [:]
        if budget {
            for threadCount in threadCounts {
                status("ceilings, \(threadCount) thread\(threadCount == 1 ? "" : "s") …")
                ceilings[threadCount] = (MachineCeilings.readBandwidth(threads: threadCount),
                                         try MachineCeilings.matrixPeak(threads: threadCount))
            }
        }
        let costs = ModelBudget(model: languageModel)
        let parameters = languageModel.file.tensors.reduce(0) { $0 + $1.elementCount }
        /// A row's record with the fields every test shares; `perSecond` says which figure the median is.
        func record(test: String, promptTokens: Int, generatedTokens: Int, depth: Int, sequences: Int, threads: Int,
                    samples: [Double], perSecond: WritableKeyPath<BenchRecord, Double?>) -> BenchRecord {
            let summary = SampleSummary(samples)
            var record = BenchRecord(
                model: model, modelFile: url.path, modelBytes: languageModel.file.fileSize, parameters: parameters,
                test: test, promptTokens: promptTokens, generatedTokens: generatedTokens, depth: depth, sequences: sequences,
                threads: threads, batchSize: batchSize, cacheType: cacheType.rawValue, repetitions: repetitions, samples: samples,
                tokensPerSecond: nil, mean: summary?.mean, stddev: summary?.standardDeviation,
                loadSeconds: loadSeconds, peakRSSMiB: peakMiB)
            record[keyPath: perSecond] = summary?.median
            return record
        }

        var records = rows.map { row in
            var record = record(test: row.test.name, promptTokens: row.test.kind == .promptProcessing ? row.test.tokenCount : 0,
                                generatedTokens: row.test.kind == .generation ? row.test.tokenCount : 0, depth: row.test.depth,
                                sequences: row.test.sequences, threads: row.threads, samples: row.samples, perSecond: \.tokensPerSecond)
            if let ceiling = ceilings[row.threads], let perSecond = record.tokensPerSecond {
                let test = row.test
                switch test.kind {
                case .promptProcessing:
                    record.budget = .init(unit: "multiply-adds", perToken: costs.multiplyAddsPerPromptToken(test.tokenCount, depth: test.depth),
                                          tokensPerSecond: perSecond, ceiling: ceiling.peak)
                case .generation:
                    let context = Double(test.depth) + Double(test.tokenCount + 1) / 2
                    record.budget = .init(unit: "bytes", perToken: costs.bytesPerGeneratedToken(context: context, sequences: test.sequences,
                                                                                            cacheType: cacheType),
                                          tokensPerSecond: perSecond, ceiling: ceiling.bandwidth)
                }
            }
            return record
        } + choiceRows.map { row in
            var record = record(test: row.test.name, promptTokens: row.test.questionTokens, generatedTokens: 0, depth: 0,
                                sequences: row.test.choices, threads: row.threads, samples: row.samples, perSecond: \.choicesPerSecond)
            record.choices = row.test.choices
            record.choiceTokens = row.test.choiceTokens
            return record
        }
        records = Self.settingBatchedDecodingAgainstPrefill(records, costs: costs)
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(records) + Data("\n".utf8))
        case .table:
            print(Self.table(records, fileName: resolved.fileName))
            if budget { print("\n" + Self.budgetTable(records)) }
            if records.contains(where: { $0.againstPrefill != nil }) { print("\n" + Self.againstPrefillTable(records)) }
        }
    }

    static func table(_ records: [BenchRecord], fileName: String) -> String {
        guard let first = records.first else { return "" }
        var lines = [
            "model \(first.model) (\(fileName), \(Show.bytes(first.modelBytes)), \(Show.count(first.parameters)) parameters)",
            String(format: "load %.3f s | ", first.loadSeconds)
                + "peak RSS " + (first.peakRSSMiB.map { String(format: "%.1f MiB", $0) } ?? "unknown")
                + " | KV cache \(first.cacheType) | \(first.repetitions) repetitions: median tokens/s ± sample standard deviation",
            "",
        ]
        let width = max(9, records.map(\.test.count).max() ?? 0)
        lines.append("| threads | " + String(repeating: " ", count: width - 4) + "test |        t/s |      ± |")
        lines.append("| ------: | " + String(repeating: "-", count: width - 1) + ": | ---------: | -----: |")
        for record in records {
            let test = String(repeating: " ", count: max(0, width - record.test.count)) + record.test
            lines.append(String(format: "| %7d | ", record.threads) + test
                + String(format: " | %10.2f | %6.2f |", record.tokensPerSecond ?? record.choicesPerSecond ?? .nan, record.stddev ?? .nan))
        }
        if records.contains(where: { $0.choices != nil }) {
            lines.append("")
            lines.append("mc rows: choices scored per second, not tokens")
        }
        return lines.joined(separator: "\n")
    }

    static func budgetTable(_ records: [BenchRecord]) -> String {
        var lines = [
            "Budget: pp against the Q8_0 matrix kernel's int8 peak (operands in cache), tg against the read bandwidth",
            "(both measured now); work per token counted from the weights as stored, and the KV cache as stored.",
            "",
            "| threads |          test |   per token |      achieved |       ceiling | fraction |",
            "| ------: | ------------: | ----------: | ------------: | ------------: | -------: |",
        ]
        for record in records {
            guard let budget = record.budget else { continue }
            let bytes = budget.unit == "bytes"
            func amount(_ value: Double, perSecond: Bool) -> String {
                bytes ? String(format: "%.1f %@", value / 1e6 / (perSecond ? 1e3 : 1), perSecond ? "GB/s" : "MB")
                    : String(format: "%.2f %@", value / 1e9, perSecond ? "GMAC/s" : "GMAC")
            }
            let test = String(repeating: " ", count: max(0, 13 - record.test.count)) + record.test
            lines.append(String(format: "| %7d | ", record.threads) + test + " | "
                + amount(budget.perToken, perSecond: false).leftPadded(11) + " | "
                + amount(budget.achieved, perSecond: true).leftPadded(13) + " | "
                + amount(budget.ceiling, perSecond: true).leftPadded(13) + " | "
                + String(format: "%7.1f%%", 100 * budget.fraction) + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// Each batched generation test (tgNxP, P > 1) set against the longest pp test at the same
    /// threads and depth, in multiply-adds per second: how near decoding P sequences together comes
    /// to prefill's rate, the work per token counted from the weights (`ModelBudget`).
    static func settingBatchedDecodingAgainstPrefill(_ records: [BenchRecord], costs: ModelBudget) -> [BenchRecord] {
        records.map { record in
            guard record.sequences > 1, record.generatedTokens > 0, let perSecond = record.tokensPerSecond,
                  let prefill = records.filter({ $0.promptTokens > 0 && $0.choices == nil && $0.threads == record.threads && $0.depth == record.depth })
                      .max(by: { $0.promptTokens < $1.promptTokens }),
                  let prefillPerSecond = prefill.tokensPerSecond else { return record }
            var record = record
            let context = Double(record.depth) + Double(record.generatedTokens + 1) / 2
            let decode = costs.multiplyAddsPerGeneratedToken(context: context) * perSecond
            let prompt = costs.multiplyAddsPerPromptToken(prefill.promptTokens, depth: prefill.depth) * prefillPerSecond
            record.againstPrefill = .init(prefillTest: prefill.test, multiplyAddsPerSecond: decode,
                                          prefillMultiplyAddsPerSecond: prompt, ratio: prompt > 0 ? decode / prompt : .nan)
            return record
        }
    }

    static func againstPrefillTable(_ records: [BenchRecord]) -> String {
        var lines = [
            "Batched decoding against prefill, in multiply-adds per second (a generated token also multiplies",
            "the output matrix; a prompt token but the last does not). Work counted from the weights as stored.",
            "",
            "| threads |          test | decode GMAC/s | prefill test | prefill GMAC/s |  ratio |",
            "| ------: | ------------: | ------------: | -----------: | -------------: | -----: |",
        ]
        for record in records {
            guard let against = record.againstPrefill else { continue }
            lines.append(String(format: "| %7d | ", record.threads) + record.test.leftPadded(13) + " | "
                + String(format: "%.2f", against.multiplyAddsPerSecond / 1e9).leftPadded(13) + " | "
                + against.prefillTest.leftPadded(12) + " | "
                + String(format: "%.2f", against.prefillMultiplyAddsPerSecond / 1e9).leftPadded(14) + " | "
                + String(format: "%5.0f%%", 100 * against.ratio) + " |")
        }
        return lines.joined(separator: "\n")
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

/// One row of `hearth bench --output json`; keys in snake_case as llama-bench's JSON has them.
struct BenchRecord: Encodable {
    var model: String
    var modelFile: String
    var modelBytes: Int
    var parameters: Int
    var test: String
    var promptTokens: Int
    var generatedTokens: Int
    /// Tokens in the cache before the test's own.
    var depth: Int
    /// Sequences generating together (tgNxP); for mcNxC, the choices.
    var sequences: Int
    /// mcNxC: choices per question and tokens per choice; nil for the other tests.
    var choices: Int? = nil
    var choiceTokens: Int? = nil
    var threads: Int
    var batchSize: Int?
    /// How the KV cache stores keys and values (llama-bench's type_k and type_v, here one type).
    var cacheType: String
    var repetitions: Int
    /// Tokens/s of each repetition, in the order they ran.
    var samples: [Double]
    /// The median of the samples (tokens/s; nil for mcNxC).
    var tokensPerSecond: Double?
    /// mcNxC: the median choices scored per second.
    var choicesPerSecond: Double? = nil
    var mean: Double?
    var stddev: Double?
    var loadSeconds: Double
    var peakRSSMiB: Double?
    /// With --budget: the test set against this machine's ceiling.
    var budget: Budget? = nil
    /// tgNxP with P > 1, where a pp test ran at the same threads and depth: both rates in
    /// multiply-adds per second.
    var againstPrefill: AgainstPrefill? = nil

    struct AgainstPrefill: Encodable {
        var prefillTest: String
        var multiplyAddsPerSecond: Double
        var prefillMultiplyAddsPerSecond: Double
        var ratio: Double

        enum CodingKeys: String, CodingKey {
            case ratio
            case prefillTest = "prefill_test", multiplyAddsPerSecond = "multiply_adds_per_second"
            case prefillMultiplyAddsPerSecond = "prefill_multiply_adds_per_second"
        }
    }

    struct Budget: Encodable {
        /// "multiply-adds" (pp, against the int8 matrix peak) or "bytes" (tg, against the read bandwidth).
        var unit: String
        var perToken: Double
        var achieved: Double
        var ceiling: Double
        var fraction: Double

        init(unit: String, perToken: Double, tokensPerSecond: Double, ceiling: Double) {
            self.unit = unit
            self.perToken = perToken
            achieved = perToken * tokensPerSecond
            self.ceiling = ceiling
            fraction = ceiling > 0 ? achieved / ceiling : .nan
        }

        enum CodingKeys: String, CodingKey {
            case unit, achieved, ceiling, fraction
            case perToken = "per_token"
        }
    }

    enum CodingKeys: String, CodingKey {
        case model, test, threads, repetitions, samples, mean, stddev, parameters, sequences
        case modelFile = "model_file", modelBytes = "model_size_bytes"
        case promptTokens = "n_prompt", generatedTokens = "n_gen", depth = "n_depth", batchSize = "batch_size"
        case choices = "n_choices", choiceTokens = "n_choice_tokens", choicesPerSecond = "choices_per_second"
        case budget, againstPrefill = "against_prefill", cacheType = "type_kv"
        case tokensPerSecond = "tokens_per_second", loadSeconds = "load_seconds", peakRSSMiB = "peak_rss_mib"
    }
}

/// A comma-separated list of counts: `--threads 1,2`.
struct CountList: ExpressibleByArgument {
    var values: [Int]

    init(values: [Int]) { self.values = values }

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        let parsed = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parsed.count == parts.count, parsed.allSatisfy({ $0 >= 0 }) else { return nil }
        values = parsed
    }

    var defaultValueDescription: String { values.map(String.init).joined(separator: ",") }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
