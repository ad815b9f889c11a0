import Foundation
import Kernels

/// Several sequences, each with its own KV cache, advanced together: one forward pass carries the
/// new tokens of every sequence that has any (continuous batching). A sequence's results do not
/// depend on what else is in the pass (see ForwardPass), so it computes exactly what it would in an
/// `InferenceContext` of its own.
/// Not thread-safe: used from one thread at a time; its thread pool does the parallel work.
public final class BatchedContext {
    public var model: LanguageModel { forward.model }
    /// Positions each sequence can hold.
    public let contextLength: Int
    /// Rows per forward pass; larger steps are split into several passes.
    public var batchSize: Int { forward.batchSize }
    public var threadCount: Int { forward.pool.threadCount }
    public var sequenceCount: Int { caches.count }

    private let forward: ForwardPass
    private let caches: [KVCache]

    /// What one sequence feeds in a step, and which of its logits come back.
    public struct Input {
        public enum Logits: Sendable, Equatable {
            case none
            /// The last token's (to choose the next token).
            case last
            /// Every token's (to score a prompt).
            case all
            /// The tokens' at these indices of the input (to score part of a prompt).
            case rows(Range<Int>)
        }

        public var sequence: Int
        public var tokens: [Int32]
        public var logits: Logits

        public init(sequence: Int, tokens: [Int32], logits: Logits) {
            self.sequence = sequence
            self.tokens = tokens
            self.logits = logits
        }
    }

    /// How the KV caches store keys and values.
    public let cacheType: KVCacheType

    public init(model: LanguageModel, sequences: Int, contextLength: Int, threads: Int = 1, batchSize: Int = 64,
                cacheType: KVCacheType = .f32) {
        self.contextLength = max(1, contextLength)
        self.cacheType = cacheType
        forward = ForwardPass(model: model, threads: threads, batchSize: batchSize)
        caches = (0..<max(1, sequences)).map { _ in KVCache(config: model.config, contextLength: max(1, contextLength), type: cacheType) }
    }

    /// `sequence`'s cache (for tests).
    func cache(_ sequence: Int) -> KVCache { caches[sequence] }

    /// Positions of `sequence` that hold keys and values; its next token goes here.
    public func position(of sequence: Int) -> Int { caches[sequence].position }

    /// Drops `sequence`'s positions from `position` on (0 forgets it).
    public func truncate(sequence: Int, to position: Int) {
        caches[sequence].truncate(to: position)
    }

    /// Bytes of memory the sequences' KV caches hold now: pages are backed as positions are written
    /// and handed back when a sequence is truncated, and a prefix snapshot that several sequences
    /// map is counted once. Safe to read from any thread (it asks the operating system, and
    /// changes nothing).
    public var residentCacheBytes: Int {
        var total = 0
        var counted = Set<ObjectIdentifier>()
        for cache in caches {
            let (own, snapshot) = cache.residentBytes
            total += own
            if let snapshot, counted.insert(ObjectIdentifier(snapshot)).inserted { total += snapshot.byteCount }
        }
        return total
    }

    /// Makes `sequence` hold the first `length` positions of `source` (a prompt prefix they share),
    /// so it need not compute them again. The copy is exact: what follows computes as it would
    /// have after computing the prefix itself. Positions below `keeping` that `sequence` holds
    /// are taken to be equal to `source`'s already (the same tokens) and are not copied again.
    ///
    /// The whole pages of the prefix are not copied but shared: a snapshot of them is taken once
    /// (`PrefixSnapshot`) and mapped copy-on-write by every sequence that starts with them,
    /// `source` included, so a system prompt or a question under its choices occupies memory once;
    /// the rest of the last page is copied.
    public func copyPrefix(from source: Int, to sequence: Int, length: Int, keeping: Int = 0) {
        guard source != sequence else { return truncate(sequence: sequence, to: length) }
        let (from, to) = (caches[source], caches[sequence])
        let length = min(length, from.position)
        if let snapshot = prefixSnapshot(of: from, length: length), to.share(snapshot) {
            to.copy(from: from, positions: min(snapshot.positions, length)..<length)
            return
        }
        to.copy(from: from, positions: min(keeping, to.position, length)..<length)
    }

