/// What a GGUF file's header says, once every part of it has been checked.
struct GGUFLayout {
    var version: UInt32
    var metadata: GGUFMetadata
    var tensors: [GGUFTensorInfo]
    var tensorIndex: [String: Int]
    var alignment: Int
    var dataOffset: Int
    /// Where the tensor table starts (the end of the metadata); for tests and diagnostics.
    var tensorTableOffset: Int
}

/// Parses and validates a whole GGUF header from bytes in memory (a mapped file or a copy).
///
/// Validation happens here, all of it, so that a `GGUFFile` once made can hand out tensor data without
/// further checks. The rules follow ggml's `gguf_init_from_file_impl`, with these choices:
/// - keys longer than the specification's 65,535 bytes are refused;
/// - nested arrays are read (the format allows them; ggml's reader refuses them), at most
///   `maxArrayNesting` deep, so that a hostile file cannot recurse without bound;
/// - string values that are not valid UTF-8 are repaired with U+FFFD and their keys listed in
///   `GGUFMetadata.keysWithInvalidUTF8` (llama.cpp keeps the bytes); keys and tensor names must be valid;
/// - tensor data offsets must be multiples of the alignment and lie inside the file, but need not be in
///   file order or packed (ggml also requires each offset to follow the previous tensor's padded end);
/// - a file with no tensors needs no padding after its header (vocabulary-only files from gguf-py have
///   none): its `dataOffset` is then the end of the header, as in ggml.
enum GGUFParser {
    static let magic: [UInt8] = Array("GGUF".utf8)
    static let defaultAlignment = 32
    static let alignmentKey = "general.alignment"
    static let maxArrayNesting = 16
    /// The GGUF specification limits keys to 65,535 bytes (ggml does not check).
    static let maxKeyBytes = 65_535

    static func parse(_ buffer: UnsafeRawBufferPointer) throws -> GGUFLayout {
        guard buffer.count > 0 else { throw GGUFError.emptyFile }
        var reader = ByteReader(buffer)

        let magicBytes = Array(buffer.prefix(4))
        guard magicBytes == magic else {
            if magicBytes.count < 4 && magic.starts(with: magicBytes) {
                throw GGUFError.truncated(reading: "the magic", at: 0, needed: 4, available: buffer.count)
            }
            throw GGUFError.badMagic(magicBytes)
        }
        try reader.skip(to: 4, "the magic")
        let version = try reader.read(UInt32.self, "the version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(version) }

        // The smallest tensor info is a name length (8), n_dims (4), type (4) and offset (8); the smallest
        // entry a key length (8), a one-byte key, a value type (4) and a one-byte value.
        let tensorCount = try reader.read(UInt64.self, "the tensor count")
        let entryCount = try reader.readCount(minimumElementSize: 14, "the metadata entry count")
        guard tensorCount <= UInt64(reader.remaining / 24) else {
            throw GGUFError.countExceedsFile(what: "the tensor count", count: tensorCount, at: 8, remaining: reader.remaining)
        }

        let metadata = try readMetadata(&reader, entryCount: entryCount)
        let alignment = try alignment(of: metadata)
        let tensorTableOffset = reader.offset
        let (tensors, storedOffsets, tensorIndex) = try readTensorInfos(&reader, count: Int(tensorCount))

        var dataOffset = reader.offset
        if !tensors.isEmpty {
            let padded = roundUp(reader.offset, to: alignment)
            try reader.skip(to: padded, "the padding before the tensor data")
            dataOffset = padded
        }
        try checkTensorBounds(tensors, storedOffsets: storedOffsets, alignment: alignment,
                              dataSectionSize: buffer.count - dataOffset)

        return GGUFLayout(
            version: version, metadata: metadata, tensors: tensors, tensorIndex: tensorIndex,
            alignment: alignment, dataOffset: dataOffset, tensorTableOffset: tensorTableOffset)
    }

    // MARK: Metadata

    private static func readMetadata(_ reader: inout ByteReader, entryCount: Int) throws -> GGUFMetadata {
        var entries: [(key: String, value: GGUFValue)] = []
        entries.reserveCapacity(reservation(entryCount))
        var seen = Set<String>(minimumCapacity: reservation(entryCount))
        var repairedKeys: [String] = []
        for index in 0..<entryCount {
            let key = try reader.readIdentifier(
                maxLength: maxKeyBytes, tooLong: { length, _ in .keyTooLong(index: index, length: length) },
                "the key of metadata entry \(index)")
            guard !key.isEmpty else { throw GGUFError.emptyKey(index: index) }
            guard seen.insert(key).inserted else { throw GGUFError.duplicateKey(key) }
            let rawType = try reader.read(UInt32.self, "the value type of key '\(key)'")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw GGUFError.unknownValueType(key: key, rawType: rawType)
            }
            var repaired = false
            let value = try readValue(&reader, type: type, key: key, repaired: &repaired)
            if repaired { repairedKeys.append(key) }
            entries.append((key, value))
        }
        return GGUFMetadata(entries, keysWithInvalidUTF8: repairedKeys)
    }

