import JSON
import Tokenizers

public enum JSONConstraintError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The token's bytes cannot continue a valid text (or it ends generation too early).
    case tokenNotAllowed(Int32)
    /// A token came after the end of generation was accepted.
    case alreadyFinished
    /// With a token budget: the shortest value the schema allows is `needed` bytes, and the
    /// constraint can promise a complete value only when that many tokens fit the budget (it counts
    /// one token a byte, as every byte has a token of its own).
    case budgetTooSmall(budget: Int, needed: Int)
    /// With a token budget: the vocabulary has no single-byte token for these bytes, so the shortest
    /// completion might need more tokens than bytes and the budget cannot be promised.
    case missingByteTokens([UInt8])

    public var description: String {
        switch self {
        case .tokenNotAllowed(let token): return "token \(token) would break the JSON constraint"
        case .alreadyFinished: return "the constrained generation has already ended"
        case .budgetTooSmall(let budget, let needed):
            return "the shortest value the JSON schema allows takes \(needed) tokens (one a byte), more than the budget of \(budget) tokens; raise the maximum tokens"
        case .missingByteTokens(let bytes):
            let listed = bytes.prefix(8).map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            return "the vocabulary has no single-byte token for \(bytes.count) byte(s) (hex \(listed)\(bytes.count > 8 ? " …" : "")), so a token budget for the JSON constraint cannot be kept"
        }
    }
}

/// The byte-level face of the automaton: for tests and for callers that feed text, not tokens.
public struct JSONByteMatcher {
    let automaton: JSONAutomaton
    var state: AutomatonState
    private let costs: LazyCosts

    public init(schema: JSONSchema, options: JSONGenerationOptions = JSONGenerationOptions()) throws {
        automaton = try JSONAutomaton(schema: schema, options: options)
        state = automaton.initialState
        costs = LazyCosts(schema: schema, options: options)
    }

    /// The length in bytes of the shortest text that completes the value from here (0 when it is
    /// complete). Exact: a shortest path over the automaton (see `CompletionCosts`).
    public var shortestCompletion: Int {
        get throws { try costs.get().cost(state) }
    }

    /// Consumes `byte` if some valid text continues with it; otherwise returns false and keeps the state.
    public mutating func advance(_ byte: UInt8) -> Bool {
        guard let next = automaton.advance(state, byte) else { return false }
        state = next
        return true
    }

    /// Consumes all of `bytes`, or none of them.
    public mutating func advance<Bytes: Sequence>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        var trial = state
        for byte in bytes {
            guard let next = automaton.advance(trial, byte) else { return false }
            trial = next
        }
        state = trial
        return true
    }

    /// The bytes so far form a complete value that the schema accepts.
    public var canEnd: Bool { automaton.canFinish(state) }

    /// The bytes that may come next.
    public var allowedBytes: [UInt8] {
        (0...255).filter { automaton.advance(state, UInt8($0)) != nil }.map { UInt8($0) }
    }
}

/// Builds the shortest-completion tables on first use.
final class LazyCosts {
    private let schema: JSONSchema
    private let options: JSONGenerationOptions
    private var costs: CompletionCosts?

    init(schema: JSONSchema, options: JSONGenerationOptions) {
        self.schema = schema
        self.options = options
    }

    func get() throws -> CompletionCosts {
        if let costs { return costs }
        let built = try CompletionCosts(schema: schema, options: options)
        costs = built
        return built
    }
}

/// Constrains a model's tokens to a JSON text valid against a schema: before each sampling step,
/// `allowedTokens` gives the tokens that keep the text completable (the sampler sets the others'
/// logits to -infinity); after it, `accept` advances with the chosen token. End-of-generation
/// tokens are allowed only once the value is complete, and after a value that cannot grow, only
/// they are. Not thread-safe: one per generation.
///
/// With a `tokenBudget` (the generation's maximum tokens), the value is also always finished
/// within the budget: a token is allowed only if the shortest completion after it, in bytes (see
/// `CompletionCosts`), fits the tokens left after it. Every byte of a shortest completion has a
/// token of its own (checked at construction), so a completion of k bytes takes at most k tokens,
/// and the text is a complete value by the time the budget is spent. Far from the end of the
/// budget this allows the same tokens as without one; near it, only the tokens that leave room to
/// close the value. If even the schema's shortest value (counted in bytes) is longer than the
/// budget, construction throws `JSONConstraintError.budgetTooSmall`. End-of-generation tokens do
/// not count against the budget (generators do not count them as generated tokens).
public final class JSONConstraint {
    public let schema: JSONSchema
    public let index: TokenIndex
    /// The most tokens the generation may take (end of generation aside), or nil for no limit.
    public let tokenBudget: Int?
    private let automaton: JSONAutomaton
    private let costs: LazyCosts
    /// The tables, when there is a budget (built at construction).
    private let budgetCosts: CompletionCosts?
    private var state: AutomatonState
    private var ended = false
    /// The bytes of the accepted tokens.
    public private(set) var text: [UInt8] = []
    /// The tokens accepted so far (end of generation aside).
    public private(set) var acceptedTokens = 0