    /// The snapshot to map for the first `length` positions of `source`: the one its positions
    /// still match, when that holds at least half of what a new one would (the rest is copied: a
    /// request that shares a system prompt and then a few words more should not take a second
    /// snapshot of the system prompt); else a new one, which `source` records. Nil when the prefix
    /// fills no whole page, or memory files cannot be had.
    private func prefixSnapshot(of source: KVCache, length: Int) -> PrefixSnapshot? {
        let wanted = PrefixSnapshot.positions(length, of: source)
        guard wanted > 0 else { return nil }
        if let existing = source.intactSnapshot, 2 * existing.positions >= wanted { return existing }
        guard let fresh = PrefixSnapshot(of: source, positions: length) else { return nil }
        source.adopt(fresh)
        return fresh
    }

    /// Feeds every input's tokens after its sequence's cached positions, all in shared passes, and
    /// returns each input's logits (`.none`: empty; `.last`: vocabulary; `.all`: tokens × vocabulary;
    /// `.rows(r)`: the rows of r within the tokens × vocabulary).
    /// Throws, computing nothing, when an input names a sequence twice or out of range, does not
    /// fit the context, or holds a token outside the vocabulary.
    @discardableResult
    public func evaluate(_ inputs: [Input]) throws -> [[Float]] {
        var seen = Set<Int>()
        for input in inputs {
            guard caches.indices.contains(input.sequence), seen.insert(input.sequence).inserted else {
                throw BatchError.invalidSequence(input.sequence, sequences: caches.count)
            }
            try model.config.validate(input.tokens, at: caches[input.sequence].position, contextLength: contextLength)
        }
        var rows = ForwardRows()
        for input in inputs {
            let cache = caches[input.sequence]
            for (i, token) in input.tokens.enumerated() {
                let wanted: Bool
                switch input.logits {
                case .none: wanted = false
                case .last: wanted = i == input.tokens.count - 1
                case .all: wanted = true
                case .rows(let range): wanted = range.contains(i)
                }
                rows.append(token, at: cache.position + i, in: cache, logits: wanted)
            }
        }
        let vocabulary = model.config.vocabularySize
        let counts = inputs.map { input in
            switch input.logits {
            case .none: 0
            case .last: input.tokens.isEmpty ? 0 : 1
            case .all: input.tokens.count
            case .rows(let range): range.clamped(to: 0..<input.tokens.count).count
            }
        }
        // Each input's rows go straight into its own array: one vocabulary-sized write per row,
        // no copy out of a shared array (16 MB a step for 16 sequences at Gemma 3's vocabulary).
        return Self.arrays(counts: counts.map { $0 * vocabulary }) { bases in
            var outputs: [UnsafeMutablePointer<Float>] = []
            for (base, count) in zip(bases, counts) {
                for row in 0..<count { outputs.append(base! + row * vocabulary) }
            }
            forward.evaluate(rows, into: outputs)
        }
    }

    /// Arrays of `counts` floats, filled by one call of `fill` with each one's (uninitialized)
    /// storage, nil where a count is 0. `fill` must write every element. Each array is made inside
    /// the previous one's initializer, so that all of the storage is live while `fill` runs.
    private static func arrays(counts: [Int], fill: ([UnsafeMutablePointer<Float>?]) -> Void) -> [[Float]] {
        var arrays: [[Float]] = []
        var bases: [UnsafeMutablePointer<Float>?] = []
        func make(_ i: Int) {
            guard i < counts.count else { return fill(bases) }
            let array = [Float](unsafeUninitializedCapacity: counts[i]) { buffer, initialized in
                bases.append(counts[i] > 0 ? buffer.baseAddress : nil)
                make(i + 1)
                initialized = counts[i]
            }
            arrays.insert(array, at: 0)
        }
        make(0)
        return arrays
    }

    /// Runs `body(i)` for i in 0..<count on the context's threads (per-sequence work between
    /// passes, such as sampling).
    public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        forward.pool.parallelFor(count, body)
    }
}

public enum BatchError: Error, CustomStringConvertible, Equatable {
    case invalidSequence(Int, sequences: Int)

    public var description: String {
        switch self {
        case let .invalidSequence(sequence, sequences):
            return "sequence \(sequence) is out of range (0..<\(sequences)) or given twice in one step"
        }
    }
}
