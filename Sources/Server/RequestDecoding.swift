import Foundation

/// The server's reading of a request body on its own, before any model sees it: the JSON parse,
/// every field's type and range, and the limits. The HTTP handlers decode through the same types;
/// this entry point exists so the decoding can be driven directly (the fuzzer in `FuzzTargets`).
public enum RequestDecoding {
    public enum Endpoint: String, CaseIterable, Sendable {
        case completions = "/v1/completions"
        case chatCompletions = "/v1/chat/completions"
    }

    /// Decodes `body` as `endpoint` does. Throws only `APIError`, the error a client would receive.
    public static func check(_ body: [UInt8], for endpoint: Endpoint, limits: RequestLimits = RequestLimits()) throws {
        let fields = try FieldReader.parseBody(body, maximumDepth: limits.maximumJSONDepth)
        switch endpoint {
        case .completions: _ = try CompletionRequest(fields, limits: limits)
        case .chatCompletions: _ = try ChatCompletionRequest(fields, limits: limits)
        }
    }
}
