/// Byte-level BPE within one pre-tokenized word, as llama.cpp's `llm_tokenizer_bpe_session`.
///
/// The word starts as one symbol per byte (each byte is one character of GPT-2's alphabet); the
/// adjacent pair with the lowest merge rank is merged, ties going to the leftmost pair, until no
/// pair has a rank. A binary heap of candidate pairs keeps this O(n log n) in the word length, so a
/// megabyte without a single space is no harder than a sentence.
///
/// llama.cpp keys its ranks by the two symbols' texts. Here both halves of a merge are token ids
/// when the vocabulary has them (always, in real files), looked up in an integer-keyed table that
/// also stores the merged token's id; merges naming texts outside the vocabulary fall back to a
/// text-keyed table, so results stay identical for any file.
struct BytePairMerges {
    /// (left id << 32 | right id) → rank and merged id, open addressing.
    private var keys: [UInt64]
    private var ranks: [Int32]
    private var results: [Int32]
    private var mask: Int
    /// Merges with a half that is not a token: (left text, right text) → rank.
    private(set) var textMerges: [TextPair: Int32] = [:]

    struct TextPair: Hashable {
        let left: [UInt8]
        let right: [UInt8]
    }

    private static let emptyKey = UInt64.max

    init(merges: [String], table: TokenTable) {
        var capacity = 16
        while capacity < merges.count * 2 { capacity <<= 1 }
        keys = [UInt64](repeating: Self.emptyKey, count: capacity)
        ranks = [Int32](repeating: 0, count: capacity)
        results = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
        let space = UInt8(ascii: " ")
        for (rank, merge) in merges.enumerated() {
            let bytes = Array(merge.utf8)
            // llama.cpp splits at the first space after the first byte; a line without one, or with
            // an empty half, names no pair a symbol could ever form.
            guard bytes.count >= 3, let split = bytes[1...].firstIndex(of: space) else { continue }
            let left = Array(bytes[..<split])
            let right = Array(bytes[(split + 1)...])
            guard !right.isEmpty else { continue }
            if let leftID = table.id(of: left), let rightID = table.id(of: right) {
                insert(left: leftID, right: rightID, rank: Int32(rank), result: table.id(of: left + right) ?? -1)
            } else if textMerges[TextPair(left: left, right: right)] == nil {
                textMerges[TextPair(left: left, right: right)] = Int32(rank)
            }
        }
    }

