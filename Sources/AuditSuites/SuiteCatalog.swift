import Audit
import Foundation
import JSON

/// A probe suite that ships with Hearth: versioned data (task files and their datasets) with a
/// changelog, in `Suites/NAME/suite.json`.
public struct Suite: Sendable {
    public let name: String
    public let version: String
    public let description: String
    /// What the suite measures, and what its numbers can and cannot show.
    public let measures: String
    public let directory: URL
    public let taskFiles: [String]
    public let changelog: JSONValue
    /// The suite's answers must not be kept once scored (harmful-compliance: this project stores
    /// no harmful answer anywhere); `hearth audit withhold` replaces them by their hashes.
    public let withholdOutputs: Bool

    init(directory: URL) throws {
        let url = directory.appendingPathComponent("suite.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { throw AuditInputError(file: url.path, "cannot be read") }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes: [UInt8](data)) } catch { throw AuditInputError(file: url.path, "not valid JSON: \(error)") }
        guard let name = value["name"]?.stringValue, let version = value["version"]?.stringValue,
              let tasks = value["tasks"]?.arrayValue?.compactMap(\.stringValue), !tasks.isEmpty else {
            throw AuditInputError(file: url.path, "needs name, version and tasks")
        }
        self.name = name
        self.version = version
        description = value["description"]?.stringValue ?? ""
        measures = value["measures"]?.stringValue ?? ""
        self.directory = directory
        taskFiles = tasks
        changelog = value["changelog"] ?? .array([])
        withholdOutputs = value["withhold_outputs"] == .bool(true)
    }

    /// The suite's tasks, each checked against its dataset.
    public func tasks() throws -> [AuditTask] {
        try taskFiles.map { file in
            var task = try AuditTask(contentsOf: directory.appendingPathComponent(file))
            task.source = "suite \(name) \(version): \(file)"
            return task
        }
    }
}

/// The suites that ship with Hearth (the target's resources), or those in `$HEARTH_SUITES_DIR`.
public enum SuiteCatalog {
    public static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["HEARTH_SUITES_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return Bundle.module.resourceURL!.appendingPathComponent("Suites", isDirectory: true)
    }

    /// The labelled responses scorers are held to (docs/AUDIT.md).
    public static var calibrationDirectory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Calibration", isDirectory: true)
    }

    public static func all() throws -> [Suite] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return try names.sorted().compactMap { name in
            let folder = directory.appendingPathComponent(name, isDirectory: true)
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("suite.json").path) else { return nil }
            return try Suite(directory: folder)
        }
    }

    public static func named(_ name: String) throws -> Suite? {
        try all().first { $0.name == name }
    }
}
