#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A cursor over little-endian bytes that checks every read against the bytes that remain.
///
/// The `what` arguments are autoclosures: they name the field for the error message and cost nothing
/// unless a read fails, which matters when a vocabulary makes 262,144 string reads.
struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    var remaining: Int { buffer.count - offset }

    private func require(_ count: Int, _ what: () -> String) throws {
        guard count <= remaining else {
            throw GGUFError.truncated(reading: what(), at: offset, needed: count, available: remaining)
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
        try require(MemoryLayout<T>.size, what)
        let value = buffer.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    mutating func readFloat(_ what: @autoclosure () -> String) throws -> Float {
        Float(bitPattern: try read(UInt32.self, what()))
    }

    mutating func readDouble(_ what: @autoclosure () -> String) throws -> Double {
        Double(bitPattern: try read(UInt64.self, what()))
    }

    /// Skips forward to `newOffset` (padding), which must lie within the buffer.
    mutating func skip(to newOffset: Int, _ what: @autoclosure () -> String) throws {
        try require(newOffset - offset, what)
        offset = newOffset
    }

    /// Reads a u64 element count and checks that `count × minimumElementSize` bytes remain, so that
    /// nothing sized by the count is allocated before the file has been shown to hold it.
    mutating func readCount(minimumElementSize: Int, _ what: @autoclosure () -> String) throws -> Int {
        let countOffset = offset
        let count = try read(UInt64.self, what())
        guard count <= UInt64(remaining / minimumElementSize) else {
            throw GGUFError.countExceedsFile(what: what(), count: count, at: countOffset, remaining: remaining)
        }
        return Int(count)
    }

    /// Reads a u64-length-prefixed string's bytes; the slice points into the buffer.
    mutating func readStringBytes(_ what: @autoclosure () -> String) throws -> UnsafeRawBufferPointer {
        let lengthOffset = offset
        let length = try read(UInt64.self, what())
        guard length <= UInt64(remaining) else {
            throw GGUFError.lengthExceedsFile(what: what(), length: length, at: lengthOffset, remaining: remaining)
        }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + Int(length)])
        offset += Int(length)
        return bytes
    }

    /// A string that must be valid UTF-8 and at most `maxLength` bytes (keys and tensor names):
    /// identifiers are never repaired, and the length is checked before any decoding, so that a
    /// corrupt length cannot make the reader decode megabytes of tensor data as a name.
    mutating func readIdentifier(
        maxLength: Int, tooLong: (_ length: Int, _ prefix: String) -> GGUFError, _ what: @autoclosure () -> String
    ) throws -> String {
        let start = offset
        let bytes = try readStringBytes(what())
        guard bytes.count <= maxLength else {
            throw tooLong(bytes.count, ByteReader.decodeUTF8(UnsafeRawBufferPointer(rebasing: bytes.prefix(maxLength))).0)
        }
        let (string, valid) = ByteReader.decodeUTF8(bytes)
        guard valid else { throw GGUFError.invalidUTF8(what: what(), at: start) }
        return string
    }

    /// A string value: invalid UTF-8 is decoded with U+FFFD replacements and reported through `repaired`.
    mutating func readText(repaired: inout Bool, _ what: @autoclosure () -> String) throws -> String {
        let (string, valid) = ByteReader.decodeUTF8(try readStringBytes(what()))
        if !valid { repaired = true }
        return string
    }

    /// Decodes UTF-8, repairing invalid sequences with U+FFFD, and says whether it was valid.
    ///
    /// `String(decoding:)` over a typed buffer takes the standard library's fast path (it validates
    /// and copies in one pass); a repaired string differs from its input, which one `memcmp` detects.
    /// This is several times faster than `String(validating:)` over a raw buffer, which matters for
    /// vocabularies of 150,000-260,000 tokens.
    static func decodeUTF8(_ bytes: UnsafeRawBufferPointer) -> (String, valid: Bool) {
        let typed = bytes.assumingMemoryBound(to: UInt8.self)
        var string = String(decoding: typed, as: UTF8.self)
        let valid = string.withUTF8 { decoded in
            decoded.count == typed.count && (typed.isEmpty || memcmp(decoded.baseAddress!, typed.baseAddress!, typed.count) == 0)
        }
        return (string, valid)
    }

    /// `count` fixed-width values copied in one go; the caller has checked the count with `readCount`.
    mutating func readArray<T: FixedWidthInteger>(of _: T.Type, count: Int) -> [T] {
        let values: [T] = copyRaw(count: count)
        #if _endian(big)
        return values.map { T(littleEndian: $0) }
        #else
        return values
        #endif
    }

    mutating func readFloatArray(count: Int) -> [Float] {
        #if _endian(big)
        return readArray(of: UInt32.self, count: count).map { Float(bitPattern: $0) }
        #else
        return copyRaw(count: count)
        #endif
    }

    mutating func readDoubleArray(count: Int) -> [Double] {
        #if _endian(big)
        return readArray(of: UInt64.self, count: count).map { Double(bitPattern: $0) }
        #else
        return copyRaw(count: count)
        #endif
    }

    /// ggml reads a bool as a byte and takes any nonzero value as true; so does this reader.
    mutating func readBoolArray(count: Int) -> [Bool] {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + count])
        offset += count
        return bytes.map { $0 != 0 }
    }

    private mutating func copyRaw<T>(count: Int) -> [T] {
        let byteCount = count * MemoryLayout<T>.stride
        precondition(byteCount <= remaining, "array count must be checked with readCount first")
        let source = UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + byteCount])
        offset += byteCount
        return [T](unsafeUninitializedCapacity: count) { destination, initialized in
            UnsafeMutableRawBufferPointer(destination).copyMemory(from: source)
            initialized = count
        }
    }
}
