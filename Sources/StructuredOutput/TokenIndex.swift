import Foundation
import Tokenizers

/// A set of token ids as a bitset over the vocabulary.
public struct TokenMask: Equatable, Sendable {
    public let vocabularySize: Int
    /// Bit `t % 64` of word `t / 64` is set when token `t` is allowed.
    public internal(set) var words: [UInt64]

    public init(vocabularySize: Int) {
        self.vocabularySize = vocabularySize
        words = [UInt64](repeating: 0, count: (vocabularySize + 63) / 64)
    }

    public func contains(_ token: Int32) -> Bool {
        guard token >= 0, Int(token) < vocabularySize else { return false }
        return words[Int(token) >> 6] & (1 << UInt64(token & 63)) != 0
    }

    public mutating func insert(_ token: Int32) {
        guard token >= 0, Int(token) < vocabularySize else { return }
        words[Int(token) >> 6] |= 1 << UInt64(token & 63)
    }

    public mutating func remove(_ token: Int32) {
        guard token >= 0, Int(token) < vocabularySize else { return }
        words[Int(token) >> 6] &= ~(1 << UInt64(token & 63))
    }

    public mutating func removeAll() {
        for index in words.indices { words[index] = 0 }
    }

    mutating func formUnion(_ other: TokenMask) {
        for index in words.indices { words[index] |= other.words[index] }
    }

    mutating func subtract(_ other: TokenMask) {
        for index in words.indices { words[index] &= ~other.words[index] }
    }

    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    /// The allowed ids, ascending.
    public var tokens: [Int32] {
        var result: [Int32] = []
        for (index, word) in words.enumerated() where word != 0 {
            var bits = word
            while bits != 0 {
                result.append(Int32(index * 64 + bits.trailingZeroBitCount))
                bits &= bits - 1
            }
        }
        return result
    }

    /// Sets the logits of disallowed tokens to -infinity (logits past the vocabulary, as some
    /// models pad their output matrix, are disallowed too).
    public func apply(to logits: inout [Float]) {
        logits.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices {
                let allowed = index < vocabularySize && words[index >> 6] & (1 << UInt64(index & 63)) != 0
                if !allowed { buffer[index] = -Float.infinity }
            }
        }
    }
}

/// Every token's bytes arranged for the mask walk, built once per tokenizer (`TokenIndex.shared`).
///
/// The tokens form a trie stored in preorder: node `i`'s first child is `i + 1` and its subtree
/// ends at `subtreeEnd[i]`, so a walk is a linear scan that skips a subtree whose prefix the
/// automaton refuses. Control, unknown, unused and user-defined tokens and tokens of no bytes are
/// left out (never allowed); end-of-generation tokens are kept apart.
///
/// Inside a string almost every token is allowed, and walking 150k tokens byte by byte would cost
/// milliseconds. So "plain" tokens, those that from a character boundary inside a string neither
/// close it nor stop mid-character or mid-escape, are not in the second trie (`nonPlain`); they are
/// added from precomputed bitsets by how many characters they hold.
public final class TokenIndex: @unchecked Sendable {
    struct Trie {
        /// The edge byte into each node (node 0 is the root).
        var byte: [UInt8] = [0]
        var depth: [UInt16] = [0]
        var subtreeEnd: [Int32] = [1]
        /// Tokens ending at node `i` are `tokens[tokenStart[i]..<tokenStart[i + 1]]`.
        var tokenStart: [Int32] = [0]
        var tokens: [Int32] = []

        var maximumDepth = 0

        var nodeCount: Int { byte.count }
    }

    public let vocabularySize: Int
    public let endOfGeneration: [Int32]
    let all: Trie
    let nonPlain: Trie
    /// `plainUpTo[c]`: the plain tokens of at most `c` characters, for `c < plainUpTo.count`.
    let plainUpTo: [TokenMask]
    /// Every plain token, and those longer than `plainUpTo.count - 1` characters with their length.
    let plainAll: TokenMask
    let longPlain: [(token: Int32, characters: Int32)]
    /// Tokens that may appear in the text (those in `all`).
    public let candidates: TokenMask
    /// Token `t`'s bytes are `pieceBytes[pieceStart[t]..<pieceStart[t + 1]]` (empty when not a candidate).
    let pieceStart: [Int32]
    let pieceBytes: [UInt8]
    /// For each byte value, a token whose bytes are exactly that byte (-1 where the vocabulary has
    /// none). Byte-level BPE and byte-fallback vocabularies have all 256.
    let singleByteTokens: [Int32]

    static let plainBuckets = 16