    private static func readValue(
        _ reader: inout ByteReader, type: GGUFValueType, key: String, repaired: inout Bool
    ) throws -> GGUFValue {
        let what = "the value of key '\(key)'"
        switch type {
        case .uint8: return .uint8(try reader.read(UInt8.self, what))
        case .int8: return .int8(try reader.read(Int8.self, what))
        case .uint16: return .uint16(try reader.read(UInt16.self, what))
        case .int16: return .int16(try reader.read(Int16.self, what))
        case .uint32: return .uint32(try reader.read(UInt32.self, what))
        case .int32: return .int32(try reader.read(Int32.self, what))
        case .float32: return .float32(try reader.readFloat(what))
        case .uint64: return .uint64(try reader.read(UInt64.self, what))
        case .int64: return .int64(try reader.read(Int64.self, what))
        case .float64: return .float64(try reader.readDouble(what))
        case .bool: return .bool(try reader.read(UInt8.self, what) != 0)
        case .string: return .string(try reader.readText(repaired: &repaired, what))
        case .array: return .array(try readArray(&reader, key: key, depth: 1, repaired: &repaired))
        }
    }

    /// An array's element type, count and elements; `depth` counts this array (1 for a top-level one).
    private static func readArray(
        _ reader: inout ByteReader, key: String, depth: Int, repaired: inout Bool
    ) throws -> GGUFArray {
        guard depth <= maxArrayNesting else { throw GGUFError.arrayNestingTooDeep(key: key, limit: maxArrayNesting) }
        let what = depth == 1 ? "the array of key '\(key)'" : "a nested array (depth \(depth)) of key '\(key)'"
        let rawType = try reader.read(UInt32.self, "the element type of \(what)")
        guard let elementType = GGUFValueType(rawValue: rawType) else {
            throw GGUFError.unknownValueType(key: key, rawType: rawType)
        }
        let count = try reader.readCount(minimumElementSize: elementType.minimumEncodedSize, "the element count of \(what)")
        switch elementType {
        case .uint8: return .uint8(reader.readArray(of: UInt8.self, count: count))
        case .int8: return .int8(reader.readArray(of: Int8.self, count: count))
        case .uint16: return .uint16(reader.readArray(of: UInt16.self, count: count))
        case .int16: return .int16(reader.readArray(of: Int16.self, count: count))
        case .uint32: return .uint32(reader.readArray(of: UInt32.self, count: count))
        case .int32: return .int32(reader.readArray(of: Int32.self, count: count))
        case .uint64: return .uint64(reader.readArray(of: UInt64.self, count: count))
        case .int64: return .int64(reader.readArray(of: Int64.self, count: count))
        case .float32: return .float32(reader.readFloatArray(count: count))
        case .float64: return .float64(reader.readDoubleArray(count: count))
        case .bool: return .bool(reader.readBoolArray(count: count))
        case .string:
            var strings: [String] = []
            strings.reserveCapacity(reservation(count))
            for index in 0..<count {
                strings.append(try reader.readText(repaired: &repaired, "element \(index) of \(what)"))
            }
            return .string(strings)
        case .array:
            var arrays: [GGUFArray] = []
            arrays.reserveCapacity(reservation(count))
            for _ in 0..<count {
                arrays.append(try readArray(&reader, key: key, depth: depth + 1, repaired: &repaired))
            }
            return .array(arrays)
        }
    }

