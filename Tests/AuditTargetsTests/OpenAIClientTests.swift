import AuditTargets
import Foundation
import JSON
import NIOCore
import NIOHTTP1
import NIOPosix
import XCTest

// MARK: - A scripted, misbehaving HTTP server

/// What the server does with one request.
indirect enum ServerAction: Sendable {
    /// A complete response with a Content-Length.
    case respond(status: Int, headers: [(String, String)] = [], body: String)
    /// A 200 with no Content-Length: the body goes out in chunks of `chunkSize` bytes.
    case chunked(body: String, chunkSize: Int)
    /// Headers announcing `declaredLength` bytes, then only `body`, then the connection closes.
    case truncated(declaredLength: Int, body: String)
    /// Never answer (the connection stays open until the client gives up).
    case hang
    /// Close the connection as soon as the request arrives.
    case close
    /// Bytes that are not HTTP at all, then close.
    case garbage(String)
    /// `action` after `seconds`.
    case delayed(seconds: Double, action: ServerAction)

    static func ok(_ body: String = #"{"id":"ok","choices":[]}"#) -> ServerAction {
        .respond(status: 200, body: body)
    }
}

struct RecordedRequest: Sendable {
    var method: String
    var uri: String
    var headers: [(String, String)]
    var body: String

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// An HTTP/1.1 server on 127.0.0.1 (ephemeral port) that answers the n-th request with the n-th
/// scripted action (the last one repeating), and records what it saw.
final class ScriptedServer: @unchecked Sendable {
    private let lock = NSLock()
    private let script: [ServerAction]
    private var recorded: [RecordedRequest] = []
    private var inFlight = 0
    private var highWater = 0
    private var serverChannel: Channel?
    private var children: [Channel] = []

    private init(script: [ServerAction]) {
        precondition(!script.isEmpty)
        self.script = script
    }