    public init(tokenizer: Tokenizer) {
        vocabularySize = tokenizer.vocabularySize
        endOfGeneration = tokenizer.endOfGenerationTokens.sorted()
        let excluded: TokenAttributes = [.control, .unknown, .unused, .userDefined]
        var pieces: [(token: Int32, bytes: [UInt8])] = []
        pieces.reserveCapacity(vocabularySize)
        for id in 0..<Int32(vocabularySize) {
            if tokenizer.isEndOfGeneration(id) || !tokenizer.attributes(id).isDisjoint(with: excluded) { continue }
            let bytes = tokenizer.piece(id, renderSpecial: false)
            if !bytes.isEmpty { pieces.append((id, bytes)) }
        }
        var candidates = TokenMask(vocabularySize: vocabularySize)
        var pieceStart = [Int32](repeating: 0, count: vocabularySize + 1)
        var pieceBytes: [UInt8] = []
        var next = 0
        var singleByteTokens = [Int32](repeating: -1, count: 256)
        for piece in pieces {
            candidates.insert(piece.token)
            if piece.bytes.count == 1 && singleByteTokens[Int(piece.bytes[0])] < 0 {
                singleByteTokens[Int(piece.bytes[0])] = piece.token
            }
            while next <= Int(piece.token) {
                pieceStart[next] = Int32(pieceBytes.count)
                next += 1
            }
            pieceBytes.append(contentsOf: piece.bytes)
        }
        while next <= vocabularySize {
            pieceStart[next] = Int32(pieceBytes.count)
            next += 1
        }
        self.candidates = candidates
        self.singleByteTokens = singleByteTokens
        self.pieceStart = pieceStart
        self.pieceBytes = pieceBytes
        pieces.sort { a, b in
            let order = a.bytes.withUnsafeBufferPointer { x in
                b.bytes.withUnsafeBufferPointer { y in
                    memcmp(x.baseAddress!, y.baseAddress!, min(x.count, y.count))
                }
            }
            return order != 0 ? order < 0 : (a.bytes.count != b.bytes.count ? a.bytes.count < b.bytes.count : a.token < b.token)
        }

        var plainByLength: [[Int32]] = Array(repeating: [], count: Self.plainBuckets)
        var plainAll = TokenMask(vocabularySize: vocabularySize)
        var longPlain: [(Int32, Int32)] = []
        var nonPlainPieces: [(token: Int32, bytes: [UInt8])] = []
        for piece in pieces {
            if let characters = Self.plainCharacters(piece.bytes) {
                plainAll.insert(piece.token)
                if characters < Self.plainBuckets {
                    plainByLength[characters].append(piece.token)
                } else {
                    longPlain.append((piece.token, Int32(characters)))
                }
            } else {
                nonPlainPieces.append(piece)
            }
        }
        var cumulative = TokenMask(vocabularySize: vocabularySize)
        var plainUpTo: [TokenMask] = []
        for bucket in plainByLength {
            for token in bucket { cumulative.insert(token) }
            plainUpTo.append(cumulative)
        }
        self.plainUpTo = plainUpTo
        self.plainAll = plainAll
        self.longPlain = longPlain.sorted { $0.1 > $1.1 }
        all = Self.buildTrie(pieces)
        nonPlain = Self.buildTrie(nonPlainPieces)
    }

    /// The characters of a plain piece (see the type's comment), or nil if it is not plain.
    static func plainCharacters(_ bytes: [UInt8]) -> Int? {
        var scan = StringScan(StringSchema(minLength: 0, maxLength: nil))
        for byte in bytes where scan.step(byte) != .continued { return nil }
        return scan.isPlain ? Int(scan.characters) : nil
    }

    /// Builds the preorder trie from pieces sorted bytewise.
    private static func buildTrie(_ pieces: [(token: Int32, bytes: [UInt8])]) -> Trie {
        var trie = Trie()
        var path: [Int32] = [0]  // node ids along the current piece, by depth
        var previous: [UInt8] = []
        for piece in pieces {
            let bytes = piece.bytes
            var shared = 0
            let limit = min(previous.count, bytes.count)
            while shared < limit && previous[shared] == bytes[shared] { shared += 1 }
            // Close the nodes below the shared prefix: their subtrees end here.
            while path.count > shared + 1 {
                trie.subtreeEnd[Int(path.removeLast())] = Int32(trie.nodeCount)
            }
            for position in shared..<bytes.count {
                trie.byte.append(bytes[position])
                trie.depth.append(UInt16(clamping: position + 1))
                trie.maximumDepth = max(trie.maximumDepth, position + 1)
                trie.subtreeEnd.append(0)
                trie.tokenStart.append(Int32(trie.tokens.count))
                path.append(Int32(trie.nodeCount - 1))
            }
            // Pieces are sorted, so tokens for the same node arrive together and in node order.
            trie.tokens.append(piece.token)
            previous = bytes
        }
        while let node = path.popLast() { trie.subtreeEnd[Int(node)] = Int32(trie.nodeCount) }
        // tokenStart[i] holds where node i's tokens begin; a sentinel closes the last node.
        trie.tokenStart.append(Int32(trie.tokens.count))
        return trie
    }

    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache: [(tokenizer: Weak, index: TokenIndex)] = []

    private final class Weak {
        weak var value: Tokenizer?
        init(_ value: Tokenizer) { self.value = value }
    }

    /// The index for a tokenizer, built on first use and kept while the tokenizer lives.
    public static func shared(for tokenizer: Tokenizer) -> TokenIndex {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        cache.removeAll { $0.tokenizer.value == nil }
        if let entry = cache.first(where: { $0.tokenizer.value === tokenizer }) { return entry.index }
        let index = TokenIndex(tokenizer: tokenizer)
        cache.append((Weak(tokenizer), index))
        return index
    }
}
