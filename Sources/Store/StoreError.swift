import Foundation

/// Everything that can go wrong getting a model into the store or out of it, each naming the file,
/// model or URL concerned.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case unknownModel(String, known: [String])
    case toolFailed(command: String, status: Int32, output: String)
    case pythonNotFound(String)
    case sizeMismatch(file: String, expected: Int, actual: Int)
    case hashMismatch(file: String, expected: String, actual: String)
    /// A stored file whose bytes no longer match its manifest: changed after it was verified.
    case tampered(model: String, file: String, expected: String, actual: String)
    /// A file the manifest names is missing from the store.
    case missingBlob(model: String, file: String, path: String)
    case badReference(String, reason: String)
    case badManifest(path: String, reason: String)
    case unauthorized(url: String, hasToken: Bool)
    case forbidden(url: String, message: String)
    case notFound(url: String, message: String)
    case http(url: String, status: Int, message: String)
    case network(url: String, message: String)
    case badResponse(url: String, reason: String)
    case noQuantization(repository: String, wanted: String?, available: [String])
    case noAdvertisedHash(file: String, url: String)
    case diskFull(path: String, needed: Int64, available: Int64)
    case io(String)

    public var description: String {
        switch self {
        case let .unknownModel(name, known):
            return "unknown model '\(name)': not a file, not in the store and not in the catalog (known: \(known.joined(separator: ", ")))"
        case let .toolFailed(command, status, output):
            let tail = output.split(separator: "\n").suffix(3).joined(separator: " | ")
            return "`\(command)` failed with status \(status): \(tail)"
        case let .pythonNotFound(python):
            return "cannot run '\(python)' to fetch models with pip; install Python 3 with pip or set HEARTH_PYTHON"
        case let .sizeMismatch(file, expected, actual):
            return "\(file): expected \(expected) bytes, got \(actual); refusing to use it"
        case let .hashMismatch(file, expected, actual):
            return "\(file): SHA-256 \(actual) does not match the expected \(expected); refusing to use it"
        case let .tampered(model, file, expected, actual):
            return "\(model): the stored file \(file) changed after it was verified (SHA-256 now \(actual), manifest says \(expected)); refusing to load it. `hearth rm \(model)` and pull or import it again"
        case let .missingBlob(model, file, path):
            return "\(model): the stored file \(file) is missing (\(path)); `hearth rm \(model)` and pull or import it again"
        case let .badReference(reference, reason):
            return "'\(reference)': \(reason)"
        case let .badManifest(path, reason):
            return "\(path): unreadable manifest: \(reason)"
        case let .unauthorized(url, hasToken):
            return hasToken
                ? "\(url): 401 Unauthorized: the token in HF_TOKEN was refused (expired, or without access to this repository)"
                : "\(url): 401 Unauthorized: the repository is gated or private; set HF_TOKEN to a token with access"
        case let .forbidden(url, message):
            return "\(url): 403 Forbidden\(message.isEmpty ? "" : ": \(message)") (a gated repository whose terms this account has not accepted?)"
        case let .notFound(url, message):
            return "\(url): 404 Not Found\(message.isEmpty ? "" : ": \(message)")"
        case let .http(url, status, message):
            return "\(url): HTTP \(status)\(message.isEmpty ? "" : ": \(message)")"
        case let .network(url, message):
            return "\(url): \(message)"
        case let .badResponse(url, reason):
            return "\(url): unexpected response: \(reason)"
        case let .noQuantization(repository, wanted, available):
            let list = available.isEmpty ? "the repository has no GGUF files" : "GGUF files there: \(available.joined(separator: ", "))"
            if let wanted { return "\(repository): no GGUF file for quantization \(wanted); \(list)" }
            return "\(repository): name a quantization (hf.co/\(repository):QUANT) or a file; \(list)"
        case let .noAdvertisedHash(file, url):
            return "\(file): the server advertised no SHA-256 for \(url) (no LFS hash in the listing or the X-Linked-Etag header); pass --sha256 to pin it yourself"
        case let .diskFull(path, needed, available):
            return "\(path): not enough free disk space: \(Self.megabytes(needed)) needed, \(Self.megabytes(available)) free"
        case let .io(message):
            return message
        }
    }

    static func megabytes(_ n: Int64) -> String { String(format: "%.1f MB", Double(n) / 1e6) }
}
