import AsyncHTTPClient
import Foundation
import JSON
import NIOCore
import NIOHTTP1

/// Where an OpenAI-compatible endpoint is and how to talk to it.
public struct EndpointConfiguration: Sendable {
    /// The API root, with its version segment: "http://127.0.0.1:8080/v1", "https://api.openai.com/v1".
    public var baseURL: String
    /// Sent as `Authorization: Bearer <key>` when set.
    public var apiKey: String?
    /// Requests in progress at once (retries and their waits included); more callers queue in order.
    public var maxConcurrentRequests: Int
    /// Seconds one attempt may take, from sending the request to the last byte of the response.
    public var requestTimeout: Double
    /// Seconds to establish a connection (used when the client makes its own `HTTPClient`).
    public var connectTimeout: Double
    public var retry: RetryPolicy
    /// Responses larger than this fail with `EndpointError.responseTooLarge` rather than fill memory.
    public var maxResponseBytes: Int
    /// Extra headers sent with every request (e.g. an organisation or a gateway's key).
    public var headers: [(name: String, value: String)]

    public init(
        baseURL: String,
        apiKey: String? = nil,
        maxConcurrentRequests: Int = 4,
        requestTimeout: Double = 120,
        connectTimeout: Double = 10,
        retry: RetryPolicy = RetryPolicy(),
        maxResponseBytes: Int = 64 << 20,
        headers: [(name: String, value: String)] = []
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.maxConcurrentRequests = maxConcurrentRequests
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.retry = retry
        self.maxResponseBytes = maxResponseBytes
        self.headers = headers
    }
}

/// A successful (2xx) response whose body parsed as JSON.
public struct EndpointResponse: Sendable {
    public let json: JSONValue
    public let status: Int
    /// Attempts made, this successful one included.
    public let attempts: Int
    /// Wall time from the first attempt's start (after any wait for a concurrency slot) to the end.
    public let seconds: Double
    public let rawBody: String

    public init(json: JSONValue, status: Int, attempts: Int, seconds: Double, rawBody: String) {
        self.json = json
        self.status = status
        self.attempts = attempts
        self.seconds = seconds
        self.rawBody = rawBody
    }
}

/// Why a request to an endpoint failed. Every message names the URL.
public enum EndpointError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A non-2xx status; `body` is the server's response (an OpenAI error object, usually).
    case http(status: Int, body: String, url: String)
    /// A 2xx response whose body is not valid JSON (truncated, HTML from a proxy, empty).
    case invalidJSON(detail: String, url: String)
    /// The attempt took longer than `requestTimeout`.
    case timeout(seconds: Double, url: String)
    /// Connection refused, reset or dropped; the response cut off mid-way; any other transport failure.
    case connection(detail: String, url: String)
    /// The response was larger than `maxResponseBytes`. Not retried.
    case responseTooLarge(limit: Int, url: String)
    /// The request could not be made at all: a malformed URL, an unsupported scheme, a client
    /// already shut down. Not retried.
    case invalidRequest(detail: String, url: String)
    /// Every attempt failed with a retryable error; `last` is the final one. (With
    /// `maxAttempts` 1 the single failure is thrown as it is.)
    indirect case retriesExhausted(attempts: Int, last: EndpointError)

    public var url: String {
        switch self {
        case .http(_, _, let url), .invalidJSON(_, let url), .timeout(_, let url), .connection(_, let url),
             .responseTooLarge(_, let url), .invalidRequest(_, let url):
            return url
        case .retriesExhausted(_, let last):
            return last.url
        }
    }

    /// The HTTP status of the (last) response, when there was one.
    public var status: Int? {
        switch self {
        case .http(let status, _, _): return status
        case .retriesExhausted(_, let last): return last.status
        default: return nil
        }
    }

    /// The message in the server's error body: OpenAI's `{"error": {"message": ...}}`, vLLM's
    /// `{"message": ...}`, FastAPI's `{"detail": ...}`, or the body's text when it is not JSON.
    public var serverMessage: String? {
        switch self {
        case .http(_, let body, _): return Self.message(fromErrorBody: body)
        case .retriesExhausted(_, let last): return last.serverMessage
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .http(let status, let body, let url):
            let message = Self.message(fromErrorBody: body).map { ": " + Self.clip($0) } ?? " (empty body)"
            return "HTTP \(status) from \(url)\(message)"
        case .invalidJSON(let detail, let url):
            return "invalid JSON in the response from \(url): \(detail)"
        case .timeout(let seconds, let url):
            return "no complete response from \(url) within \(Self.formatSeconds(seconds))"
        case .connection(let detail, let url):
            return "connection to \(url) failed: \(detail)"
        case .responseTooLarge(let limit, let url):
            return "the response from \(url) is larger than the \(limit)-byte limit"
        case .invalidRequest(let detail, let url):
            return "cannot send a request to \(url): \(detail)"
        case .retriesExhausted(let attempts, let last):
            return "gave up after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(last.description)"
        }
    }

    static func message(fromErrorBody body: String) -> String? {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        guard let json = try? JSONParser.parse(trimmed) else { return trimmed }
        func text(_ value: JSONValue?) -> String? {
            switch value {
            case .string(let s)?: return s
            case .object?, .array?: return value!.serialized(.compact)
            default: return nil
            }
        }
        if let error = json["error"] {
            if let message = error["message"]?.stringValue { return message }
            if let message = text(error) { return message }
        }
        if let message = json["message"]?.stringValue { return message }
        if let detail = text(json["detail"]) { return detail }
        return trimmed
    }

    static func clip(_ text: String, limit: Int = 500) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "… (\(text.utf8.count) bytes)"
    }

    static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() && seconds < 1e15 ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}

