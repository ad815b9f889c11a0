#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A piece of the input after special tokens are taken out: raw text still to be tokenized, or a
/// special token already recognised.
enum Fragment: Equatable {
    case text(start: Int, count: Int)
    case token(Int32)
}

/// Finds special-token texts in the input before any tokenization, as llama.cpp's
/// `tokenizer_st_partition`.
///
/// llama.cpp takes the special tokens longest first and, for each, cuts every non-overlapping
/// occurrence (left to right) out of the text fragments that remain. Control and unknown tokens are
/// looked for only when the caller asks to parse special tokens; user-defined ones always (Gemma's
/// whitespace-run and HTML-tag tokens, Qwen's `<tool_call>`).
///
/// llama.cpp searches the whole input once per special token — 6,400 passes for Gemma. Here one
/// pass through a trie of all special texts first finds which of them occur at all; only those run
/// llama.cpp's procedure, which gives the same fragments because tokens that never occur cut
/// nothing. (Among tokens of equal length llama.cpp's order is its sort's; the result does not
/// depend on it unless two such tokens can overlap, which the tests check for the catalog models.)
struct SpecialTokenPartitioner {
    private let orderedTokens: [Int32]     // longest first, ties by id
    private let textOf: [Int32: [UInt8]]
    private let attributes: [Int32: TokenAttributes]
    private let trie: ByteTrie

    init(vocabulary: Vocabulary) {
        orderedTokens = vocabulary.specialTokensLongestFirst
        var textOf: [Int32: [UInt8]] = [:]
        var attributes: [Int32: TokenAttributes] = [:]
        var trie = ByteTrie()
        for id in orderedTokens {
            let text = vocabulary.text(id)
            textOf[id] = text
            attributes[id] = vocabulary.attributes[Int(id)]
            trie.insert(text, id: id)
        }
        self.textOf = textOf
        self.attributes = attributes
        self.trie = trie
    }

    func partition(_ input: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Fragment] {
        guard input.count > 0 else { return [] }
        var fragments: [Fragment] = [.text(start: 0, count: input.count)]
        guard !orderedTokens.isEmpty else { return fragments }

        let present = trie.tokensOccurring(in: input)
        guard !present.isEmpty else { return fragments }
        var next: [Fragment] = []
        for id in orderedTokens where present.contains(id) {
            let attribute = attributes[id]!
            if !parseSpecial && !attribute.isDisjoint(with: [.control, .unknown]) { continue }
            let needle = textOf[id]!
            next.removeAll(keepingCapacity: true)
            var changed = false
            for fragment in fragments {
                guard case .text(var start, var count) = fragment else { next.append(fragment); continue }
                while let match = Self.find(needle, in: input, from: start, to: start + count) {
                    changed = true
                    var leftCount = match - start
                    if attribute.contains(.leftStrip) {
                        while leftCount > 0 && Self.isCSpace(input[start + leftCount - 1]) { leftCount -= 1 }
                    }
                    if leftCount > 0 { next.append(.text(start: start, count: leftCount)) }
                    next.append(.token(id))
                    var rightStart = match + needle.count
                    let end = start + count
                    if attribute.contains(.rightStrip) {
                        while rightStart < end && Self.isCSpace(input[rightStart]) { rightStart += 1 }
                    }
                    start = rightStart
                    count = end - rightStart
                }
                if count > 0 { next.append(.text(start: start, count: count)) }
            }
            if changed { swap(&fragments, &next) }
        }
        return fragments
    }

    /// C's `isspace` in the "C" locale.
    @inline(__always) private static func isCSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// First occurrence of `needle` starting in `from..<to` and ending by `to`.
    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        let length = needle.count
        guard length > 0, to - from >= length, let base = haystack.baseAddress else { return nil }
        return needle.withUnsafeBufferPointer { needle -> Int? in
            let first = Int32(needle[0])
            var position = from
            let lastStart = to - length
            while position <= lastStart {
                guard let hit = memchr(base + position, first, lastStart - position + 1) else { return nil }
                let candidate = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if length == 1 || memcmp(base + candidate + 1, needle.baseAddress! + 1, length - 1) == 0 {
                    return candidate
                }
                position = candidate + 1
            }
            return nil
        }
    }
}

/// A byte trie of the special token texts: which of them occur anywhere in a text, in one pass.
private struct ByteTrie {
    private var rootChildren = [Int32](repeating: -1, count: 256)
    // Node storage: each node's byte, first child, next sibling, and the token ending there (-1).
    private var byte: [UInt8] = []
    private var firstChild: [Int32] = []
    private var nextSibling: [Int32] = []
    private var token: [Int32] = []

    private mutating func newNode(_ value: UInt8) -> Int32 {
        byte.append(value)
        firstChild.append(-1)
        nextSibling.append(-1)
        token.append(-1)
        return Int32(byte.count - 1)
    }

    private func child(of node: Int32, _ value: UInt8) -> Int32 {
        var child = firstChild[Int(node)]
        while child >= 0 && byte[Int(child)] != value { child = nextSibling[Int(child)] }
        return child
    }

    mutating func insert(_ text: [UInt8], id: Int32) {
        guard let head = text.first else { return }
        var node = rootChildren[Int(head)]
        if node < 0 {
            node = newNode(head)
            rootChildren[Int(head)] = node
        }
        for value in text.dropFirst() {
            var next = child(of: node, value)
            if next < 0 {
                next = newNode(value)
                nextSibling[Int(next)] = firstChild[Int(node)]
                firstChild[Int(node)] = next
            }
            node = next
        }
        if token[Int(node)] < 0 { token[Int(node)] = id }
    }

    /// Every token whose text occurs in `text`. Cost: the text length times the depth walked from
    /// each position, which stops at the first byte no special text continues with.
    func tokensOccurring(in text: UnsafeBufferPointer<UInt8>) -> Set<Int32> {
        var found = Set<Int32>()
        let count = text.count
        for start in 0..<count {
            var node = rootChildren[Int(text[start])]
            var position = start + 1
            while node >= 0 {
                let id = token[Int(node)]
                if id >= 0 { found.insert(id) }
                guard position < count else { break }
                node = child(of: node, text[position])
                position += 1
            }
        }
        return found
    }
}
