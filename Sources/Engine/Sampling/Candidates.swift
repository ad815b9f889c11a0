import Foundation

/// The tokens still in the running, with their logits. Filters shrink it; `sortedDescending`
/// records whether it is in order of decreasing logit (ties by increasing id), which top-k
/// establishes and top-p needs.
public struct Candidates: Sendable, Equatable {
    public var tokens: [Int32]
    public var logits: [Float]
    public var sortedDescending: Bool

    public init(tokens: [Int32], logits: [Float], sortedDescending: Bool = false) {
        precondition(tokens.count == logits.count)
        self.tokens = tokens
        self.logits = logits
        self.sortedDescending = sortedDescending
    }

    /// Every token whose logit is not -infinity.
    public init(logits all: [Float]) {
        var tokens: [Int32] = []
        var logits: [Float] = []
        tokens.reserveCapacity(all.count)
        logits.reserveCapacity(all.count)
        for (i, value) in all.enumerated() where value > -.infinity {
            tokens.append(Int32(i))
            logits.append(value)
        }
        self.init(tokens: tokens, logits: logits)
    }

    public var count: Int { tokens.count }
    public var isEmpty: Bool { tokens.isEmpty }

    var maxLogit: Float { logits.max() ?? -.infinity }

    /// Probabilities at temperature 1, in candidate order, in Double for stable sums.
    func probabilities() -> [Double] {
        let top = maxLogit
        var weights = logits.map { exp(Double($0 - top)) }
        let total = weights.reduce(0, +)
        for i in weights.indices { weights[i] /= total }
        return weights
    }

    mutating func keep(where predicate: (Int) -> Bool) {
        var tokens: [Int32] = []
        var logits: [Float] = []
        for i in self.tokens.indices where predicate(i) {
            tokens.append(self.tokens[i])
            logits.append(self.logits[i])
        }
        self.tokens = tokens
        self.logits = logits
    }

    mutating func sortDescending() {
        guard !sortedDescending else { return }
        let order = tokens.indices.sorted { a, b in
            logits[a] != logits[b] ? logits[a] > logits[b] : tokens[a] < tokens[b]
        }
        tokens = order.map { tokens[$0] }
        logits = order.map { logits[$0] }
        sortedDescending = true
    }

    mutating func truncate(to count: Int) {
        tokens.removeLast(tokens.count - count)
        logits.removeLast(logits.count - count)
    }
}

/// One stage of the chain that narrows the candidates.
public protocol CandidateFilter: Sendable {
    func apply(to candidates: inout Candidates)
}

/// Keeps the k highest logits (ties to the lower id). Selection by a bounded heap: O(n log k),
/// so 262k-token vocabularies do not pay for a full sort.
public struct TopK: CandidateFilter {
    public let k: Int
    public init(_ k: Int) { self.k = k }

    public func apply(to candidates: inout Candidates) {
        guard k > 0, k < candidates.count else {
            candidates.sortDescending()
            return
        }
        // A min-heap of the best k so far; its root is the weakest kept candidate.
        var heap: [Int] = []
        heap.reserveCapacity(k)
        let tokens = candidates.tokens, logits = candidates.logits
        func weaker(_ a: Int, _ b: Int) -> Bool {
            logits[a] != logits[b] ? logits[a] < logits[b] : tokens[a] > tokens[b]
        }
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let left = 2 * i + 1, right = left + 1
                var smallest = i
                if left < heap.count, weaker(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count, weaker(heap[right], heap[smallest]) { smallest = right }
                if smallest == i { return }
                heap.swapAt(i, smallest)
                i = smallest
            }
        }
        for i in 0..<candidates.count {
            if heap.count < k {
                heap.append(i)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard weaker(heap[child], heap[parent]) else { break }
                    heap.swapAt(child, parent)
                    child = parent
                }
            } else if weaker(heap[0], i) {
                heap[0] = i
                siftDown(0)
            }
        }
        heap.sort { weaker($1, $0) }
        candidates = Candidates(tokens: heap.map { tokens[$0] }, logits: heap.map { logits[$0] }, sortedDescending: true)
    }
}

/// Nucleus sampling: the smallest prefix of the most likely tokens whose probability reaches p
/// (at least one token).
public struct TopP: CandidateFilter {
    public let p: Float
    public init(_ p: Float) { self.p = p }

    public func apply(to candidates: inout Candidates) {
        guard p < 1, candidates.count > 1 else { return }
        let probabilities = candidates.probabilities()
        let target = Double(p)
        if !candidates.sortedDescending {
            // Most of a large vocabulary is far below the nucleus: sort only the tokens within a
            // factor 1e-4 of the best, and fall back to the full sort when they hold too little.
            let best = probabilities.max() ?? 0
            var head = Candidates(tokens: [], logits: [])
            var headProbabilities: [Double] = []
            for i in probabilities.indices where probabilities[i] >= best * 1e-4 {
                head.tokens.append(candidates.tokens[i])
                head.logits.append(candidates.logits[i])
                headProbabilities.append(probabilities[i])
            }
            if headProbabilities.reduce(0, +) >= target {
                let cut = TopP.cutoff(sortedProbabilitiesOf: &head, probabilities: headProbabilities, target: target)
                head.truncate(to: cut)
                candidates = head
                return
            }
        }
        candidates.sortDescending()
        let cut = TopP.cutoff(sortedProbabilitiesOf: &candidates, probabilities: candidates.probabilities(), target: target)
        candidates.truncate(to: cut)
    }

    /// Sorts `candidates` and returns how many of them reach `target` cumulative probability.
    private static func cutoff(sortedProbabilitiesOf candidates: inout Candidates, probabilities: [Double], target: Double) -> Int {
        let order = candidates.tokens.indices.sorted { a, b in
            candidates.logits[a] != candidates.logits[b]
                ? candidates.logits[a] > candidates.logits[b] : candidates.tokens[a] < candidates.tokens[b]
        }
        candidates = Candidates(tokens: order.map { candidates.tokens[$0] }, logits: order.map { candidates.logits[$0] },
                                sortedDescending: true)
        var cumulative = 0.0
        for (rank, index) in order.enumerated() {
            cumulative += probabilities[index]
            if cumulative >= target { return rank + 1 }
        }
        return order.count
    }
}

/// Drops tokens whose probability is below minP times the most likely token's.
public struct MinP: CandidateFilter {
    public let p: Float
    public init(_ p: Float) { self.p = p }

    public func apply(to candidates: inout Candidates) {
        guard p > 0, candidates.count > 1 else { return }
        // p_i >= minP * p_max  <=>  logit_i >= logit_max + log(minP)
        let threshold = candidates.maxLogit + log(p)
        let logits = candidates.logits
        candidates.keep { logits[$0] >= threshold }
    }
}
