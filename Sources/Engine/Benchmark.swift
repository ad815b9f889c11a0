import Foundation
import Models

/// One throughput test in the manner of llama-bench: `pp512` processes a 512-token prompt from an
/// empty context as one call (logits of the last token only); `tg128` starts from an empty context and
/// feeds 128 tokens one at a time, each a full forward pass with its logits, as generation does.
///
/// With a depth D (llama-bench's `-d`), D tokens are already in the cache when the test starts, so
/// it measures the same work at a long context: `pp512 @ d4096` appends a 512-token prompt to 4,096
/// cached tokens, `tg128 @ d4096` generates 128 tokens after them.
///
/// Token ids are random but valid and seeded, as llama-bench's are (it calls `std::rand()`): speed
/// does not depend on which ids are fed, and no tokenizer or sampler time is counted.
public struct BenchmarkTest: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case promptProcessing
        case generation
    }

    public let kind: Kind
    /// Tokens per repetition: the prompt length, or the number of generated tokens.
    public let tokenCount: Int
    /// Sequences generating together, one token each per forward pass (as a server's continuous
    /// batch does); tokens/s then counts every sequence's tokens.
    public let sequences: Int
    /// Tokens in each sequence's cache before the test's own (not timed).
    public let depth: Int

    public init(_ kind: Kind, tokens: Int, sequences: Int = 1, depth: Int = 0) {
        self.kind = kind
        tokenCount = tokens
        self.sequences = kind == .generation ? max(1, sequences) : 1
        self.depth = max(0, depth)
    }

    /// llama-bench's name for the test: "pp512", "tg128", "tg128 @ d4096"; "tg128x4" for 4 sequences
    /// together.
    public var name: String {
        let base: String
        switch kind {
        case .promptProcessing: base = "pp\(tokenCount)"
        case .generation: base = "tg\(tokenCount)" + (sequences > 1 ? "x\(sequences)" : "")
        }
        return depth > 0 ? base + " @ d\(depth)" : base
    }

    /// Positions each sequence needs: the depth and the test's tokens.
    public var contextLength: Int { depth + tokenCount }

    /// Runs the test `repetitions` times on a fresh context of its own and returns tokens/s of each.
    ///
    /// As llama-bench does, a warm-up run comes first and is not counted: a whole prompt for `pp`
    /// (it also pages the memory-mapped weights in), a single token for `tg`. The context is emptied
    /// back to the depth before every repetition, so each one starts at the same position. The depth's
    /// tokens are evaluated once, untimed; truncating to them is exact (later positions never change
    /// earlier ones), so every repetition sees the cache llama-bench's fresh prefill would give it.
    /// `batchSize` nil keeps the engine's default chunk of prompt tokens.
    public func run(model: LanguageModel, threads: Int, batchSize: Int? = nil, repetitions: Int,
                    warmUp: Bool = true, seed: UInt64, cacheType: KVCacheType = .f32) throws -> [Double] {
        precondition(tokenCount > 0 && repetitions > 0 && threads > 0, "a test needs tokens, repetitions and threads")
        if sequences > 1 {
            return try runTogether(model: model, threads: threads, repetitions: repetitions, warmUp: warmUp, seed: seed,
                                   cacheType: cacheType)
        }
        // A chunk longer than the longest prompt would only allocate scratch space that is never used.
        let longestPrompt = max(depth, kind == .promptProcessing ? tokenCount : 1)
        let context = batchSize.map {
            model.makeContext(contextLength: contextLength, threads: threads, batchSize: min($0, longestPrompt), cacheType: cacheType)
        } ?? model.makeContext(contextLength: contextLength, threads: threads, cacheType: cacheType)
        var tokens = BenchmarkTokens(vocabularySize: min(model.config.vocabularySize, model.tokenizer.vocabularySize),
                                     beginning: model.tokenizer.addsBOS ? model.tokenizer.bosToken : nil,
                                     seed: seed)
        if depth > 0 {
            context.reset()
            _ = try context.evaluate(tokens.sequence(count: depth))
        }
        if warmUp {
            _ = try measure(context, tokens: &tokens, count: kind == .generation ? 1 : tokenCount)
        }
        return try (0..<repetitions).map { _ in
            Double(tokenCount) / (try measure(context, tokens: &tokens, count: tokenCount))
        }
    }

    /// `tgN` for several sequences in one `BatchedContext`: each pass feeds one token of every
    /// sequence (with its logits), all from empty caches.
    private func runTogether(model: LanguageModel, threads: Int, repetitions: Int, warmUp: Bool,
                             seed: UInt64, cacheType: KVCacheType) throws -> [Double] {
        let context = BatchedContext(model: model, sequences: sequences, contextLength: contextLength, threads: threads,
                                     batchSize: depth > 0 ? max(sequences, min(depth, 512)) : sequences, cacheType: cacheType)
        var tokens = BenchmarkTokens(vocabularySize: min(model.config.vocabularySize, model.tokenizer.vocabularySize),
                                     beginning: model.tokenizer.addsBOS ? model.tokenizer.bosToken : nil,
                                     seed: seed)
        if depth > 0 {
            // Each sequence its own depth tokens, in shared passes.
            _ = try context.evaluate((0..<sequences).map {
                .init(sequence: $0, tokens: tokens.sequence(count: depth), logits: .none)
            })
        }
        func measure(count: Int) throws -> Double {
            for sequence in 0..<sequences { context.truncate(sequence: sequence, to: depth) }
            let ids = (0..<sequences).map { _ in depth > 0 ? tokens.continuation(count: count) : tokens.sequence(count: count) }
            let clock = ContinuousClock()
            let start = clock.now
            for step in 0..<count {
                try context.evaluate((0..<sequences).map { .init(sequence: $0, tokens: [ids[$0][step]], logits: .last) })
            }
            return (clock.now - start).seconds
        }
        if warmUp { _ = try measure(count: 1) }
        return try (0..<repetitions).map { _ in Double(tokenCount * sequences) / (try measure(count: tokenCount)) }
    }

    /// Seconds that `count` tokens take after the depth's.
    private func measure(_ context: InferenceContext, tokens: inout BenchmarkTokens, count: Int) throws -> Double {
        context.truncate(to: depth)
        let ids = depth > 0 ? tokens.continuation(count: count) : tokens.sequence(count: count)
        let clock = ContinuousClock()
        let start = clock.now
        switch kind {
        case .promptProcessing:
            try context.evaluate(ids)
        case .generation:
            for id in ids { try context.evaluate([id]) }
        }
        return (clock.now - start).seconds
    }
}