/// An HTTP client for OpenAI-compatible endpoints: JSON in and out, bounded concurrency, a
/// per-attempt timeout, and retries with backoff for the failures that are worth trying again.
public final class OpenAIClient: Sendable {
    public let configuration: EndpointConfiguration
    private let httpClient: HTTPClient
    private let ownsHTTPClient: Bool
    private let sleep: @Sendable (Double) async throws -> Void
    private let slots: AsyncSemaphore
    private let state = LockedFlag()

    /// `Task.sleep` for the given number of seconds (negative and NaN: no wait).
    public static let taskSleep: @Sendable (Double) async throws -> Void = { seconds in
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(OpenAIClient.nanoseconds(seconds)))
    }

    /// - Parameters:
    ///   - httpClient: a client to share; when nil this one makes its own, which `shutdown()` ends.
    ///   - sleep: how to wait between attempts (injectable so tests can record the waits).
    public init(
        configuration: EndpointConfiguration,
        httpClient: HTTPClient? = nil,
        sleep: @escaping @Sendable (Double) async throws -> Void = OpenAIClient.taskSleep
    ) {
        self.configuration = configuration
        self.sleep = sleep
        self.slots = AsyncSemaphore(permits: max(1, configuration.maxConcurrentRequests))
        if let httpClient {
            self.httpClient = httpClient
            self.ownsHTTPClient = false
        } else {
            var http = HTTPClient.Configuration()
            http.timeout = .init(connect: Self.timeAmount(configuration.connectTimeout))
            // Fail a refused connection at once: the retry policy, not the pool, decides what is next.
            http.connectionPool.retryConnectionEstablishment = false
            // A redirected POST would be replayed as a GET; report the 3xx instead.
            http.redirectConfiguration = .disallow
            http.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit =
                max(8, configuration.maxConcurrentRequests)
            self.httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
            self.ownsHTTPClient = true
        }
    }

    deinit {
        // An owned HTTPClient must be shut down before it goes away (debug builds trap otherwise).
        if ownsHTTPClient, state.setIfUnset() {
            let client = httpClient
            Task { try? await client.shutdown() }
        }
    }

    /// Ends the HTTP client if this made it; later requests fail with `invalidRequest`. Idempotent.
    public func shutdown() async throws {
        guard state.setIfUnset() else { return }
        if ownsHTTPClient { try await httpClient.shutdown() }
    }

    /// POSTs `body` as JSON to `path` ("chat/completions") under the base URL.
    public func post(_ path: String, body: JSONValue) async throws -> EndpointResponse {
        try await send(.POST, path: path, body: Array(body.serialized(.compact).utf8))
    }

    /// GETs `path` ("models") under the base URL.
    public func get(_ path: String) async throws -> EndpointResponse {
        try await send(.GET, path: path, body: nil)
    }

    /// `path` appended to the base URL with one slash between; an absolute http(s) URL is used as is.
    public func url(for path: String) -> String {
        if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let tail = path.drop(while: { $0 == "/" })
        return tail.isEmpty ? base : base + "/" + tail
    }

    // MARK: The retry loop

    private func send(_ method: HTTPMethod, path: String, body: [UInt8]?) async throws -> EndpointResponse {
        let url = url(for: path)
        try validate(url)
        try await slots.acquire()
        defer { slots.release() }
        let policy = configuration.retry
        let started = DispatchTime.now().uptimeNanoseconds
        var attempt = 0
        while true {
            attempt += 1
            let failure: EndpointError
            var retryAfter: Double?
            do {
                guard !state.isSet else {
                    throw EndpointError.invalidRequest(detail: "the client has been shut down", url: url)
                }
                let response = try await attemptWithTimeout(method, url: url, body: body)
                let text = String(decoding: response.body, as: UTF8.self)
                if (200..<300).contains(response.status) {
                    do {
                        let json = try JSONParser.parse(bytes: response.body)
                        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                        return EndpointResponse(json: json, status: response.status, attempts: attempt,
                                                seconds: seconds, rawBody: text)
                    } catch {
                        failure = .invalidJSON(detail: Self.describeInvalid(error, body: text), url: url)
                    }
                } else {
                    failure = .http(status: response.status, body: text, url: url)
                    retryAfter = response.headers.first(name: "retry-after").flatMap {
                        RetryPolicy.parseRetryAfter($0)
                    }
                }
            } catch let error as EndpointError {
                failure = error
            }
            guard isRetryable(failure, policy: policy) else { throw failure }
            guard attempt < policy.attemptLimit else {
                // With retries turned off (one attempt) the failure itself is the answer.
                throw attempt == 1 ? failure : EndpointError.retriesExhausted(attempts: attempt, last: failure)
            }
            try await sleep(policy.delay(afterAttempt: attempt, retryAfter: retryAfter))
        }
    }

    private func isRetryable(_ error: EndpointError, policy: RetryPolicy) -> Bool {
        switch error {
        case .http(let status, _, _): return policy.retryableStatuses.contains(status)
        case .invalidJSON, .timeout, .connection: return true
        case .responseTooLarge, .invalidRequest, .retriesExhausted: return false
        }
    }

    private func validate(_ url: String) throws {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty else {
            throw EndpointError.invalidRequest(detail: "not an http(s) URL with a host", url: url)
        }
    }

    private static func describeInvalid(_ error: Error, body: String) -> String {
        let excerpt = body.isEmpty ? "an empty body" : "a \(body.utf8.count)-byte body starting "
            + String(reflecting: String(body.prefix(120)))
        return "\(error) in \(excerpt)"
    }

    // MARK: One attempt

    private struct RawResponse: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// One attempt, bounded by `requestTimeout` from start to last body byte. Throws only
    /// `EndpointError` or, when the calling task is cancelled, `CancellationError`.
    private func attemptWithTimeout(_ method: HTTPMethod, url: String, body: [UInt8]?) async throws -> RawResponse {
        let timeout = configuration.requestTimeout
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "hearth-audit")
        if let key = configuration.apiKey, !key.isEmpty {
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
        }
        for header in configuration.headers { request.headers.replaceOrAdd(name: header.name, value: header.value) }
        if let body {
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let finalRequest = request
        do {
            return try await withThrowingTaskGroup(of: RawResponse?.self) { group in
                group.addTask { try await self.execute(finalRequest, url: url, timeout: timeout) }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(Self.nanoseconds(timeout)))
                    return nil
                }
                defer { group.cancelAll() }
                if let first = try await group.next(), let response = first { return response }
                throw EndpointError.timeout(seconds: timeout, url: url)
            }
        } catch {
            throw classify(error, url: url, timeout: timeout)
        }
    }

    private func execute(_ request: HTTPClientRequest, url: String, timeout: Double) async throws -> RawResponse {
        let response = try await httpClient.execute(request, deadline: .now() + Self.timeAmount(timeout))
        let limit = configuration.maxResponseBytes
        if let declared = response.headers.first(name: "content-length").flatMap({ Int($0) }), declared > limit {
            throw EndpointError.responseTooLarge(limit: limit, url: url)
        }
        var bytes: [UInt8] = []
        for try await chunk in response.body {
            guard bytes.count + chunk.readableBytes <= limit else {
                throw EndpointError.responseTooLarge(limit: limit, url: url)
            }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return RawResponse(status: Int(response.status.code), headers: response.headers, body: bytes)
    }

    /// Maps whatever the transport threw to an `EndpointError` (or `CancellationError`).
    private func classify(_ error: Error, url: String, timeout: Double) -> Error {
        if Task.isCancelled { return CancellationError() }
        if let error = error as? EndpointError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return EndpointError.timeout(seconds: timeout, url: url)
            case .connectTimeout:
                return EndpointError.connection(detail: "connect timed out", url: url)
            case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath, .alreadyShutdown,
                 .redirectLimitReached, .redirectCycleDetected:
                return EndpointError.invalidRequest(detail: "\(error)", url: url)
            case .remoteConnectionClosed:
                return EndpointError.connection(detail: "the server closed the connection", url: url)
            default:
                break
            }
        }
        return EndpointError.connection(detail: Self.describeTransport(error), url: url)
    }

    /// The error's text, with its type's name when the text does not already say it.
    private static func describeTransport(_ error: Error) -> String {
        let text = String(describing: error)
        let typeName = String(describing: Swift.type(of: error))
        return text.contains(typeName) ? text : "\(typeName): \(text)"
    }

    private static func timeAmount(_ seconds: Double) -> TimeAmount {
        .nanoseconds(nanoseconds(seconds))
    }

    /// Seconds as nanoseconds, NaN and negatives as 0, at most about 31 years.
    static func nanoseconds(_ seconds: Double) -> Int64 {
        guard seconds > 0 else { return 0 }
        return Int64(min(seconds, 1e9) * 1e9)
    }
}