    /// `tokenBudget`: the generation's maximum tokens, which the value must be finished within.
    /// Throws a `JSONSchemaError` for a schema the automaton cannot use, and with a budget,
    /// `JSONConstraintError.budgetTooSmall` when the schema's shortest value does not fit it or
    /// `.missingByteTokens` for a vocabulary without a single-byte token for a byte the
    /// completions may need (printable ASCII, UTF-8 continuation bytes, and the bytes of the
    /// schema's literals and property names).
    public init(schema: JSONSchema, tokenizer: Tokenizer, options: JSONGenerationOptions = JSONGenerationOptions(),
                tokenBudget: Int? = nil) throws {
        self.schema = schema
        index = TokenIndex.shared(for: tokenizer)
        automaton = try JSONAutomaton(schema: schema, options: options)
        state = automaton.initialState
        costs = LazyCosts(schema: schema, options: options)
        self.tokenBudget = tokenBudget.map { max(0, $0) }
        if let budget = self.tokenBudget {
            let costs = try costs.get()
            let singleByteTokens = index.singleByteTokens
            let missing = Self.bytesCompletionsUse(schema).filter { singleByteTokens[Int($0)] < 0 }
            guard missing.isEmpty else { throw JSONConstraintError.missingByteTokens(missing) }
            let needed = costs.cost(state)
            guard needed <= budget else { throw JSONConstraintError.budgetTooSmall(budget: budget, needed: needed) }
            budgetCosts = costs
        } else {
            budgetCosts = nil
        }
    }

    /// A constraint that closes its value within `tokenBudget` when the schema's shortest value
    /// (counted a token per byte) fits it, and otherwise one without a budget: the value then may
    /// be cut off at the limit, as any generation may, rather than the request being refused
    /// (a multi-byte token vocabulary usually writes it in far fewer tokens than bytes). Callers
    /// that must get a complete value (an audit's judge) use `init` and its error instead.
    public static func closingWhereItFits(schema: JSONSchema, tokenizer: Tokenizer,
                                          options: JSONGenerationOptions = JSONGenerationOptions(),
                                          tokenBudget: Int?) throws -> JSONConstraint {
        do {
            return try JSONConstraint(schema: schema, tokenizer: tokenizer, options: options, tokenBudget: tokenBudget)
        } catch JSONConstraintError.budgetTooSmall {
            return try JSONConstraint(schema: schema, tokenizer: tokenizer, options: options, tokenBudget: nil)
        }
    }

    /// The bytes the shortest completions may use: printable ASCII (structure, numbers, string
    /// content, escapes), UTF-8 continuation bytes (to finish a character a token left open), and
    /// the bytes of the schema's literal values and property names.
    static func bytesCompletionsUse(_ schema: JSONSchema) -> [UInt8] {
        var used = [Bool](repeating: false, count: 256)
        for byte in 0x20...0x7E { used[byte] = true }
        for byte in 0x80...0xBF { used[byte] = true }
        for node in schema.nodes {
            switch node {
            case .literals(let set):
                for encoding in set.encodings { for byte in encoding { used[Int(byte)] = true } }
            case .object(let object):
                for choices in object.keyChoices { for encoding in choices.encodings { for byte in encoding { used[Int(byte)] = true } } }
            default:
                break
            }
        }
        return (0..<256).filter { used[$0] }.map { UInt8($0) }
    }

    public func reset() {
        state = automaton.initialState
        ended = false
        text = []
        acceptedTokens = 0
    }

    /// The tokens the budget still allows (nil without a budget).
    public var remainingTokens: Int? { tokenBudget.map { max(0, $0 - acceptedTokens) } }

