import CLibFuzzer
import Foundation
import FuzzTargets

/// The target this process fuzzes, chosen once at start from `HEARTH_FUZZ_TARGET`.
nonisolated(unsafe) private var selected = FuzzTarget.json

/// `HEARTH_FUZZ_TARGET=NAME hearth-fuzz [libFuzzer flags] [corpus directories]`.
///
/// SwiftPM gives an executable its own `main`, so libFuzzer is linked without its `main`
/// (`libclang_rt.fuzzer_no_main`) and started here through `LLVMFuzzerRunDriver`.
@main
enum HearthFuzz {
    static func main() {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        guard let name = ProcessInfo.processInfo.environment["HEARTH_FUZZ_TARGET"] else {
            FileHandle.standardError.write(Data("set HEARTH_FUZZ_TARGET to one of: \(names)\n".utf8))
            exit(2)
        }
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("HEARTH_FUZZ_TARGET=\(name) is not a target; the targets are: \(names)\n".utf8))
            exit(2)
        }
        selected = target
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            selected.run(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        })
    }
}

/// libFuzzer calls this, when defined, instead of its own mutator: GGUF inputs get the
/// structure-aware one (which falls back on libFuzzer's for part of the calls), the others
/// libFuzzer's unchanged.
@_cdecl("LLVMFuzzerCustomMutator")
public func customMutator(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    guard selected == .gguf, let data else { return LLVMFuzzerMutate(data, size, maxSize) }
    return GGUFFieldMutator.mutate(data, size: size, maxSize: maxSize, seed: seed) { LLVMFuzzerMutate($0, $1, $2) }
}
