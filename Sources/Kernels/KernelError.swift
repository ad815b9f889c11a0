import GGUF

/// Why a kernel refused its input. Kernels check their arguments up front and throw instead of
/// trapping, because tensor types and shapes come from files the user did not write.
public enum KernelError: Error, Equatable, CustomStringConvertible {
    /// The kernel has no implementation for this tensor type.
    case unsupportedType(GGMLType)
    /// `count` elements is not a whole number of `type`'s blocks.
    case notBlockAligned(type: GGMLType, count: Int)
    /// Operand sizes do not fit together; the text names the operands and their sizes.
    case shapeMismatch(String)

    public var description: String {
        switch self {
        case .unsupportedType(let type):
            return "tensor type \(type) is not supported by this kernel"
        case .notBlockAligned(let type, let count):
            return "\(count) elements is not a whole number of \(type) blocks of \(type.blockSize)"
        case .shapeMismatch(let detail):
            return "shape mismatch: \(detail)"
        }
    }
}
