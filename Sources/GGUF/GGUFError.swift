/// Why a GGUF file could not be opened, read or written.
///
/// Every count, length and offset in a GGUF file comes from outside; the reader checks each against the
/// bytes that remain before it allocates or reads, and reports the first problem as one of these cases.
/// `description` is one line that names the problem and where it is; the CLI prints it as is.
public enum GGUFError: Error, Equatable, CustomStringConvertible {
    /// The operating system refused to open, inspect, map or write the file.
    case ioError(String)
    /// The path names a directory, a device or another non-regular file.
    case notARegularFile(path: String)
    /// The file has no bytes at all.
    case emptyFile
    /// The file does not start with "GGUF"; carries the first bytes found (up to four).
    case badMagic([UInt8])
    /// Version 1 (32-bit counts, retired by ggml), 0, or newer than 3. A byte-swapped file (a big-endian
    /// GGUF) reads as a huge version; the description says so.
    case unsupportedVersion(UInt32)
    /// The file ends before a field: `needed` bytes at offset `at`, only `available` left.
    case truncated(reading: String, at: Int, needed: Int, available: Int)
    /// An element count (tensors, entries, array elements) that the rest of the file cannot hold even at
    /// the smallest encoding of each element; rejected before anything is allocated.
    case countExceedsFile(what: String, count: UInt64, at: Int, remaining: Int)
    /// A string length larger than the bytes that remain.
    case lengthExceedsFile(what: String, length: UInt64, at: Int, remaining: Int)
    /// A key or tensor name that is not valid UTF-8 (names are identifiers: they are never repaired).
    case invalidUTF8(what: String, at: Int)
    /// The metadata entry at this index has an empty key (ggml rejects these too).
    case emptyKey(index: Int)
    /// A key longer than the 65,535 bytes the GGUF specification allows.
    case keyTooLong(index: Int, length: Int)
    case duplicateKey(String)
    case unknownValueType(key: String, rawType: UInt32)
    /// Arrays of arrays nested deeper than `limit`.
    case arrayNestingTooDeep(key: String, limit: Int)
    /// `general.alignment` is not a nonzero power of two stored as u32; the string says what was found.
    case invalidAlignment(String)
    case duplicateTensor(String)
    /// A tensor name of 64 bytes or more (ggml keeps names in a 64-byte field with its NUL); `name`
    /// holds its first 63 bytes.
    case tensorNameTooLong(name: String, length: Int)
    /// More than 4 dimensions (ggml's GGML_MAX_DIMS).
    case tooManyDimensions(tensor: String, count: UInt32)
    /// A dimension that is negative as ggml's int64, an element or byte count that overflows, or a
    /// first dimension that is not a whole number of the type's blocks.
    case invalidDimensions(tensor: String, dimensions: [UInt64], reason: String)
    case unknownTensorType(tensor: String, rawType: UInt32)
    /// A tensor data offset that is not a multiple of the file's alignment.
    case misalignedTensorOffset(tensor: String, offset: UInt64, alignment: Int)
    /// Tensor data that would extend past the end of the file.
    case tensorOutOfBounds(tensor: String, offset: UInt64, byteCount: Int, dataSectionSize: Int)
    /// Writer: the bytes given for a tensor do not match its type and dimensions.
    case tensorByteCountMismatch(tensor: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .ioError(let message):
            return message
        case .notARegularFile(let path):
            return "not a GGUF file: \(path) is not a regular file"
        case .emptyFile:
            return "not a GGUF file: the file is empty"
        case .badMagic(let bytes):
            let shown = bytes.map { (0x20..<0x7f).contains($0) ? String(UnicodeScalar($0)) : "?" }.joined()
            let hex = bytes.map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            return "not a GGUF file: it starts with \"\(shown)\" (\(hex)) instead of \"GGUF\""
        case .unsupportedVersion(let version):
            if version == 1 {
                return "GGUF version 1 is not supported (it was retired by ggml); convert the file again"
            }
            if version != 0 && version & 0xFFFF == 0 {
                return "unsupported GGUF version \(version): the file looks big-endian; only little-endian files are supported"
            }
            return "unsupported GGUF version \(version): only versions 2 and 3 are supported"
        case .truncated(let reading, let at, let needed, let available):
            return "truncated GGUF file: \(reading) at offset \(at) needs \(needed) bytes but only \(available) remain"
        case .countExceedsFile(let what, let count, let at, let remaining):
            return "corrupt GGUF file: \(what) at offset \(at) claims \(count) elements, more than the remaining \(remaining) bytes can hold"
        case .lengthExceedsFile(let what, let length, let at, let remaining):
            return "corrupt GGUF file: \(what) at offset \(at) claims \(length) bytes but only \(remaining) remain"
        case .invalidUTF8(let what, let at):
            return "corrupt GGUF file: \(what) at offset \(at) is not valid UTF-8"
        case .emptyKey(let index):
            return "corrupt GGUF file: metadata entry \(index) has an empty key"
        case .duplicateKey(let key):
            return "corrupt GGUF file: metadata key '\(key)' appears more than once"
        case .unknownValueType(let key, let rawType):
            return "corrupt GGUF file: metadata key '\(key)' has unknown value type \(rawType)"
        case .arrayNestingTooDeep(let key, let limit):
            return "corrupt GGUF file: metadata key '\(key)' nests arrays more than \(limit) deep"
        case .invalidAlignment(let found):
            return "corrupt GGUF file: general.alignment must be a nonzero power of two stored as u32, found \(found)"
        case .duplicateTensor(let name):
            return "corrupt GGUF file: tensor '\(name)' appears more than once"
        case .keyTooLong(let index, let length):
            return "corrupt GGUF file: the key of metadata entry \(index) is \(length) bytes, over the format's limit of 65535"
        case .tensorNameTooLong(let name, let length):
            return "corrupt GGUF file: tensor name '\(GGUFError.shortened(name))…' is \(length) bytes, over ggml's limit of 63"
        case .tooManyDimensions(let tensor, let count):
            return "corrupt GGUF file: tensor '\(tensor)' has \(count) dimensions, more than ggml's 4"
        case .invalidDimensions(let tensor, let dimensions, let reason):
            return "corrupt GGUF file: tensor '\(tensor)' with dimensions \(dimensions): \(reason)"
        case .unknownTensorType(let tensor, let rawType):
            return "unsupported GGUF file: tensor '\(tensor)' has unknown ggml type \(rawType)"
        case .misalignedTensorOffset(let tensor, let offset, let alignment):
            return "corrupt GGUF file: tensor '\(tensor)' data offset \(offset) is not a multiple of the alignment \(alignment)"
        case .tensorOutOfBounds(let tensor, let offset, let byteCount, let dataSectionSize):
            return "corrupt or truncated GGUF file: tensor '\(tensor)' needs \(byteCount) bytes at data offset \(offset) but the data section holds only \(dataSectionSize) bytes"
        case .tensorByteCountMismatch(let tensor, let expected, let actual):
            return "tensor '\(tensor)' was given \(actual) bytes but its type and dimensions need \(expected)"
        }
    }

    private static func shortened(_ text: String, limit: Int = 80) -> String {
        text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}
