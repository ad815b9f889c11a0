import Foundation
import Hummingbird
import JSON
import NIOCore
import NIOHTTP1

/// A failure reported to the client in OpenAI's shape,
/// `{"error": {"message": ..., "type": ..., "param": ..., "code": ...}}`, with a 4xx or 5xx status.
/// The official clients turn the status into their own exception types (400 BadRequestError,
/// 401 AuthenticationError, 404 NotFoundError, 429 RateLimitError, ...), so the status matters as
/// much as the message.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let message: String
    public let type: String
    /// The request field at fault, when there is one.
    public let param: String?
    public let code: String?
    /// Seconds after which a retry may succeed (429 and 503).
    public var retryAfter: Int?

    public init(status: HTTPResponse.Status, message: String, type: String, param: String? = nil,
                code: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(type): \(message)" }

    /// A request the server understood but refuses: a wrong type, a value out of range, a missing field.
    public static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: code)
    }

    public static func invalidJSON(_ detail: String) -> APIError {
        invalidRequest("the request body is not valid JSON: \(detail)", code: "invalid_json")
    }

    public static func modelNotFound(_ name: String, available: [String]) -> APIError {
        APIError(status: .notFound,
                 message: "the model '\(name)' does not exist on this server; it serves \(available.joined(separator: ", "))",
                 type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    public static func contextLengthExceeded(promptTokens: Int, contextLength: Int) -> APIError {
        invalidRequest("the prompt is \(promptTokens) tokens long, which leaves no room in this server's context of \(contextLength) tokens",
                       param: "messages", code: "context_length_exceeded")
    }

    public static let unauthorized = APIError(
        status: .unauthorized, message: "a valid API key is required: send it as 'Authorization: Bearer KEY'",
        type: "invalid_request_error", code: "invalid_api_key")

    public static func queueFull(model: String, retryAfter: Int) -> APIError {
        APIError(status: .tooManyRequests,
                 message: "the server is busy: every slot and queue place for '\(model)' is taken; retry after \(retryAfter) s",
                 type: "rate_limit_exceeded", code: "rate_limit_exceeded", retryAfter: retryAfter)
    }

    public static let shuttingDown = APIError(
        status: .serviceUnavailable, message: "the server is shutting down", type: "server_error",
        code: "shutting_down", retryAfter: 1)

    public static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, message: "the request body exceeds the limit of \(limit) bytes",
                 type: "invalid_request_error", code: "request_too_large")
    }

    /// The client left before the answer (nginx's 499): its connection closed while the body was
    /// read or the answer computed. Nobody receives it; it keeps clients hanging up out of the
    /// server-error counts, where it would set off alerts for ordinary client behaviour.
    public static let clientClosedRequest = APIError(
        status: HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request"),
        message: "the client closed the connection before the response was complete", type: "client_closed_request",
        code: "client_closed_request")

    public static func internalError(_ message: String) -> APIError {
        APIError(status: .internalServerError, message: message, type: "server_error", code: "internal_error")
    }

    /// The error object alone, as it also appears inside a server-sent event of a failed stream.
    public var json: JSONValue {
        .object(JSONObject([("error", .object(JSONObject([
            ("message", .string(message)),
            ("type", .string(type)),
            ("param", param.map(JSONValue.string) ?? .null),
            ("code", code.map(JSONValue.string) ?? .null),
        ])))]))
    }

    public var response: Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: json.serialized(.compact))))
    }

    /// Any error as the client sees it: API errors as they are, Hummingbird's own HTTP errors
    /// (unknown route, wrong method, body too large) in OpenAI's shape, anything else as a 500 that
    /// names the problem without crashing the process.
    /// `clientConnected`: false once the client's connection has closed, when whatever failed
    /// (reading the body, a cancelled generation) failed because the client left.
    public static func from(_ error: Error, clientConnected: Bool = true) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case is CancellationError:
            return clientClosedRequest
        case HTTPParserError.invalidEOFState:
            // The connection ended inside the request: the client sent part of its body and left.
            return clientClosedRequest
        case let error as IOError where error.errnoCode == ECONNRESET || error.errnoCode == EPIPE:
            // The client reset the connection (while its body was read, or its answer written).
            return clientClosedRequest
        case let error as ChannelError:
            switch error {
            case .ioOnClosedChannel, .eof, .inputClosed, .outputClosed, .alreadyClosed: return clientClosedRequest
            default: return internalError("\(error)")
            }
        case let error as HTTPError:
            let type = error.status.code >= 500 ? "server_error" : "invalid_request_error"
            let code: String?
            switch error.status {
            case .notFound: code = "not_found"
            case .methodNotAllowed: code = "method_not_allowed"
            case .contentTooLarge: code = "request_too_large"
            default: code = nil
            }
            let message = error.body ?? (error.status == .notFound ? "no such route" : error.status.reasonPhrase)
            return APIError(status: error.status, message: message, type: type, code: code)
        case _ where !clientConnected:
            return clientClosedRequest
        default:
            return internalError("\(error)")
        }
    }
}
