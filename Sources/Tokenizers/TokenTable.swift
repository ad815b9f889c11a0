/// Token texts and the text → id index, without one heap object per token.
///
/// Every token's bytes sit in one contiguous buffer; an open-addressing hash table maps byte strings
/// to ids. Look-ups take a pointer and a length, so the encoders can ask "is this slice of the input
/// a token?" without building a string — the SentencePiece merge loop asks that for every candidate
/// pair.
struct TokenTable {
    /// All token texts, back to back.
    private(set) var bytes: [UInt8]
    /// Token `i` is `bytes[offsets[i]..<offsets[i + 1]]`.
    private(set) var offsets: [Int]
    /// Open addressing, linear probing; -1 marks an empty slot. Capacity is a power of two at least
    /// twice the token count, so probes stay short.
    private var slots: [Int32]
    private var mask: Int

    var count: Int { offsets.count - 1 }

    /// Builds the table; returns the ids of the first duplicate pair found, if any.
    init(texts: [[UInt8]]) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(texts.reduce(0) { $0 + $1.count })
        var offsets: [Int] = [0]
        offsets.reserveCapacity(texts.count + 1)
        for text in texts {
            bytes.append(contentsOf: text)
            offsets.append(bytes.count)
        }
        var capacity = 16
        while capacity < texts.count * 2 { capacity <<= 1 }
        self.bytes = bytes
        self.offsets = offsets
        self.slots = [Int32](repeating: -1, count: capacity)
        self.mask = capacity - 1
        for id in 0..<texts.count {
            if let existing = insert(id: Int32(id)) {
                throw TokenizerError.duplicateToken(text: String(decoding: texts[id], as: UTF8.self), firstID: existing, secondID: Int32(id))
            }
        }
    }

    /// Inserts `id` under its text; returns the id already there if the text is taken.
    private mutating func insert(id: Int32) -> Int32? {
        let start = offsets[Int(id)]
        let length = offsets[Int(id) + 1] - start
        let found: Int32? = bytes.withUnsafeBufferPointer { all in
            lookup(UnsafeBufferPointer(rebasing: all[start..<start + length]), storage: all)
        }
        if let found { return found }
        let hash = bytes.withUnsafeBufferPointer { all in
            Self.hash(UnsafeBufferPointer(rebasing: all[start..<start + length]))
        }
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = id
        return nil
    }

    /// The id of the token whose text is exactly `key`, if any.
    @inline(__always)
    func id(of key: UnsafeBufferPointer<UInt8>) -> Int32? {
        bytes.withUnsafeBufferPointer { lookup(key, storage: $0) }
    }

    func id(of key: [UInt8]) -> Int32? {
        key.withUnsafeBufferPointer { id(of: $0) }
    }

    @inline(__always)
    private func lookup(_ key: UnsafeBufferPointer<UInt8>, storage: UnsafeBufferPointer<UInt8>) -> Int32? {
        var slot = Int(truncatingIfNeeded: Self.hash(key)) & mask
        return slots.withUnsafeBufferPointer { slots in
            offsets.withUnsafeBufferPointer { offsets in
                while true {
                    let id = slots[slot]
                    if id < 0 { return nil }
                    let start = offsets[Int(id)]
                    let length = offsets[Int(id) + 1] - start
                    if length == key.count {
                        var equal = true
                        var i = 0
                        while i < length {
                            if storage[start + i] != key[i] { equal = false; break }
                            i += 1
                        }
                        if equal { return id }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    /// FNV-1a, 64-bit: short keys, and good enough spread for linear probing at load ≤ 1/2.
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash ^ (hash >> 29)
    }

    /// The bytes of token `id`.
    func text(_ id: Int32) -> [UInt8] {
        let start = offsets[Int(id)]
        return Array(bytes[start..<offsets[Int(id) + 1]])
    }

    func textLength(_ id: Int32) -> Int {
        offsets[Int(id) + 1] - offsets[Int(id)]
    }
}