/// Seeded, valid token ids for benchmarks. A sequence begins with the beginning-of-sequence token when
/// the model adds one (as llama-bench's prompts and generations do); the rest are uniform over the
/// vocabulary.
public struct BenchmarkTokens: Sendable {
    private var generator: SeededGenerator
    public let vocabularySize: Int
    public let beginning: Int32?

    public init(vocabularySize: Int, beginning: Int32?, seed: UInt64) {
        precondition(vocabularySize > 0 && vocabularySize <= Int(Int32.max), "vocabulary size out of range")
        generator = SeededGenerator(seed: seed)
        self.vocabularySize = vocabularySize
        self.beginning = beginning
    }

    public mutating func random() -> Int32 {
        Int32(truncatingIfNeeded: Int.random(in: 0..<vocabularySize, using: &generator))
    }

    public mutating func sequence(count: Int) -> [Int32] {
        (0..<max(0, count)).map { index in
            if index == 0, let beginning { return beginning }
            return random()
        }
    }

    /// Ids that follow tokens already in the cache: no beginning-of-sequence token (as llama-bench's
    /// tests after a depth).
    public mutating func continuation(count: Int) -> [Int32] {
        (0..<max(0, count)).map { _ in random() }
    }
}

/// Median and spread of repeated measurements.
public struct SampleSummary: Sendable, Equatable {
    public let count: Int
    public let median: Double
    public let mean: Double
    /// Sample standard deviation (divided by n - 1, as llama-bench's); 0 for a single sample.
    public let standardDeviation: Double
    public let minimum: Double
    public let maximum: Double

    /// Nil for no samples or any that is not finite.
    public init?(_ samples: [Double]) {
        guard !samples.isEmpty, samples.allSatisfy(\.isFinite) else { return nil }
        let sorted = samples.sorted()
        let n = sorted.count
        count = n
        median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        let average = sorted.reduce(0, +) / Double(n)
        mean = average
        // Two passes: the one-pass formula llama-bench uses loses digits when the spread is small.
        let squares = sorted.reduce(0) { $0 + ($1 - average) * ($1 - average) }
        standardDeviation = n > 1 ? (squares / Double(n - 1)).squareRoot() : 0
        minimum = sorted[0]
        maximum = sorted[n - 1]
    }
}

/// This process's memory as the Linux kernel counts it in /proc/self/status.
public enum ProcessMemory {
    /// Peak resident set size (VmHWM) in bytes: anonymous memory plus the pages of memory-mapped files
    /// that were resident, the figure llama.cpp's weights are measured by too. Nil where /proc is absent.
    public static func peakResidentBytes() -> Int? {
        statusBytes("VmHWM")
    }

    /// Current resident set size (VmRSS) in bytes.
    public static func residentBytes() -> Int? {
        statusBytes("VmRSS")
    }

    private static func statusBytes(_ field: String) -> Int? {
        // procfs files report a size of 0, so read to the end rather than by the size.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/status") else { return nil }
        defer { try? handle.close() }
        return bytes(of: field, inStatus: String(decoding: handle.readDataToEndOfFile(), as: UTF8.self))
    }

    /// Parses a "Field:   1234 kB" line of a /proc status text into bytes.
    public static func bytes(of field: String, inStatus text: String) -> Int? {
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            guard parts.count >= 2, parts[0] == field else { continue }
            guard let value = Int(parts[1]), value >= 0 else { return nil }
            let unit = parts.count >= 3 ? parts[2].lowercased() : "b"
            let scale: Int
            switch unit {
            case "kb": scale = 1024
            case "mb": scale = 1024 * 1024
            case "b": scale = 1
            default: return nil
            }
            let (product, overflow) = value.multipliedReportingOverflow(by: scale)
            return overflow ? nil : product
        }
        return nil
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
