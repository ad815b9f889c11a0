import Foundation
import Store

/// The engine's version and the commit it was built from, which `hearth --version` prints and
/// every audit run records.
enum BuildInfo {
    static let version = "0.5.0"

    /// The source tree's commit, read with git from the checkout this binary was built in, when it
    /// runs (a SwiftPM build has no step that could stamp it into the binary); "+dirty" when the
    /// sources (Sources/, Package.swift) have uncommitted changes, "unknown" outside a checkout.
    /// A binary copied aside, or a tree that moved on without a rebuild, reports the checkout's
    /// commit, not its own: the binary's own identity is `executableSHA256`, which every audit
    /// run records beside it.
    static let commit: String = {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        guard let head = git(["rev-parse", "HEAD"], in: sources)?.trimmingCharacters(in: .whitespacesAndNewlines), head.count == 40 else {
            return "unknown"
        }
        // Dirty means the sources differ from the commit: a changed audit database or page
        // elsewhere in the tree does not change what the binary computes.
        let dirty = git(["status", "--porcelain", "--untracked-files=no", "--", ":(top)Sources", ":(top)Package.swift"], in: sources)
            .map { !$0.isEmpty } ?? false
        return head + (dirty ? "+dirty" : "")
    }()

    /// SHA-256 of the running executable: the engine's identity whatever the checkout says.
    static let executableSHA256: String = {
        guard let path = executablePath else { return "unknown" }
        return (try? ModelStore.sha256(of: URL(fileURLWithPath: path))) ?? "unknown"
    }()

    private static var executablePath: String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? Bundle.main.executablePath
    }

    static var versionLine: String { "\(version) (\(commit))" }

    private static func git(_ arguments: [String], in directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