    static func start(_ script: [ServerAction]) async throws -> ScriptedServer {
        let server = ScriptedServer(script: script)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                server.lock.withLock { server.children.append(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
                    try channel.pipeline.syncOperations.addHandler(ScriptedHandler(server: server))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        server.lock.withLock { server.serverChannel = channel }
        return server
    }

    var port: Int { lock.withLock { serverChannel?.localAddress?.port ?? 0 } }
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    var requests: [RecordedRequest] { lock.withLock { recorded } }
    var requestCount: Int { lock.withLock { recorded.count } }
    var maxInFlight: Int { lock.withLock { highWater } }

    func stop() async {
        let (server, open) = lock.withLock { (serverChannel, children) }
        try? await server?.close()
        for child in open { try? await child.close() }
    }

    /// Records a complete request and returns what to do with it.
    fileprivate func received(_ request: RecordedRequest) -> ServerAction {
        lock.withLock {
            recorded.append(request)
            inFlight += 1
            highWater = max(highWater, inFlight)
            return script[min(recorded.count - 1, script.count - 1)]
        }
    }

    fileprivate func finished() {
        lock.withLock { inFlight -= 1 }
    }
}

private final class ScriptedHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: ScriptedServer
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var answering = false

    init(server: ScriptedServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            let request = RecordedRequest(
                method: head.method.rawValue, uri: head.uri,
                headers: head.headers.map { ($0.name, $0.value) },
                body: String(decoding: body, as: UTF8.self))
            answering = true
            perform(server.received(request), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        done()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func done() {
        if answering {
            answering = false
            server.finished()
        }
    }

    private func perform(_ action: ServerAction, context: ChannelHandlerContext) {
        switch action {
        case .respond(let status, let extra, let text):
            let bytes = Array(text.utf8)
            context.write(wrapOutboundOut(.head(responseHead(status, length: bytes.count, extra))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            done()
        case .chunked(let text, let size):
            var head = responseHead(200, length: 0, [])
            head.headers.remove(name: "Content-Length")
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            let bytes = Array(text.utf8)
            for start in stride(from: 0, to: bytes.count, by: max(1, size)) {
                let piece = bytes[start..<min(bytes.count, start + max(1, size))]
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: piece)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            done()
        case .truncated(let declared, let text):
            context.write(wrapOutboundOut(.head(responseHead(200, length: declared, []))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            done()
            context.close(promise: nil)
        case .hang:
            break
        case .close:
            done()
            context.close(promise: nil)
        case .garbage(let text):
            // Written below the HTTP encoder, straight onto the socket.
            if let encoder = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self) {
                encoder.writeAndFlush(NIOAny(ByteBuffer(string: text)), promise: nil)
            }
            done()
            context.close(promise: nil)
        case .delayed(let seconds, let next):
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
                self.perform(next, context: context)
            }
        }
    }

    private func responseHead(_ status: Int, length: Int, _ extra: [(String, String)]) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(length))
        for (name, value) in extra { headers.add(name: name, value: value) }
        return HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
    }
}

/// The waits the client asked for, in order; it never actually sleeps.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Double] = []

    var delays: [Double] { lock.withLock { recorded } }

    var sleep: @Sendable (Double) async throws -> Void {
        { [self] seconds in
            lock.withLock { recorded.append(seconds) }
            try Task.checkCancellation()
        }
    }
}

// MARK: - Tests

final class OpenAIClientTests: XCTestCase {
    static let chatBody: JSONValue = [
        "model": "m", "messages": [["role": "user", "content": "Hi"]], "max_tokens": 4,
    ]
    static let openAIError = #"{"error": {"message": "max_tokens must be at least 1", "type": "invalid_request_error", "param": "max_tokens", "code": null}}"#

    /// A server running `script`, a client for it with `configure` applied, and the recorded sleeps.
    func withHarness(
        _ script: [ServerAction],
        configure: (inout EndpointConfiguration) -> Void = { _ in },
        _ body: (OpenAIClient, ScriptedServer, SleepRecorder) async throws -> Void
    ) async throws {
        let server = try await ScriptedServer.start(script)
        var configuration = EndpointConfiguration(
            baseURL: server.baseURL, apiKey: "sk-test", requestTimeout: 5, connectTimeout: 2)
        configuration.retry = RetryPolicy(maxAttempts: 6, initialDelay: 0.5, maxDelay: 30, multiplier: 2)
        configure(&configuration)
        let sleeps = SleepRecorder()
        let client = OpenAIClient(configuration: configuration, sleep: sleeps.sleep)
        do {
            try await body(client, server, sleeps)
        } catch {
            try? await client.shutdown()
            await server.stop()
            throw error
        }
        try await client.shutdown()
        await server.stop()
    }

    func testSendsJSONWithBearerKeyAndParsesTheAnswer() async throws {
        try await withHarness([.ok(#"{"id": "cmpl-1", "choices": [{"text": "héllo"}]}"#)]) { client, server, sleeps in
            let response = try await client.post("chat/completions", body: Self.chatBody)
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.attempts, 1)
            XCTAssertEqual(response.json["choices"]?.arrayValue?.first?["text"], "héllo")
            XCTAssertEqual(response.rawBody, #"{"id": "cmpl-1", "choices": [{"text": "héllo"}]}"#)
            XCTAssertGreaterThanOrEqual(response.seconds, 0)
            let request = try XCTUnwrap(server.requests.first)
            XCTAssertEqual(request.method, "POST")
            XCTAssertEqual(request.uri, "/v1/chat/completions")
            XCTAssertEqual(request.header("Authorization"), "Bearer sk-test")
            XCTAssertEqual(request.header("Content-Type"), "application/json")
            XCTAssertEqual(try JSONParser.parse(request.body), Self.chatBody)
            XCTAssertEqual(sleeps.delays, [])
        }
    }

    func testGetWithoutKeySendsNoAuthorization() async throws {
        try await withHarness([.chunked(body: #"{"data": [{"id": "m"}]}"#, chunkSize: 5)], configure: { $0.apiKey = nil }) { client, server, _ in
            let response = try await client.get("/models")
            XCTAssertEqual(response.json["data"]?.arrayValue?.count, 1)
            let request = try XCTUnwrap(server.requests.first)
            XCTAssertEqual(request.method, "GET")
            XCTAssertEqual(request.uri, "/v1/models")
            XCTAssertNil(request.header("Authorization"))
        }
    }

    func test429WithRetryAfterIsHonoured() async throws {
        let limited = ServerAction.respond(
            status: 429, headers: [("Retry-After", "1")], body: #"{"error": {"message": "slow down"}}"#)
        try await withHarness([limited, .ok()]) { client, server, sleeps in
            let response = try await client.post("chat/completions", body: Self.chatBody)
            XCTAssertEqual(response.attempts, 2)
            XCTAssertEqual(server.requestCount, 2)
            XCTAssertEqual(sleeps.delays, [1.0])
        }
    }

    func testRetryAfterIsCappedAndHTTPDateAccepted() async throws {
        let huge = ServerAction.respond(status: 503, headers: [("Retry-After", "100000")], body: "busy")
        let date = ServerAction.respond(
            status: 429, headers: [("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")], body: "")  // in the past
        try await withHarness([huge, date, .ok()]) { client, server, sleeps in
            let response = try await client.post("chat/completions", body: Self.chatBody)
            XCTAssertEqual(response.attempts, 3)
            XCTAssertEqual(sleeps.delays, [120, 0])
        }
    }

    func test500And503ThenSuccessBackOffWithinJitterBounds() async throws {
        let script: [ServerAction] = [.respond(status: 500, body: "oops"), .respond(status: 503, body: ""), .ok()]
        try await withHarness(script) { client, server, sleeps in
            let response = try await client.post("chat/completions", body: Self.chatBody)
            XCTAssertEqual(response.attempts, 3)
            XCTAssertEqual(server.requestCount, 3)
            let delays = sleeps.delays
            XCTAssertEqual(delays.count, 2)
            XCTAssert((0...0.5).contains(delays[0]), "\(delays)")
            XCTAssert((0...1.0).contains(delays[1]), "\(delays)")
        }
    }

    func testResponseThatNeverComesTimesOutThenSucceeds() async throws {
        try await withHarness([.hang, .ok()], configure: { $0.requestTimeout = 0.5 }) { client, server, sleeps in
            let start = Date()
            let response = try await client.post("chat/completions", body: Self.chatBody)
            let elapsed = Date().timeIntervalSince(start)
            XCTAssertEqual(response.attempts, 2)
            XCTAssertEqual(server.requestCount, 2)
            XCTAssertEqual(sleeps.delays.count, 1)
            XCTAssertGreaterThanOrEqual(elapsed, 0.45)
            XCTAssertLessThan(elapsed, 4)
        }
    }

    func testTimeoutEveryTimeNamesTheURL() async throws {
        try await withHarness([.hang], configure: {
            $0.requestTimeout = 0.3
            $0.retry.maxAttempts = 2
        }) { client, server, _ in
            do {
                _ = try await client.post("chat/completions", body: Self.chatBody)
                XCTFail("expected a timeout")
            } catch let error as EndpointError {
                guard case .retriesExhausted(2, .timeout(0.3, let url)) = error else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(url, server.baseURL + "/chat/completions")
                XCTAssertTrue(error.description.contains(url), error.description)
            }
        }
    }

    func testBodyShorterThanContentLengthIsRetried() async throws {
        let cut = ServerAction.truncated(declaredLength: 500, body: #"{"id": "cmpl-1", "choi"#)
        try await withHarness([cut, .ok()]) { client, server, sleeps in
            let response = try await client.post("chat/completions", body: Self.chatBody)
            XCTAssertEqual(response.attempts, 2)
            XCTAssertEqual(server.requestCount, 2)
            XCTAssertEqual(sleeps.delays.count, 1)
        }
    }

    func testCompleteResponseWithCutJSONIsRetried() async throws {
        let cut = ServerAction.respond(status: 200, body: #"{"choices": [{"message": {"content": "hel"#)
        try await withHarness([cut, .ok()]) { client, server, _ in
            let response = try await client.post("chat/completions", body: Self.chatBody)
            XCTAssertEqual(response.attempts, 2)
            XCTAssertEqual(response.json["id"], "ok")
            XCTAssertEqual(server.requestCount, 2)
        }
    }

    func testCutJSONEveryTimeReportsInvalidJSON() async throws {
        let cut = ServerAction.respond(status: 200, body: #"{"choices": ["#)
        try await withHarness([cut], configure: { $0.retry.maxAttempts = 2 }) { client, _, _ in
            do {
                _ = try await client.post("chat/completions", body: Self.chatBody)
                XCTFail("expected invalid JSON")
            } catch EndpointError.retriesExhausted(2, .invalidJSON(let detail, let url)) {
                XCTAssertTrue(detail.contains("unexpected end of input"), detail)
                XCTAssertTrue(url.hasSuffix("/v1/chat/completions"))
            }
        }
    }

    func testDroppedConnectionIsRetried() async throws {
        try await withHarness([.close, .ok()]) { client, server, sleeps in
            let response = try await client.post("chat/completions", body: Self.chatBody)
            XCTAssertEqual(response.attempts, 2)
            XCTAssertEqual(server.requestCount, 2)
            XCTAssertEqual(sleeps.delays.count, 1)
        }
    }

    func testGarbageInsteadOfHTTPIsRetried() async throws {
        try await withHarness([.garbage("SMTP ready\r\n\r\n"), .ok()]) { client, server, _ in
            let response = try await client.post("chat/completions", body: Self.chatBody)
            XCTAssertEqual(response.attempts, 2)
            XCTAssertEqual(server.requestCount, 2)
        }
    }

    func test400FailsAtOnceWithTheServersMessage() async throws {
        try await withHarness([.respond(status: 400, body: Self.openAIError), .ok()]) { client, server, sleeps in
            do {
                _ = try await client.post("chat/completions", body: Self.chatBody)
                XCTFail("expected HTTP 400")
            } catch let error as EndpointError {
                guard case .http(400, let body, let url) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(body, Self.openAIError)
                XCTAssertEqual(url, server.baseURL + "/chat/completions")
                XCTAssertEqual(error.serverMessage, "max_tokens must be at least 1")
                XCTAssertEqual(error.description, "HTTP 400 from \(url): max_tokens must be at least 1")
            }
            XCTAssertEqual(server.requestCount, 1)
            XCTAssertEqual(sleeps.delays, [])
        }
    }

    func test401And404AreNotRetried() async throws {
        let script: [ServerAction] = [
            .respond(status: 401, body: #"{"error": {"message": "Incorrect API key provided"}}"#),
            .respond(status: 404, body: #"{"detail": "Not Found"}"#),
        ]
        try await withHarness(script) { client, server, sleeps in
            do {
                _ = try await client.get("models")
                XCTFail("expected 401")
            } catch let error as EndpointError {
                XCTAssertEqual(error.status, 401)
                XCTAssertEqual(error.serverMessage, "Incorrect API key provided")
            }
            do {
                _ = try await client.get("nothing")
                XCTFail("expected 404")
            } catch let error as EndpointError {
                XCTAssertEqual(error.status, 404)
                XCTAssertEqual(error.serverMessage, "Not Found")
            }
            XCTAssertEqual(server.requestCount, 2)
            XCTAssertEqual(sleeps.delays, [])
        }
    }

    func testPermanent500ExhaustsRetriesWithExactBackoff() async throws {
        try await withHarness([.respond(status: 500, body: #"{"message": "engine died", "object": "error"}"#)],
                              configure: {
                                  $0.retry.maxAttempts = 6
                                  $0.retry.maxDelay = 3
                                  $0.retry.jitter = .none
                              }) { client, server, sleeps in
            do {
                _ = try await client.post("chat/completions", body: Self.chatBody)
                XCTFail("expected to give up")
            } catch let error as EndpointError {
                guard case .retriesExhausted(let attempts, .http(500, _, let url)) = error else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(attempts, 6)
                XCTAssertEqual(error.serverMessage, "engine died")
                XCTAssertTrue(error.description.contains(url), error.description)
                XCTAssertTrue(error.description.contains("6 attempts"), error.description)
            }
            XCTAssertEqual(server.requestCount, 6)
            XCTAssertEqual(sleeps.delays, [0.5, 1, 2, 3, 3])
        }
    }

    func testConnectionRefusedIsRetriedThenReported() async throws {
        // A port that was just listening and is now closed.
        let closed = try await ScriptedServer.start([.ok()])
        let url = closed.baseURL
        await closed.stop()
        let sleeps = SleepRecorder()
        var configuration = EndpointConfiguration(baseURL: url, requestTimeout: 2, connectTimeout: 1)
        configuration.retry.maxAttempts = 3
        let client = OpenAIClient(configuration: configuration, sleep: sleeps.sleep)
        do {
            _ = try await client.get("models")
            XCTFail("expected a connection error")
        } catch let error as EndpointError {
            guard case .retriesExhausted(3, .connection(_, let failedURL)) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(failedURL, url + "/models")
        }
        XCTAssertEqual(sleeps.delays.count, 2)
        try await client.shutdown()
    }

    func testOversizedResponseFailsWithoutRetry() async throws {
        let text = #"{"text": ""# + String(repeating: "x", count: 5000) + #""}"#
        // Announced by Content-Length, and streamed in chunks with no length given.
        for big in [ServerAction.ok(text), .chunked(body: text, chunkSize: 300)] {
            try await withHarness([big], configure: { $0.maxResponseBytes = 1000 }) { client, server, sleeps in
                do {
                    _ = try await client.post("chat/completions", body: Self.chatBody)
                    XCTFail("expected too large")
                } catch EndpointError.responseTooLarge(1000, let url) {
                    XCTAssertTrue(url.hasSuffix("/chat/completions"))
                }
                XCTAssertEqual(server.requestCount, 1)
                XCTAssertEqual(sleeps.delays, [])
            }
        }
    }

    func testRedirectIsReportedNotFollowed() async throws {
        let moved = ServerAction.respond(status: 301, headers: [("Location", "https://elsewhere/v1/chat/completions")], body: "")
        try await withHarness([moved, .ok()]) { client, server, sleeps in
            do {
                _ = try await client.post("chat/completions", body: Self.chatBody)
                XCTFail("expected HTTP 301")
            } catch let error as EndpointError {
                XCTAssertEqual(error.status, 301)
            }
            XCTAssertEqual(server.requestCount, 1)
            XCTAssertEqual(sleeps.delays, [])
        }
    }

    func testSingleAttemptPolicyThrowsTheFailureItself() async throws {
        try await withHarness([.respond(status: 503, body: "busy")], configure: { $0.retry = .never }) { client, server, _ in
            do {
                _ = try await client.post("chat/completions", body: Self.chatBody)
                XCTFail("expected HTTP 503")
            } catch EndpointError.http(503, "busy", _) {
            }
            XCTAssertEqual(server.requestCount, 1)
        }
    }

    func testInvalidBaseURLFailsWithoutSending() async throws {
        let client = OpenAIClient(configuration: EndpointConfiguration(baseURL: "localhost:8080/v1"))
        do {
            _ = try await client.get("models")
            XCTFail("expected invalid request")
        } catch EndpointError.invalidRequest(_, let url) {
            XCTAssertEqual(url, "localhost:8080/v1/models")
        }
        try await client.shutdown()
        try await client.shutdown()  // idempotent
    }

    func testConcurrencyIsBoundedAtTheServer() async throws {
        try await withHarness([.delayed(seconds: 0.05, action: .ok())],
                              configure: { $0.maxConcurrentRequests = 3 }) { client, server, _ in
            let attempts = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        try await client.post("chat/completions", body: ["n": .int(i)]).attempts
                    }
                }
                return try await group.reduce(0, +)
            }
            XCTAssertEqual(attempts, 20)
            XCTAssertEqual(server.requestCount, 20)
            XCTAssertEqual(server.maxInFlight, 3)
        }
    }

    func testCancelledWaiterLeavesTheQueueAndFreesNothing() async throws {
        try await withHarness([.hang, .ok()], configure: {
            $0.maxConcurrentRequests = 1
            $0.requestTimeout = 30
        }) { client, server, _ in
            let holder = Task { try await client.post("chat/completions", body: Self.chatBody) }
            while server.requestCount < 1 { try await Task.sleep(nanoseconds: 5_000_000) }
            let waiter = Task { try await client.get("models") }
            try await Task.sleep(nanoseconds: 50_000_000)
            waiter.cancel()
            let waiterResult = await waiter.result
            XCTAssertThrowsError(try waiterResult.get()) { XCTAssertTrue($0 is CancellationError, "\($0)") }
            XCTAssertEqual(server.requestCount, 1)  // the waiter never reached the server
            holder.cancel()
            let holderResult = await holder.result
            XCTAssertThrowsError(try holderResult.get()) { XCTAssertTrue($0 is CancellationError, "\($0)") }
            // The one slot is free again.
            let response = try await client.get("models")
            XCTAssertEqual(response.attempts, 1)
            XCTAssertEqual(server.requestCount, 2)
        }
    }

    // MARK: Retry policy and URLs, without a server

    func testBackoffCeilingsAndFullJitterBounds() {
        let policy = RetryPolicy(maxAttempts: 10, initialDelay: 0.5, maxDelay: 30, multiplier: 2)
        XCTAssertEqual((1...8).map { policy.backoffCeiling(afterAttempt: $0) }, [0.5, 1, 2, 4, 8, 16, 30, 30])
        XCTAssertEqual(policy.backoffCeiling(afterAttempt: 5000), 30)
        var generator = SystemRandomNumberGenerator()
        for attempt in 1...8 {
            for _ in 0..<200 {
                let delay = policy.delay(afterAttempt: attempt, retryAfter: nil, using: &generator)
                XCTAssert(delay >= 0 && delay <= policy.backoffCeiling(afterAttempt: attempt))
            }
        }
        XCTAssertEqual(policy.delay(afterAttempt: 1, retryAfter: 7), 7)
        XCTAssertEqual(policy.delay(afterAttempt: 1, retryAfter: 1e6), 120)
        XCTAssertEqual(RetryPolicy(initialDelay: .nan, maxDelay: .infinity, multiplier: -1).delay(
            afterAttempt: 3, retryAfter: nil), 0)
    }

    func testRetryAfterParsing() throws {
        let reference = try XCTUnwrap(RetryPolicy.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT"))
        XCTAssertEqual(reference, 784_111_777)
        XCTAssertEqual(RetryPolicy.parseHTTPDate("Sunday, 06-Nov-94 08:49:37 GMT"), reference)
        XCTAssertEqual(RetryPolicy.parseHTTPDate("Sun Nov  6 08:49:37 1994"), reference)
        let now = Date(timeIntervalSince1970: reference - 10)
        XCTAssertEqual(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: now), 10)
        XCTAssertEqual(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT",
                                                   now: Date(timeIntervalSince1970: reference + 5)), 0)
        XCTAssertEqual(RetryPolicy.parseRetryAfter("120"), 120)
        XCTAssertEqual(RetryPolicy.parseRetryAfter(" 2 "), 2)
        XCTAssertEqual(RetryPolicy.parseRetryAfter("1.5"), 1.5)
        for bad in ["", "soon", "-1", "1e3", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT"] {
            XCTAssertNil(RetryPolicy.parseRetryAfter(bad), bad)
        }
    }

    func testURLJoining() {
        let client = OpenAIClient(configuration: EndpointConfiguration(baseURL: "http://h:1/v1/"))
        XCTAssertEqual(client.url(for: "chat/completions"), "http://h:1/v1/chat/completions")
        XCTAssertEqual(client.url(for: "/models"), "http://h:1/v1/models")
        XCTAssertEqual(client.url(for: "https://other/v1/x"), "https://other/v1/x")
    }

    func testErrorMessagesNameTheURL() {
        let url = "http://127.0.0.1:9/v1/chat/completions"
        let errors: [EndpointError] = [
            .http(status: 502, body: "<html>Bad Gateway</html>", url: url),
            .invalidJSON(detail: "x", url: url),
            .timeout(seconds: 0.5, url: url),
            .connection(detail: "refused", url: url),
            .responseTooLarge(limit: 10, url: url),
            .invalidRequest(detail: "bad", url: url),
            .retriesExhausted(attempts: 6, last: .http(status: 500, body: "", url: url)),
        ]
        for error in errors {
            XCTAssertTrue(error.description.contains(url), error.description)
            XCTAssertEqual(error.url, url)
        }
        XCTAssertEqual(errors[0].serverMessage, "<html>Bad Gateway</html>")
        XCTAssertEqual(errors[6].description, "gave up after 6 attempts: HTTP 500 from \(url) (empty body)")
    }
}
