import Foundation
import Store

/// The engine's version and the commit it was built from, which `hearth --version` prints and
/// every audit run records.
enum BuildInfo {
    static let version = "0.5.0"

    /// The source tree's commit, read with git from the checkout this binary was built in (a
    /// SwiftPM build has no step that could stamp it); "+dirty" when the tree has uncommitted
    /// changes, "unknown" outside a checkout. A binary older than the last commit that changed the
    /// sources (Sources/, Package.swift) was not built from HEAD (it was copied aside, or the
    /// tree moved on without a rebuild): then the commit is unknown, and `executableSHA256` is
    /// what identifies the engine that ran. Commits of docs alone do not make a binary stale.
    static let commit: String = {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        guard let head = git(["rev-parse", "HEAD"], in: sources)?.trimmingCharacters(in: .whitespacesAndNewlines), head.count == 40 else {
            return "unknown"
        }
        if let committed = git(["log", "-1", "--format=%ct", "HEAD", "--", ":(top)Sources", ":(top)Package.swift"], in: sources).flatMap({ Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
           let built = executableModified, built.timeIntervalSince1970 < committed {
            return "unknown (the binary predates the checkout's HEAD \(head.prefix(12)))"
        }
        let dirty = git(["status", "--porcelain", "--untracked-files=no"], in: sources).map { !$0.isEmpty } ?? false
        return head + (dirty ? "+dirty" : "")
    }()

    /// SHA-256 of the running executable: the engine's identity whatever the checkout says.
    static let executableSHA256: String = {
        guard let path = executablePath, let data = FileManager.default.contents(atPath: path) else { return "unknown" }
        var hasher = SHA256Hasher()
        data.withUnsafeBytes { hasher.update($0) }
        return hasher.finalizeHex()
    }()

    private static var executablePath: String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? Bundle.main.executablePath
    }

    private static var executableModified: Date? {
        executablePath.flatMap { try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }
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