    /// `general.alignment` when present (a u32 power of two, as ggml requires), else 32.
    private static func alignment(of metadata: GGUFMetadata) throws -> Int {
        guard let value = metadata[alignmentKey] else { return defaultAlignment }
        guard case .uint32(let alignment) = value else {
            throw GGUFError.invalidAlignment("\(value.type) \(value)")
        }
        guard alignment != 0, alignment & (alignment - 1) == 0 else {
            throw GGUFError.invalidAlignment("\(alignment)")
        }
        return Int(alignment)
    }

    // MARK: Tensor infos

    /// The tensor infos, with their data offsets as stored (they are checked once the data section is known).
    private static func readTensorInfos(
        _ reader: inout ByteReader, count: Int
    ) throws -> ([GGUFTensorInfo], [UInt64], [String: Int]) {
        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(reservation(count))
        var storedOffsets: [UInt64] = []
        storedOffsets.reserveCapacity(reservation(count))
        var index: [String: Int] = [:]
        index.reserveCapacity(reservation(count))
        for position in 0..<count {
            let name = try reader.readIdentifier(
                maxLength: GGUFTensorInfo.maxNameBytes, tooLong: { .tensorNameTooLong(name: $1, length: $0) },
                "the name of tensor \(position)")
            guard index[name] == nil else { throw GGUFError.duplicateTensor(name) }

            let dimensionCount = try reader.read(UInt32.self, "the dimension count of tensor '\(name)'")
            guard dimensionCount <= UInt32(GGUFTensorInfo.maxDimensions) else {
                throw GGUFError.tooManyDimensions(tensor: name, count: dimensionCount)
            }
            var rawDimensions: [UInt64] = []
            for axis in 0..<Int(dimensionCount) {
                rawDimensions.append(try reader.read(UInt64.self, "dimension \(axis) of tensor '\(name)'"))
            }
            // ggml stores dimensions as int64: the top bit set means a negative dimension.
            guard rawDimensions.allSatisfy({ $0 <= UInt64(Int64.max) }) else {
                throw GGUFError.invalidDimensions(tensor: name, dimensions: rawDimensions, reason: "a dimension is negative")
            }
            let rawType = try reader.read(UInt32.self, "the type of tensor '\(name)'")
            guard let type = GGMLType(rawValue: rawType) else {
                throw GGUFError.unknownTensorType(tensor: name, rawType: rawType)
            }
            let offset = try reader.read(UInt64.self, "the data offset of tensor '\(name)'")
            // An offset past Int.max is kept as Int.max here; the bounds check rejects it by its stored value.
            let info = try GGUFTensorInfo(
                name: name, type: type, dimensions: rawDimensions.map { Int($0) }, offset: Int(clamping: offset))
            index[name] = tensors.count
            tensors.append(info)
            storedOffsets.append(offset)
        }
        return (tensors, storedOffsets, index)
    }

    private static func checkTensorBounds(
        _ tensors: [GGUFTensorInfo], storedOffsets: [UInt64], alignment: Int, dataSectionSize: Int
    ) throws {
        for (tensor, offset) in zip(tensors, storedOffsets) {
            guard offset % UInt64(alignment) == 0 else {
                throw GGUFError.misalignedTensorOffset(tensor: tensor.name, offset: offset, alignment: alignment)
            }
            // Written as a subtraction so that a huge offset cannot overflow.
            guard offset <= UInt64(dataSectionSize), tensor.byteCount <= dataSectionSize - Int(offset) else {
                throw GGUFError.tensorOutOfBounds(
                    tensor: tensor.name, offset: offset, byteCount: tensor.byteCount, dataSectionSize: dataSectionSize)
            }
        }
    }

    /// How many elements to reserve room for up front. A count is only known to fit the file at the
    /// smallest encoding of each element (an empty string is 8 bytes in the file but 16 in a `[String]`,
    /// a tensor info 24 bytes but far more in memory), so a corrupt count near that bound, in a file of
    /// many gigabytes, would reserve tens of gigabytes at once. Past this cap, storage grows only as
    /// elements are actually read, which keeps memory proportional to the bytes parsed.
    static func reservation(_ count: Int) -> Int {
        min(count, 1 << 20)
    }

    static func roundUp(_ value: Int, to alignment: Int) -> Int {
        (value + alignment - 1) / alignment * alignment
    }
}