    /// The length in bytes of the shortest text that completes the value from here (0 when it is
    /// complete); with a budget, never more than `remainingTokens`.
    public var shortestCompletion: Int {
        get throws { try costs.get().cost(state) }
    }

    /// The text so far is a complete value valid against the schema, so end of generation may
    /// come now (a number may still grow, so more may come too).
    public var canEnd: Bool { ended || automaton.canFinish(state) }

    /// Nothing but end of generation can follow: the value is complete and no byte extends it (or
    /// an end-of-generation token was accepted). A generator may stop here without sampling.
    public var isComplete: Bool {
        ended || (automaton.canFinish(state)
                  && (remainingTokens == 0 || !(0...255).contains { automaton.advance(state, UInt8($0)) != nil }))
    }

    /// The value so far, once complete.
    public var value: JSONValue? {
        guard canEnd else { return nil }
        return try? JSONParser.parse(bytes: text)
    }

    /// Whether `token` is allowed now; much cheaper than a whole mask, so a sampler can try its
    /// first choice and compute the mask only when that choice is refused.
    public func canAccept(_ token: Int32) -> Bool {
        guard !ended, token >= 0, Int(token) < index.vocabularySize else { return false }
        if index.endOfGeneration.contains(token) { return automaton.canFinish(state) }
        guard let bytes = candidateBytes(token) else { return false }
        var trial = state
        for byte in bytes {
            guard let next = automaton.advance(trial, byte) else { return false }
            trial = next
        }
        return fitsBudget(trial)
    }

    /// Whether the budget leaves room, after one more token, for the shortest completion from `next`.
    private func fitsBudget(_ next: AutomatonState) -> Bool {
        guard let budgetCosts, let remaining = remainingTokens else { return true }
        return remaining >= 1 && budgetCosts.cost(next) <= remaining - 1
    }

    /// Advances with a sampled token; throws (and keeps the state) when it is not allowed.
    public func accept(_ token: Int32) throws {
        guard !ended else { throw JSONConstraintError.alreadyFinished }
        guard token >= 0, Int(token) < index.vocabularySize else { throw JSONConstraintError.tokenNotAllowed(token) }
        if index.endOfGeneration.contains(token) {
            guard automaton.canFinish(state) else { throw JSONConstraintError.tokenNotAllowed(token) }
            ended = true
            return
        }
        guard let bytes = candidateBytes(token) else { throw JSONConstraintError.tokenNotAllowed(token) }
        var trial = state
        for byte in bytes {
            guard let next = automaton.advance(trial, byte) else { throw JSONConstraintError.tokenNotAllowed(token) }
            trial = next
        }
        guard fitsBudget(trial) else { throw JSONConstraintError.tokenNotAllowed(token) }
        state = trial
        text.append(contentsOf: bytes)
        acceptedTokens += 1
    }

    /// The bytes of a token that may appear in the text at all (nil for special tokens).
    private func candidateBytes(_ token: Int32) -> ArraySlice<UInt8>? {
        guard index.candidates.contains(token) else { return nil }
        return index.pieceBytes[Int(index.pieceStart[Int(token)])..<Int(index.pieceStart[Int(token) + 1])]
    }

    /// The tokens allowed next.
    public func allowedTokens() -> TokenMask {
        var mask = TokenMask(vocabularySize: index.vocabularySize)
        allowedTokens(into: &mask)
        return mask
    }

    /// Sets `mask[t]` to whether token t is allowed next, for every entry of `mask` (entries past
    /// the vocabulary, where a model pads its output matrix, are false).
    public func allowedTokens(into mask: inout [Bool]) {
        let allowed = allowedTokens()
        mask.withUnsafeMutableBufferPointer { entries in
            for index in entries.indices {
                entries[index] = index < allowed.vocabularySize
                    && allowed.words[index >> 6] & (1 << UInt64(index & 63)) != 0
            }
        }
    }