    @inline(__always) private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always) private static func slot(for key: UInt64, mask: Int) -> Int {
        // A multiplicative mix: ids are small and dense, their plain bits would cluster.
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The first occurrence of a pair keeps its rank, as llama.cpp's `emplace` does.
    private mutating func insert(left: Int32, right: Int32, rank: Int32, result: Int32) {
        let key = Self.key(left, right)
        var slot = Self.slot(for: key, mask: mask)
        while keys[slot] != Self.emptyKey {
            if keys[slot] == key { return }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        ranks[slot] = rank
        results[slot] = result
    }

    /// Rank and merged id of the pair (left, right), if it is a merge.
    @inline(__always)
    func lookup(left: Int32, right: Int32) -> (rank: Int32, result: Int32)? {
        let key = Self.key(left, right)
        return keys.withUnsafeBufferPointer { keys in
            var slot = Self.slot(for: key, mask: mask)
            while true {
                let found = keys[slot]
                if found == key { return (ranks[slot], results[slot]) }
                if found == Self.emptyKey { return nil }
                slot = (slot + 1) & mask
            }
        }
    }
}

/// Reusable buffers for encoding the words of one input.
struct BytePairScratch {
    fileprivate var symbols: [BPESymbol] = []
    fileprivate var heap = BinaryHeap<BPEBigram>()
    fileprivate var encoded: [UInt8] = []
}

private struct BPESymbol {
    var start: Int32
    var length: Int32   // 0 once merged into its left neighbour
    var id: Int32       // -1 when the symbol's text is not a token
    var previous: Int32
    var next: Int32
}

private struct BPEBigram: HeapElement {
    let rank: Int32
    let left: Int32
    let right: Int32
    let size: Int32     // bytes of both symbols when queued: stale if they changed since
    let result: Int32

    @inline(__always) static func precedes(_ a: BPEBigram, _ b: BPEBigram) -> Bool {
        a.rank < b.rank || (a.rank == b.rank && a.left < b.left)
    }
}

struct BytePairEncoder {
    let merges: BytePairMerges
    let table: TokenTable
    let ignoreMerges: Bool
    /// The token of each byte's GPT-2 character, or -1.
    let byteTokens: [Int32]

    init(merges: BytePairMerges, table: TokenTable, ignoreMerges: Bool) {
        self.merges = merges
        self.table = table
        self.ignoreMerges = ignoreMerges
        self.byteTokens = ByteLevel.utf8ForByte.map { table.id(of: $0) ?? -1 }
    }

    /// Appends the tokens of one word (its UTF-8 bytes, not yet in GPT-2's alphabet) to `output`.
    func encode(word: UnsafeBufferPointer<UInt8>, scratch: inout BytePairScratch, output: inout [Int32]) {
        guard !word.isEmpty else { return }
        if ignoreMerges {
            scratch.encoded.removeAll(keepingCapacity: true)
            ByteLevel.encode(word, into: &scratch.encoded)
            if let id = table.id(of: scratch.encoded) {
                output.append(id)
                return
            }
        }

        // The symbols and the heap are moved out of the scratch space (no copy) so that the merge loop
        // works on raw buffers: this loop is where all the time of a long word goes.
        var symbols = scratch.symbols
        var heap = scratch.heap
        scratch.symbols = []
        scratch.heap = BinaryHeap()
        defer {
            scratch.symbols = symbols
            scratch.heap = heap
        }
        symbols.removeAll(keepingCapacity: true)
        heap.removeAll()
        let count = word.count
        for index in 0..<count {
            symbols.append(BPESymbol(
                start: Int32(index), length: 1, id: byteTokens[Int(word[index])],
                previous: Int32(index - 1), next: index + 1 == count ? -1 : Int32(index + 1)))
        }
        symbols.withUnsafeMutableBufferPointer { symbols in
            for index in 1..<max(count, 1) {
                addBigram(left: Int32(index - 1), right: Int32(index), symbols: symbols, word: word, heap: &heap)
            }
            while let bigram = heap.popFirst() {
                let left = Int(bigram.left)
                let right = Int(bigram.right)
                let leftLength = symbols[left].length
                let rightLength = symbols[right].length
                if leftLength == 0 || rightLength == 0 || leftLength + rightLength != bigram.size { continue }
                symbols[left].length += rightLength
                symbols[left].id = bigram.result
                symbols[right].length = 0
                let next = symbols[right].next
                symbols[left].next = next
                if next >= 0 { symbols[Int(next)].previous = bigram.left }
                addBigram(left: symbols[left].previous, right: bigram.left, symbols: symbols, word: word, heap: &heap)
                addBigram(left: bigram.left, right: next, symbols: symbols, word: word, heap: &heap)
            }
        }

        for symbol in symbols where symbol.length > 0 {
            if symbol.id >= 0 {
                output.append(symbol.id)
                continue
            }
            // Not a token: llama.cpp looks up each byte of the symbol's GPT-2 spelling on its own and
            // keeps those that are tokens.
            scratch.encoded.removeAll(keepingCapacity: true)
            ByteLevel.encode(UnsafeBufferPointer(rebasing: word[Int(symbol.start)..<Int(symbol.start + symbol.length)]),
                             into: &scratch.encoded)
            for byte in scratch.encoded {
                if let id = table.id(of: [byte]) { output.append(id) }
            }
        }
    }

    @inline(__always)
    private func addBigram(left: Int32, right: Int32, symbols: UnsafeMutableBufferPointer<BPESymbol>,
                           word: UnsafeBufferPointer<UInt8>, heap: inout BinaryHeap<BPEBigram>) {
        guard left >= 0, right >= 0 else { return }
        let leftSymbol = symbols[Int(left)]
        let rightSymbol = symbols[Int(right)]
        let size = leftSymbol.length + rightSymbol.length
        if leftSymbol.id >= 0 && rightSymbol.id >= 0 {
            if let merge = merges.lookup(left: leftSymbol.id, right: rightSymbol.id) {
                heap.insert(BPEBigram(rank: merge.rank, left: left, right: right, size: size, result: merge.result))
            }
            return
        }
        guard !merges.textMerges.isEmpty else { return }
        func spelling(_ symbol: BPESymbol) -> [UInt8] {
            var bytes: [UInt8] = []
            ByteLevel.encode(UnsafeBufferPointer(rebasing: word[Int(symbol.start)..<Int(symbol.start + symbol.length)]), into: &bytes)
            return bytes
        }
        let leftText = spelling(leftSymbol)
        let rightText = spelling(rightSymbol)
        if let rank = merges.textMerges[BytePairMerges.TextPair(left: leftText, right: rightText)] {
            let result = table.id(of: leftText + rightText) ?? -1
            heap.insert(BPEBigram(rank: rank, left: left, right: right, size: size, result: result))
        }
    }
}

/// What `BinaryHeap` orders by.
protocol HeapElement {
    /// True when `a` must come out before `b`.
    static func precedes(_ a: Self, _ b: Self) -> Bool
}

/// A binary heap whose first element is the one that precedes all others.
struct BinaryHeap<Element: HeapElement> {
    private var storage: [Element] = []

    var isEmpty: Bool { storage.isEmpty }

    mutating func removeAll() { storage.removeAll(keepingCapacity: true) }

    mutating func insert(_ element: Element) {
        storage.append(element)
        storage.withUnsafeMutableBufferPointer { heap in
            var child = heap.count - 1
            let moving = heap[child]
            while child > 0 {
                let parent = (child - 1) / 2
                guard Element.precedes(moving, heap[parent]) else { break }
                heap[child] = heap[parent]
                child = parent
            }
            heap[child] = moving
        }
    }

    mutating func popFirst() -> Element? {
        guard let last = storage.popLast() else { return nil }
        guard !storage.isEmpty else { return last }
        return storage.withUnsafeMutableBufferPointer { heap in
            let first = heap[0]
            let count = heap.count
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < count else { break }
                let right = left + 1
                let best = right < count && Element.precedes(heap[right], heap[left]) ? right : left
                guard Element.precedes(heap[best], last) else { break }
                heap[parent] = heap[best]
                parent = best
            }
            heap[parent] = last
            return first
        }
    }
}
