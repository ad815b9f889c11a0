import CKernels
import Foundation

/// Which instruction-set level the C kernels run at: detected once from the CPU (and the OS's
/// support for its register state), cached, and overridable downwards so that tests can hold every
/// level to the Swift scalar twins on one machine.
///
/// This is the single dispatch point (the C side keeps one kernel table per level and one pointer
/// to the active table); nothing else in the package inspects CPU features.
public enum KernelDispatch {
    /// Kernel levels, each a superset of the one before.
    public enum Level: Int, CaseIterable, Comparable, Sendable, CustomStringConvertible {
        /// Plain C compiled with the package's default flags; every CPU.
        case portable = 0
        /// x86-64 AVX2 + FMA + F16C.
        case avx2 = 1
        /// AVX2 plus AVX-512 VNNI (with F, VL, BW), used at 256-bit width.
        case avx512VNNI = 2

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .portable: return "portable C"
            case .avx2: return "AVX2"
            case .avx512VNNI: return "AVX-512 VNNI (256-bit)"
            }
        }
    }

    /// The best level this machine supports.
    public static var detected: Level { Level(rawValue: Int(hk_detected_level())) ?? .portable }

    /// The level the kernels use now.
    public static var active: Level { Level(rawValue: Int(hk_active_level())) ?? .portable }

    /// Every level this machine can run, lowest first.
    public static var available: [Level] { Level.allCases.filter { $0 <= detected } }

    /// Makes all later kernel calls (from every thread) use `level`. Returns false, changing
    /// nothing, when the CPU lacks it. Meant for tests and benchmarks; `reset()` undoes it.
    @discardableResult
    public static func force(_ level: Level) -> Bool {
        hk_force_level(Int32(level.rawValue)) != 0
    }

    /// Back to the detected level.
    public static func reset() {
        hk_reset_level()
    }
}

/// What the kernels know about the machine, for logs and benchmark reports.
public enum CPUFeatures {
    /// Logical processors available to this process.
    public static var activeProcessorCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// One line: the kernel level in use and the processor count.
    public static var summary: String {
        "kernels: \(KernelDispatch.active) (detected \(KernelDispatch.detected)), \(activeProcessorCount) processors"
    }
}