// MARK: - Concurrency limit

/// A counting semaphore for async code: waiters are served first in, first out, and a waiter
/// whose task is cancelled leaves the queue with `CancellationError` without taking a permit.
final class AsyncSemaphore: @unchecked Sendable {
    private let lock = NSLock()
    private var available: Int
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, Error>)] = []
    private var nextID: UInt64 = 0

    init(permits: Int) {
        available = permits
    }

    func acquire() async throws {
        let id: UInt64 = lock.withLock {
            nextID += 1
            return nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                let outcome: Result<Void, Error>? = lock.withLock {
                    // Cancellation is flagged before the handler below runs, so a task cancelled
                    // before it queued is caught here and one cancelled after is found by the handler.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if available > 0 && waiters.isEmpty {
                        available -= 1
                        return .success(())
                    }
                    waiters.append((id, continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let removed: CheckedContinuation<Void, Error>? = lock.withLock {
                guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return waiters.remove(at: index).continuation
            }
            removed?.resume(throwing: CancellationError())
        }
    }

    func release() {
        let next: CheckedContinuation<Void, Error>? = lock.withLock {
            if waiters.isEmpty {
                available += 1
                return nil
            }
            return waiters.removeFirst().continuation
        }
        next?.resume()
    }
}

/// A flag that is set once.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    /// Sets the flag; true if this call set it.
    func setIfUnset() -> Bool {
        lock.withLock {
            defer { value = true }
            return !value
        }
    }
}
