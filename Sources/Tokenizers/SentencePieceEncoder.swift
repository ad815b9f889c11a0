/// SentencePiece-style tokenization of one text fragment, as llama.cpp's `llm_tokenizer_spm_session`
/// (`tokenizer.ggml.model = "llama"`: Llama 2, Gemma, …).
///
/// The fragment (spaces already written as "▁") starts as one symbol per UTF-8 character; the
/// adjacent pair whose concatenation is the highest-scoring token is merged, ties going to the
/// leftmost, until no adjacent pair forms a token. A symbol left that is not a token (a character
/// the vocabulary lacks, or a malformed byte) falls back to its bytes' `<0xNN>` tokens.
///
/// Symbols are always contiguous ranges of the fragment, so "is this pair a token?" is a look-up of
/// a slice of the input, with no string built.
struct SentencePieceEncoder {
    let table: TokenTable
    let scores: [Float]
    /// The token for each byte value: `<0xNN>`, else the one-byte text itself, else the unknown
    /// token, else -1 (dropped). llama.cpp aborts in that last case.
    let byteFallback: [Int32]

    init(table: TokenTable, scores: [Float], unknown: Int32?) {
        self.table = table
        self.scores = scores
        let hex = Array("0123456789ABCDEF".utf8)
        byteFallback = (0..<256).map { byte in
            let name = Array("<0x".utf8) + [hex[byte >> 4], hex[byte & 15], UInt8(ascii: ">")]
            return table.id(of: name) ?? table.id(of: [UInt8(byte)]) ?? unknown ?? -1
        }
    }

    /// Appends the tokens of `text` to `output`.
    func encode(_ text: UnsafeBufferPointer<UInt8>, scratch: inout SentencePieceScratch, output: inout [Int32]) {
        guard !text.isEmpty else { return }
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
        let count = text.count
        var offset = 0
        while offset < count {
            // llama.cpp trusts the lead byte's announced length, clipped at the end of the text.
            let length = min(LenientUTF8.sequenceLength(leadByte: text[offset]), count - offset)
            let index = Int32(symbols.count)
            symbols.append(SPMSymbol(start: Int32(offset), length: Int32(length), previous: index - 1,
                                     next: offset + length == count ? -1 : index + 1))
            offset += length
        }
        symbols.withUnsafeMutableBufferPointer { symbols in
            for index in 1..<max(symbols.count, 1) {
                addBigram(left: Int32(index - 1), right: Int32(index), symbols: symbols, text: text, heap: &heap)
            }
            while let bigram = heap.popFirst() {
                let left = Int(bigram.left)
                let right = Int(bigram.right)
                let leftLength = symbols[left].length
                let rightLength = symbols[right].length
                if leftLength == 0 || rightLength == 0 || leftLength + rightLength != bigram.size { continue }
                symbols[left].length += rightLength
                symbols[right].length = 0
                let next = symbols[right].next
                symbols[left].next = next
                if next >= 0 { symbols[Int(next)].previous = bigram.left }
                addBigram(left: symbols[left].previous, right: bigram.left, symbols: symbols, text: text, heap: &heap)
                addBigram(left: bigram.left, right: next, symbols: symbols, text: text, heap: &heap)
            }
        }

        // Every merged symbol is a token (a pair is queued only when its text is one, and a queued pair
        // is merged only while both halves are unchanged), so llama.cpp's re-segmentation map never
        // applies: a symbol is a token, or an unmerged character that falls back to bytes.
        var index: Int32 = 0
        while index >= 0 {
            let symbol = symbols[Int(index)]
            let slice = UnsafeBufferPointer(rebasing: text[Int(symbol.start)..<Int(symbol.start + symbol.length)])
            if let id = table.id(of: slice) {
                output.append(id)
            } else {
                for byte in slice where byteFallback[Int(byte)] >= 0 {
                    output.append(byteFallback[Int(byte)])
                }
            }
            index = symbol.next
        }
    }

    @inline(__always)
    private func addBigram(left: Int32, right: Int32, symbols: UnsafeMutableBufferPointer<SPMSymbol>,
                           text: UnsafeBufferPointer<UInt8>, heap: inout BinaryHeap<SPMBigram>) {
        guard left >= 0, right >= 0 else { return }
        let start = Int(symbols[Int(left)].start)
        let size = symbols[Int(left)].length + symbols[Int(right)].length
        guard let id = table.id(of: UnsafeBufferPointer(rebasing: text[start..<start + Int(size)])) else { return }
        heap.insert(SPMBigram(score: scores[Int(id)], left: left, right: right, size: size))
    }
}

/// Reusable buffers for encoding the fragments of one input.
struct SentencePieceScratch {
    fileprivate var symbols: [SPMSymbol] = []
    fileprivate var heap = BinaryHeap<SPMBigram>()
}

private struct SPMSymbol {
    var start: Int32
    var length: Int32   // 0 once merged into its left neighbour
    var previous: Int32
    var next: Int32
}

private struct SPMBigram: HeapElement {
    let score: Float
    let left: Int32
    let right: Int32
    let size: Int32

    /// Highest score first; among equal scores the leftmost (llama.cpp's `llm_bigram_spm::comparator`).
    @inline(__always) static func precedes(_ a: SPMBigram, _ b: SPMBigram) -> Bool {
        a.score > b.score || (a.score == b.score && a.left < b.left)
    }
}
