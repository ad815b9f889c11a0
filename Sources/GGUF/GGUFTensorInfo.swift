/// One entry of a GGUF file's tensor table.
///
/// Only the reader makes these, after checking them: the dimensions are non-negative, the counts do not
/// overflow, the first dimension is a whole number of the type's blocks, and the data lies inside the file.
public struct GGUFTensorInfo: Sendable, Hashable {
    public let name: String
    public let type: GGMLType
    /// ggml `ne` order: `dimensions[0]` is the contiguous (innermost) one, the length of a row.
    /// Empty for a 0-dimensional tensor, which holds one element as in ggml.
    public let dimensions: [Int]
    /// Offset of the data relative to the file's `dataOffset`, as stored.
    public let offset: Int
    /// Product of the dimensions (1 when there are none; 0 when one of them is 0, as ggml allows).
    public let elementCount: Int
    /// Bytes of data: whole blocks of the type.
    public let byteCount: Int

    /// Elements in one row: `dimensions[0]`, or 1 for a 0-dimensional tensor.
    public var rowLength: Int { dimensions.first ?? 1 }

    /// Rows: the product of all dimensions after the first.
    public var rowCount: Int { dimensions.dropFirst().reduce(1, *) }

    /// Bytes in one row (`ggml_row_size`).
    public var rowByteCount: Int { rowLength / type.blockSize * type.bytesPerBlock }

    /// Validates the shape against the type (see `checkedCounts`).
    init(name: String, type: GGMLType, dimensions: [Int], offset: Int) throws {
        let counts = try GGUFTensorInfo.checkedCounts(name: name, type: type, dimensions: dimensions)
        self.name = name
        self.type = type
        self.dimensions = dimensions
        self.offset = offset
        self.elementCount = counts.elements
        self.byteCount = counts.bytes
    }

    /// The element and byte counts of a shape, or `GGUFError.invalidDimensions` /
    /// `.tooManyDimensions` when ggml would refuse it.
    static func checkedCounts(name: String, type: GGMLType, dimensions: [Int]) throws -> (elements: Int, bytes: Int) {
        let raw = dimensions.map { UInt64(bitPattern: Int64($0)) }
        guard dimensions.count <= maxDimensions else {
            throw GGUFError.tooManyDimensions(tensor: name, count: UInt32(clamping: dimensions.count))
        }
        guard dimensions.allSatisfy({ $0 >= 0 }) else {
            throw GGUFError.invalidDimensions(tensor: name, dimensions: raw, reason: "a dimension is negative")
        }
        // Zero dimensions are multiplied as ones here: a zero-element tensor must not hide dimensions whose
        // product overflows, since `rowCount` and strides computed from them would.
        var nonzeroProduct = 1
        for dimension in dimensions {
            let (product, overflow) = nonzeroProduct.multipliedReportingOverflow(by: Swift.max(dimension, 1))
            guard !overflow else {
                throw GGUFError.invalidDimensions(tensor: name, dimensions: raw, reason: "the element count overflows 64 bits")
            }
            nonzeroProduct = product
        }
        let elements = dimensions.contains(0) ? 0 : nonzeroProduct
        let rowLength = dimensions.first ?? 1
        guard rowLength % type.blockSize == 0 else {
            throw GGUFError.invalidDimensions(
                tensor: name, dimensions: raw,
                reason: "the first dimension \(rowLength) is not a multiple of \(type)'s block size \(type.blockSize)")
        }
        guard let bytes = type.byteCount(elementCount: nonzeroProduct).map({ elements == 0 ? 0 : $0 }) else {
            throw GGUFError.invalidDimensions(tensor: name, dimensions: raw, reason: "the byte count overflows 64 bits")
        }
        return (elements, bytes)
    }

    /// ggml's GGML_MAX_DIMS.
    static let maxDimensions = 4
    /// ggml's GGML_MAX_NAME is 64 bytes including the terminating NUL.
    static let maxNameBytes = 63
}
