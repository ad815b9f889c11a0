import Foundation
import JSON
import Store

/// A dataset or task file that cannot be used, with the place that says why.
public struct AuditInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    /// 1-based; nil when the problem is the file as a whole.
    public let line: Int?
    public let message: String

    public init(file: String, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}

/// The samples of a JSON-lines file, and the SHA-256 of its bytes (a run records it, so a changed
/// dataset is never mistaken for the one a result came from).
public struct Dataset: Sendable {
    public let path: String
    public let samples: [Sample]
    public let sha256: String

    /// Files larger than this are refused rather than read into memory.
    public static let maximumBytes = 512 << 20
    /// A longer line is refused (a runaway line would otherwise be held whole).
    public static let maximumLineBytes = 16 << 20

    public init(path: String, samples: [Sample], sha256: String) {
        self.path = path
        self.samples = samples
        self.sha256 = sha256
    }

    /// Several files as one dataset (a suite written in parts): samples in order, ids unique
    /// across them, and a hash over the parts' hashes, so a change to any part is a new dataset.
    public init(combining parts: [Dataset]) throws {
        guard parts.count > 1 else {
            self = parts[0]
            return
        }
        var seen: [String: String] = [:]
        for part in parts {
            for sample in part.samples {
                if let other = seen[sample.id] {
                    throw AuditInputError(file: part.path, "sample id '\(sample.id)' is already used in \(other)")
                }
                seen[sample.id] = part.path
            }
        }
        self.init(path: parts.map(\.path).joined(separator: " + "), samples: parts.flatMap(\.samples),
                  sha256: parts.map(\.sha256).joined(separator: "\n").sha256Hex)
    }

    public init(contentsOf url: URL) throws {
        let path = url.path
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw AuditInputError(file: path, "cannot be read: no such file")
        }
        if let size = attributes[.size] as? Int, size > Self.maximumBytes {
            throw AuditInputError(file: path, "is \(size) bytes, more than the \(Self.maximumBytes) a dataset may have")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditInputError(file: path, "cannot be read")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    /// Parses JSON lines: one sample per non-empty line; ids must be unique.
    public init(bytes: [UInt8], path: String) throws {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        sha256 = hasher.finalizeHex()
        self.path = path
        var samples: [Sample] = []
        var seen: [String: Int] = [:]
        var lineNumber = 0
        var start = 0
        // A byte-order mark at the start is tolerated (editors on some systems write one).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start <= bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            defer { start = end + 1 }
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = bytes[start..<lineEnd]
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            guard line.count <= Self.maximumLineBytes else {
                throw AuditInputError(file: path, line: lineNumber, "the line is \(line.count) bytes, more than \(Self.maximumLineBytes)")
            }
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes: Array(line))
            } catch let error as JSONParseError {
                throw AuditInputError(file: path, line: lineNumber, "not a JSON object: \(error.message) (column \(error.offset + 1))")
            }
            let sample: Sample
            do {
                sample = try Sample(json: value, index: lineNumber)
            } catch let error as FieldError {
                throw AuditInputError(file: path, line: lineNumber, error.description)
            }
            if let first = seen[sample.id] {
                throw AuditInputError(file: path, line: lineNumber, "sample id '\(sample.id)' is already used on line \(first)")
            }
            seen[sample.id] = lineNumber
            samples.append(sample)
        }
        guard !samples.isEmpty else { throw AuditInputError(file: path, "holds no samples") }
        self.samples = samples
    }
}

extension Array where Element == UInt8 {
    /// The SHA-256 of these bytes, in hex.
    var sha256Hex: String {
        var hasher = SHA256Hasher()
        hasher.update(self)
        return hasher.finalizeHex()
    }
}

extension String {
    /// The SHA-256 of the text's UTF-8 bytes, in hex.
    public var sha256Hex: String { Array(utf8).sha256Hex }
}
