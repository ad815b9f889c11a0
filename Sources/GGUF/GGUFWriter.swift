import Foundation

/// Builds GGUF files (versions 2 and 3, little-endian), laid out as gguf-py and ggml lay them out: the
/// header, the metadata in insertion order, the tensor table, padding to the alignment, then each
/// tensor's data padded to the alignment.
///
/// The writer writes only files the reader accepts: shapes, byte counts and names are checked as
/// tensors are added, and the rest when serializing. (Tests that need a malformed file edit the bytes.)
public struct GGUFWriter: Sendable {
    public var version: UInt32
    /// Alignment of the data section and of every tensor; written as `general.alignment` when not 32.
    public var alignment: Int

    private var entries: [(key: String, value: GGUFValue)] = []
    private var entryIndex: [String: Int] = [:]
    private var pendingTensors: [PendingTensor] = []
    private var tensorNames: Set<String> = []

    private struct PendingTensor {
        var name: String
        var type: GGMLType
        var dimensions: [Int]
        var bytes: [UInt8]
    }

    public init(version: UInt32 = 3, alignment: Int = 32) {
        self.version = version
        self.alignment = alignment
    }

    /// Sets a metadata value; a key already present keeps its place and takes the new value.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        if let index = entryIndex[key] {
            entries[index].value = value
        } else {
            entryIndex[key] = entries.count
            entries.append((key, value))
        }
    }

    /// Adds a tensor with its raw data (whole blocks of `type`), after the tensors added before it.
    public mutating func addTensor(name: String, type: GGMLType, dimensions: [Int], bytes: [UInt8]) throws {
        guard name.utf8.count <= GGUFTensorInfo.maxNameBytes else {
            throw GGUFError.tensorNameTooLong(
                name: String(decoding: name.utf8.prefix(GGUFTensorInfo.maxNameBytes), as: UTF8.self), length: name.utf8.count)
        }
        guard !tensorNames.contains(name) else { throw GGUFError.duplicateTensor(name) }
        let counts = try GGUFTensorInfo.checkedCounts(name: name, type: type, dimensions: dimensions)
        guard counts.bytes == bytes.count else {
            throw GGUFError.tensorByteCountMismatch(tensor: name, expected: counts.bytes, actual: bytes.count)
        }
        tensorNames.insert(name)
        pendingTensors.append(PendingTensor(name: name, type: type, dimensions: dimensions, bytes: bytes))
    }

    /// Adds an F32 tensor.
    public mutating func addTensor(name: String, dimensions: [Int], floats: [Float]) throws {
        var bytes = [UInt8]()
        bytes.reserveCapacity(floats.count * 4)
        for value in floats { bytes.appendLittleEndian(value.bitPattern) }
        try addTensor(name: name, type: .f32, dimensions: dimensions, bytes: bytes)
    }

    /// The whole file.
    public func serialize() throws -> [UInt8] {
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(version) }
        guard alignment > 0, alignment & (alignment - 1) == 0, alignment <= Int(UInt32.max) else {
            throw GGUFError.invalidAlignment("\(alignment) (the writer's alignment)")
        }
        var allEntries = entries
        if let stored = entryIndex[GGUFParser.alignmentKey].map({ entries[$0].value }) {
            guard stored == .uint32(UInt32(alignment)) else {
                throw GGUFError.invalidAlignment("\(stored.type) \(stored) while the writer aligns to \(alignment)")
            }
        } else if alignment != GGUFParser.defaultAlignment {
            allEntries.append((GGUFParser.alignmentKey, .uint32(UInt32(alignment))))
        }

        var out: [UInt8] = []
        out.append(contentsOf: GGUFParser.magic)
        out.appendLittleEndian(version)
        out.appendLittleEndian(UInt64(pendingTensors.count))
        out.appendLittleEndian(UInt64(allEntries.count))

        for (index, entry) in allEntries.enumerated() {
            guard !entry.key.isEmpty else { throw GGUFError.emptyKey(index: index) }
            guard entry.key.utf8.count <= GGUFParser.maxKeyBytes else {
                throw GGUFError.keyTooLong(index: index, length: entry.key.utf8.count)
            }
            out.appendGGUFString(entry.key)
            out.appendLittleEndian(entry.value.type.rawValue)
            try out.appendGGUFValue(entry.value, key: entry.key)
        }

        var dataOffsets: [Int] = []
        var dataSize = 0
        for tensor in pendingTensors {
            dataOffsets.append(dataSize)
            dataSize = GGUFParser.roundUp(dataSize + tensor.bytes.count, to: alignment)
        }
        for (tensor, offset) in zip(pendingTensors, dataOffsets) {
            out.appendGGUFString(tensor.name)
            out.appendLittleEndian(UInt32(tensor.dimensions.count))
            for dimension in tensor.dimensions { out.appendLittleEndian(UInt64(dimension)) }
            out.appendLittleEndian(tensor.type.rawValue)
            out.appendLittleEndian(UInt64(offset))
        }

        out.append(contentsOf: repeatElement(0, count: GGUFParser.roundUp(out.count, to: alignment) - out.count))
        out.reserveCapacity(out.count + dataSize)
        for tensor in pendingTensors {
            out.append(contentsOf: tensor.bytes)
            out.append(contentsOf: repeatElement(0, count: GGUFParser.roundUp(out.count, to: alignment) - out.count))
        }
        return out
    }

    /// Serializes and writes the file atomically.
    public func write(to url: URL) throws {
        let bytes = try serialize()
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw GGUFError.ioError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// A whole array of integers at once (a 262,144-entry token type list is one copy, not 262,144 appends).
    fileprivate mutating func appendLittleEndian<T: FixedWidthInteger>(contentsOf values: [T]) {
        #if _endian(big)
        for value in values { appendLittleEndian(value) }
        #else
        values.withUnsafeBytes { append(contentsOf: $0) }
        #endif
    }

    fileprivate mutating func appendGGUFString(_ string: String) {
        appendLittleEndian(UInt64(string.utf8.count))
        // Native strings are contiguous UTF-8: one copy instead of a loop over the view.
        if string.utf8.withContiguousStorageIfAvailable({ append(contentsOf: $0) }) == nil {
            append(contentsOf: string.utf8)
        }
    }

    fileprivate mutating func appendGGUFValue(_ value: GGUFValue, key: String) throws {
        switch value {
        case .uint8(let v): appendLittleEndian(v)
        case .int8(let v): appendLittleEndian(v)
        case .uint16(let v): appendLittleEndian(v)
        case .int16(let v): appendLittleEndian(v)
        case .uint32(let v): appendLittleEndian(v)
        case .int32(let v): appendLittleEndian(v)
        case .float32(let v): appendLittleEndian(v.bitPattern)
        case .uint64(let v): appendLittleEndian(v)
        case .int64(let v): appendLittleEndian(v)
        case .float64(let v): appendLittleEndian(v.bitPattern)
        case .bool(let v): append(v ? 1 : 0)
        case .string(let v): appendGGUFString(v)
        case .array(let v): try appendGGUFArray(v, key: key, depth: 1)
        }
    }

    private mutating func appendGGUFArray(_ array: GGUFArray, key: String, depth: Int) throws {
        guard depth <= GGUFParser.maxArrayNesting else {
            throw GGUFError.arrayNestingTooDeep(key: key, limit: GGUFParser.maxArrayNesting)
        }
        appendLittleEndian(array.elementType.rawValue)
        appendLittleEndian(UInt64(array.count))
        switch array {
        case .uint8(let a): append(contentsOf: a)
        case .int8(let a): appendLittleEndian(contentsOf: a)
        case .uint16(let a): appendLittleEndian(contentsOf: a)
        case .int16(let a): appendLittleEndian(contentsOf: a)
        case .uint32(let a): appendLittleEndian(contentsOf: a)
        case .int32(let a): appendLittleEndian(contentsOf: a)
        case .float32(let a): appendLittleEndian(contentsOf: a.map(\.bitPattern))
        case .uint64(let a): appendLittleEndian(contentsOf: a)
        case .int64(let a): appendLittleEndian(contentsOf: a)
        case .float64(let a): appendLittleEndian(contentsOf: a.map(\.bitPattern))
        case .bool(let a): append(contentsOf: a.map { $0 ? 1 : 0 })
        case .string(let a): for v in a { appendGGUFString(v) }
        case .array(let a): for inner in a { try appendGGUFArray(inner, key: key, depth: depth + 1) }
        }
    }
}
