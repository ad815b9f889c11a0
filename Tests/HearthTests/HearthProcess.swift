import Foundation
import XCTest

/// Runs the built `hearth` executable as a user would: arguments, optional standard input, and
/// what it printed on each stream.
enum HearthProcess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The built `hearth` in the products directory (the test target depends on it, so it is built).
    static var executable: URL {
        #if os(macOS)
        return Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }!.bundleURL
            .deletingLastPathComponent().appendingPathComponent("hearth")
        #else
        return Bundle.main.bundleURL.appendingPathComponent("hearth")
        #endif
    }

    static func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        var inputPipe: Pipe?
        if input != nil {
            inputPipe = Pipe()
            process.standardInput = inputPipe
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        if let input, let inputPipe {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try inputPipe.fileHandleForWriting.close()
        }
        // Read both streams concurrently so neither pipe fills and blocks the child.
        let stderrReader = StreamReader(err.fileHandleForReading)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = stderrReader.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class StreamReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
