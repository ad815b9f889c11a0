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
    /// The size of the file, or of all parts together for a split model.
    public let fileSize: Int
    /// 1, or the number of parts of a split model (llama.cpp's `-00001-of-0000N.gguf` files).
    public var partCount: Int { parts.count }
    /// Whether every part is a memory map of its file (not bytes copied into memory): then a page
    /// of tensor data handed back to the system (`madvise`) is read again from the file.
    public var isMemoryMapped: Bool { parts.allSatisfy { $0.storage.isMapped } }

    /// Each part's memory and the offset of its tensor data; tensors of a split model live in several.
    private let parts: [(storage: GGUFStorage, dataOffset: Int)]
    private let tensorIndex: [String: Int]
    /// For each tensor of `tensors`, the part holding its bytes.
    private let tensorPart: [Int]

    /// Maps the file read-only (MAP_PRIVATE) and validates its header and tensor table.
    public convenience init(url: URL) throws {
        try self.init(storages: [GGUFStorage(mapping: url)], names: [url.path])
    }

    /// Maps every part of a split model, in order: the first holds the model's metadata, each holds
    /// its own tensors; `split.no` and `split.count` must agree with the order and number given.
    public convenience init(urls: [URL]) throws {
        guard !urls.isEmpty else { throw GGUFError.ioError("no GGUF file given") }
        try self.init(storages: urls.map { try GGUFStorage(mapping: $0) }, names: urls.map(\.path))
    }

    /// Parses a GGUF file held in memory; keeps its own copy of the bytes.
    public convenience init(bytes: [UInt8]) throws {
        try self.init(storages: [GGUFStorage(copying: bytes)], names: ["<memory>"])
    }

    /// Parses the parts of a split model held in memory.
    public convenience init(partBytes: [[UInt8]]) throws {
        guard !partBytes.isEmpty else { throw GGUFError.ioError("no GGUF part given") }
        try self.init(storages: partBytes.map { try GGUFStorage(copying: $0) }, names: partBytes.indices.map { "<part \($0 + 1)>" })
    }

    private init(storages: [GGUFStorage], names: [String]) throws {
        let layouts = try storages.map { try GGUFParser.parse($0.bytes) }
        let first = layouts[0]
        if storages.count > 1 || first.metadata.int("split.count").map({ $0 > 1 }) == true {
            try Self.checkSplit(layouts.map(\.metadata), names: names)
        }
        var tensors: [GGUFTensorInfo] = []
        var index: [String: Int] = [:]
        var owner: [Int] = []
        for (part, layout) in layouts.enumerated() {
            for tensor in layout.tensors {
                guard index[tensor.name] == nil else {
                    throw GGUFError.ioError("\(names[part]): tensor '\(tensor.name)' appears in two parts of the split model")
                }
                index[tensor.name] = tensors.count
                tensors.append(tensor)
                owner.append(part)
            }
        }
        if let declared = first.metadata.int("split.tensors.count"), storages.count > 1, declared != tensors.count {
            throw GGUFError.ioError("\(names[0]): split.tensors.count is \(declared) but the parts hold \(tensors.count) tensors")
        }
        self.parts = zip(storages, layouts).map { ($0, $1.dataOffset) }
        self.version = first.version
        self.metadata = first.metadata
        self.tensors = tensors
        self.tensorIndex = index
        self.tensorPart = owner
        self.alignment = first.alignment
        self.dataOffset = first.dataOffset
        self.fileSize = storages.reduce(0) { $0 + $1.bytes.count }
    }

    /// `split.no` counts from 0 in file order and `split.count` is the number of parts, in every part.
    private static func checkSplit(_ metadata: [GGUFMetadata], names: [String]) throws {
        for (position, meta) in metadata.enumerated() {
            guard let count = meta.int("split.count"), let number = meta.int("split.no") else {
                throw GGUFError.ioError("\(names[position]): a part of a split model without split.count and split.no")
            }
            guard count == metadata.count else {
                throw GGUFError.ioError("\(names[position]): split.count is \(count) but \(metadata.count) parts were given")
            }
            guard number == position else {
                throw GGUFError.ioError("\(names[position]): split.no is \(number), expected \(position) (parts out of order?)")
            }
        }
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
        let part = parts[tensorPart[index]]
        let start = part.dataOffset + tensor.offset
        return UnsafeRawBufferPointer(rebasing: part.storage.bytes[start..<start + tensor.byteCount])
    }

    /// The bytes of the tensor of that name, or nil when there is none.
    public func data(named name: String) -> UnsafeRawBufferPointer? {
        tensor(named: name).map { data(for: $0) }
    }

    /// The whole file (the first part of a split model), valid while this `GGUFFile` lives.
    public var bytes: UnsafeRawBufferPointer { parts[0].storage.bytes }
}

/// Owns the memory a `GGUFFile` reads: a file mapping, unmapped on release, or an aligned heap copy.
private final class GGUFStorage {
    let bytes: UnsafeRawBufferPointer
    let isMapped: Bool

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
