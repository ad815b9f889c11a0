import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A GGUF file: its metadata and tensor table, checked in full when opened, and its tensor data in
/// memory (a read-only private map of the file, or a copy of the bytes given).
///
/// Because everything is validated up front, `data(for:)` cannot fail: each tensor's bytes are known to
/// lie inside the file. The buffers it returns stay valid as long as this object lives.
public final class GGUFFile: @unchecked Sendable {  // immutable after init; the mapping is read-only
    public let version: UInt32
    public let metadata: GGUFMetadata
    /// The tensor table in file order.
    public let tensors: [GGUFTensorInfo]
    /// `general.alignment`, or 32 when the key is absent.
    public let alignment: Int
    /// Absolute offset of the tensor data section (the end of the header when there are no tensors).
    public let dataOffset: Int
    public let fileSize: Int

    private let storage: GGUFStorage
    private let tensorIndex: [String: Int]

    /// Maps the file read-only (MAP_PRIVATE) and validates its header and tensor table.
    public convenience init(url: URL) throws {
        try self.init(storage: GGUFStorage(mapping: url))
    }

    /// Parses a GGUF file held in memory; keeps its own copy of the bytes.
    public convenience init(bytes: [UInt8]) throws {
        try self.init(storage: GGUFStorage(copying: bytes))
    }

    private init(storage: GGUFStorage) throws {
        let layout = try GGUFParser.parse(storage.bytes)
        self.storage = storage
        self.version = layout.version
        self.metadata = layout.metadata
        self.tensors = layout.tensors
        self.tensorIndex = layout.tensorIndex
        self.alignment = layout.alignment
        self.dataOffset = layout.dataOffset
        self.fileSize = storage.bytes.count
    }

    /// The tensor of that name, looked up in a dictionary.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The bytes of a tensor of this file, valid while this `GGUFFile` lives.
    ///
    /// Passing a tensor that is not from this file's table is a programming error and traps.
    public func data(for tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        guard let index = tensorIndex[tensor.name], tensors[index] == tensor else {
            preconditionFailure("tensor '\(tensor.name)' is not in this GGUF file's tensor table")
        }
        let start = dataOffset + tensor.offset
        return UnsafeRawBufferPointer(rebasing: storage.bytes[start..<start + tensor.byteCount])
    }

    /// The bytes of the tensor of that name, or nil when there is none.
    public func data(named name: String) -> UnsafeRawBufferPointer? {
        tensor(named: name).map { data(for: $0) }
    }

    /// The whole file, valid while this `GGUFFile` lives.
    public var bytes: UnsafeRawBufferPointer { storage.bytes }
}

/// Owns the memory a `GGUFFile` reads: a file mapping, unmapped on release, or an aligned heap copy.
private final class GGUFStorage {
    let bytes: UnsafeRawBufferPointer
    private let isMapped: Bool

    init(copying source: [UInt8]) throws {
        guard !source.isEmpty else { throw GGUFError.emptyFile }
        // Page-aligned like a mapping, so tensor data has the same alignment either way.
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: source.count, alignment: 4096)
        source.withUnsafeBytes { copy.copyMemory(from: $0) }
        bytes = UnsafeRawBufferPointer(copy)
        isMapped = false
    }

    init(mapping url: URL) throws {
        let path = url.path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw GGUFError.ioError("cannot open \(path): \(GGUFStorage.lastErrorMessage())")
        }
        // The mapping keeps the file alive; the descriptor is not needed once it exists.
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw GGUFError.ioError("cannot inspect \(path): \(GGUFStorage.lastErrorMessage())")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw GGUFError.notARegularFile(path: path) }
        guard status.st_size > 0 else { throw GGUFError.emptyFile }
        guard let size = Int(exactly: status.st_size) else {
            throw GGUFError.ioError("cannot map \(path): its size \(status.st_size) does not fit in memory")
        }

        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw GGUFError.ioError("cannot map \(path): \(GGUFStorage.lastErrorMessage())")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
        isMapped = true
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        } else {
            base.deallocate()
        }
    }

    private static func lastErrorMessage() -> String {
        String(cString: strerror(errno))
    }
}