    /// Writes the tokens allowed next into `mask` (reusing its storage).
    public func allowedTokens(into mask: inout TokenMask) {
        if mask.vocabularySize != index.vocabularySize { mask = TokenMask(vocabularySize: index.vocabularySize) }
        mask.removeAll()
        guard !ended else { return }
        if automaton.canFinish(state) {
            for token in index.endOfGeneration { mask.insert(token) }
        }
        // With a budget, the shortest completion after a token must fit the tokens left after it.
        let slack = remainingTokens.map { $0 - 1 }
        if let slack, slack < 0 { return }
        let start = walkState(state)
        if case .string(let scan, _, let closedCost) = start, scan.isPlain {
            var fewest = 1
            if let slack {
                // After a plain token of k characters the string still wants max(0, m − k) of them and
                // its quote: k ≥ m − (slack − 1 − closedCost).
                let spare = slack - 1 - closedCost
                if spare >= 0 {
                    fewest = max(1, Int(scan.minLength) - Int(scan.characters) - spare)
                } else {
                    fewest = Int.max
                }
            }
            addPlainTokens(scan, fewestCharacters: fewest, to: &mask)
            walk(index.nonPlain, from: start, slack: slack, into: &mask)
        } else {
            walk(index.all, from: start, slack: slack, into: &mask)
        }
    }

    /// Plain tokens fit wherever the string has room for their characters; with a budget, only
    /// those of at least `fewestCharacters` (the shorter ones would leave too much to close).
    private func addPlainTokens(_ scan: StringScan, fewestCharacters fewest: Int, to mask: inout TokenMask) {
        let room = Int(scan.remainingCharacters)
        guard fewest <= room else { return }
        let buckets = index.plainUpTo.count
        if fewest >= buckets {
            for (token, characters) in index.longPlain where Int(characters) >= fewest && Int(characters) <= room {
                mask.insert(token)
            }
            return
        }
        if room < buckets {
            mask.formUnion(index.plainUpTo[room])
        } else {
            mask.formUnion(index.plainAll)
            for (token, characters) in index.longPlain {
                guard Int(characters) > room else { break }
                mask.remove(token)
            }
        }
        // Plain tokens are no end-of-generation tokens, and the mask holds nothing else yet.
        if fewest >= 2 { mask.subtract(index.plainUpTo[fewest - 1]) }
    }

    /// A state of the walk: inside a string with nothing else undecided, only the string's own
    /// small scan changes from byte to byte (no stack is copied) until the string closes. With a
    /// budget, `closedCost` is the shortest completion after the string closes.
    enum WalkState {
        case general(AutomatonState)
        case string(StringScan, closed: AutomatonState, closedCost: Int)
    }

    private func walkState(_ state: AutomatonState) -> WalkState {
        if state.stacks.count == 1, case .string(let scan)? = state.stacks[0].last {
            let below = state.stacks[0].dropLast()
            return .string(scan, closed: AutomatonState(stacks: [Array(below)]),
                           closedCost: budgetCosts?.cost(below) ?? 0)
        }
        return .general(state)
    }

    private func advance(_ state: WalkState, _ byte: UInt8) -> WalkState? {
        switch state {
        case .general(let general):
            return automaton.advance(general, byte).map(walkState)
        case .string(var scan, let closed, let closedCost):
            switch scan.step(byte) {
            case .dead: return nil
            case .continued: return .string(scan, closed: closed, closedCost: closedCost)
            case .closed: return walkState(closed)
            }
        }
    }

    /// The shortest completion from a walk state (only with a budget).
    private func cost(_ state: WalkState, _ costs: CompletionCosts) -> Int {
        switch state {
        case .general(let general): return costs.cost(general)
        case .string(let scan, _, let closedCost): return scan.minimumBytesToClose + closedCost
        }
    }

    /// Visits the trie in preorder, skipping each subtree whose prefix the automaton refuses, and
    /// allows the tokens of every node reached (with a budget, of every node whose state's shortest
    /// completion is at most `slack`; its subtree is still visited, as longer tokens may close more).
    private func walk(_ trie: TokenIndex.Trie, from start: WalkState, slack: Int?, into mask: inout TokenMask) {
        var states = [WalkState](repeating: start, count: 1 + trie.maximumDepth)
        var node = 1
        let count = trie.nodeCount
        while node < count {
            let depth = Int(trie.depth[node])
            if let next = advance(states[depth - 1], trie.byte[node]) {
                states[depth] = next
                let first = Int(trie.tokenStart[node]), end = Int(trie.tokenStart[node + 1])
                if first < end, slack == nil || cost(next, budgetCosts!) <= slack! {
                    for position in first..<end {
                        mask.insert(trie.tokens[position])
                    }
                }
                node += 1
            } else {
                node = Int(trie.subtreeEnd[node])
            }
        }
    }
}
