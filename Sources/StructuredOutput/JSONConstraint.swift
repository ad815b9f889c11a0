import JSON
import Tokenizers

public enum JSONConstraintError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The token's bytes cannot continue a valid text (or it ends generation too early).
    case tokenNotAllowed(Int32)
    /// A token came after the end of generation was accepted.
    case alreadyFinished

    public var description: String {
        switch self {
        case .tokenNotAllowed(let token): return "token \(token) would break the JSON constraint"
        case .alreadyFinished: return "the constrained generation has already ended"
        }
    }
}

/// The byte-level face of the automaton: for tests and for callers that feed text, not tokens.
public struct JSONByteMatcher {
    let automaton: JSONAutomaton
    var state: AutomatonState

    public init(schema: JSONSchema, options: JSONGenerationOptions = JSONGenerationOptions()) throws {
        automaton = try JSONAutomaton(schema: schema, options: options)
        state = automaton.initialState
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

/// Constrains a model's tokens to a JSON text valid against a schema: before each sampling step,
/// `allowedTokens` gives the tokens that keep the text completable (the sampler sets the others'
/// logits to -infinity); after it, `accept` advances with the chosen token. End-of-generation
/// tokens are allowed only once the value is complete, and after a value that cannot grow, only
/// they are. Not thread-safe: one per generation.
public final class JSONConstraint {
    public let schema: JSONSchema
    public let index: TokenIndex
    private let automaton: JSONAutomaton
    private var state: AutomatonState
    private var ended = false
    /// The bytes of the accepted tokens.
    public private(set) var text: [UInt8] = []

    public init(schema: JSONSchema, tokenizer: Tokenizer, options: JSONGenerationOptions = JSONGenerationOptions()) throws {
        self.schema = schema
        index = TokenIndex.shared(for: tokenizer)
        automaton = try JSONAutomaton(schema: schema, options: options)
        state = automaton.initialState
    }

    public func reset() {
        state = automaton.initialState
        ended = false
        text = []
    }

    /// The text so far is a complete value valid against the schema, so end of generation may
    /// come now (a number may still grow, so more may come too).
    public var canEnd: Bool { ended || automaton.canFinish(state) }

    /// Nothing but end of generation can follow: the value is complete and no byte extends it (or
    /// an end-of-generation token was accepted). A generator may stop here without sampling.
    public var isComplete: Bool {
        ended || (automaton.canFinish(state) && !(0...255).contains { automaton.advance(state, UInt8($0)) != nil })
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
        return true
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
        state = trial
        text.append(contentsOf: bytes)
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
        let start = walkState(state)
        if case .string(let scan, _) = start, scan.isPlain {
            addPlainTokens(scan, to: &mask)
            walk(index.nonPlain, from: start, into: &mask)
        } else {
            walk(index.all, from: start, into: &mask)
        }
    }

    /// Plain tokens fit wherever the string has room for their characters.
    private func addPlainTokens(_ scan: StringScan, to mask: inout TokenMask) {
        let room = Int(scan.remainingCharacters)
        if room < index.plainUpTo.count {
            mask.formUnion(index.plainUpTo[room])
            return
        }
        mask.formUnion(index.plainAll)
        for (token, characters) in index.longPlain {
            guard Int(characters) > room else { break }
            mask.remove(token)
        }
    }

    /// A state of the walk: inside a string with nothing else undecided, only the string's own
    /// small scan changes from byte to byte (no stack is copied) until the string closes.
    enum WalkState {
        case general(AutomatonState)
        case string(StringScan, closed: AutomatonState)
    }

    private func walkState(_ state: AutomatonState) -> WalkState {
        if state.stacks.count == 1, case .string(let scan)? = state.stacks[0].last {
            return .string(scan, closed: AutomatonState(stacks: [Array(state.stacks[0].dropLast())]))
        }
        return .general(state)
    }

    private func advance(_ state: WalkState, _ byte: UInt8) -> WalkState? {
        switch state {
        case .general(let general):
            return automaton.advance(general, byte).map(walkState)
        case .string(var scan, let closed):
            switch scan.step(byte) {
            case .dead: return nil
            case .continued: return .string(scan, closed: closed)
            case .closed: return walkState(closed)
            }
        }
    }

    /// Visits the trie in preorder, skipping each subtree whose prefix the automaton refuses, and
    /// allows the tokens of every node reached.
    private func walk(_ trie: TokenIndex.Trie, from start: WalkState, into mask: inout TokenMask) {
        var states = [WalkState](repeating: start, count: 1 + trie.maximumDepth)
        var node = 1
        let count = trie.nodeCount
        while node < count {
            let depth = Int(trie.depth[node])
            if let next = advance(states[depth - 1], trie.byte[node]) {
                states[depth] = next
                for position in Int(trie.tokenStart[node])..<Int(trie.tokenStart[node + 1]) {
                    mask.insert(trie.tokens[position])
                }
                node += 1
            } else {
                node = Int(trie.subtreeEnd[node])
            }
        }
    }
}
