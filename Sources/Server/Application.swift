import Engine
import Foundation
import Hummingbird
import JSON
import Logging
import ServiceLifecycle

/// How the server is reached and protected.
public struct ServerConfiguration: Sendable {
    /// 127.0.0.1 unless told otherwise: a model server is not something to expose by accident.
    public var host = "127.0.0.1"
    public var port = 8080
    /// When set, every route but `/health` requires `Authorization: Bearer <apiKey>`.
    public var apiKey: String?
    public var limits = RequestLimits()
    /// On SIGTERM, running generations may go on this long before they are cancelled.
    public var shutdownGraceSeconds = 10.0
    /// Reasoning models' thoughts: apart in `reasoning_content`, or left in the text. A request's
    /// `reasoning_format` overrides it.
    public var reasoningFormat = ReasoningFormat.deepseek
    /// Tokens of thought before Hearth closes the block; nil: no limit. A request's
    /// `reasoning_budget` overrides it.
    public var reasoningBudget: Int?

    public init(host: String = "127.0.0.1", port: Int = 8080, apiKey: String? = nil) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
    }
}

/// The routes: OpenAI's completions, chat completions and models, vLLM's `/tokenize`,
/// `/detokenize` and `/tokenizer_info`, plus `/health` and `/metrics`.
public func buildRouter(models: ModelRegistry, configuration: ServerConfiguration, metrics: ServerMetrics,
                        constraints: (any OutputConstraintFactory)? = nil, logger: Logger) -> Router<HearthRequestContext> {
    let router = Router(context: HearthRequestContext.self)
    router.add(middleware: RequestLogMiddleware(metrics: metrics, logger: logger))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: BearerAuthMiddleware(apiKey: configuration.apiKey))

    router.get("/health") { _, _ in
        CompletionsController.jsonResponse(["status": "ok"])
    }
    router.get("/metrics") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render(models: models))))
    }
    router.get("/v1/models") { _, _ in
        CompletionsController.jsonResponse(.object(JSONObject([
            ("object", "list"), ("data", .array(models.models.map(modelObject))),
        ])))
    }
    router.get("/v1/models/{id}") { _, context in
        let id = context.parameters.get("id") ?? ""
        context.record.model = id
        return CompletionsController.jsonResponse(modelObject(try models.model(named: id)))
    }
    CompletionsController(models: models, limits: configuration.limits, metrics: metrics, constraints: constraints,
                          reasoningFormat: configuration.reasoningFormat, reasoningBudget: configuration.reasoningBudget)
        .addRoutes(to: router)
    TokenizerController(models: models, limits: configuration.limits).addRoutes(to: router)
    return router
}

func modelObject(_ served: ServedModel) -> JSONValue {
    .object(JSONObject([
        ("id", .string(served.id)), ("object", "model"), ("created", .int(served.created)), ("owned_by", "hearth"),
        ("context_length", .int(served.contextLength)),
    ]))
}

/// Runs the server until SIGTERM or SIGINT, then shuts down gracefully: queued generations are
/// refused (503), running ones get `shutdownGraceSeconds` to finish, open connections are drained.
public func runServer(models: ModelRegistry, configuration: ServerConfiguration,
                      constraints: (any OutputConstraintFactory)? = nil, logger: Logger,
                      onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
    let metrics = ServerMetrics()
    let router = buildRouter(models: models, configuration: configuration, metrics: metrics,
                             constraints: constraints, logger: logger)
    let app = Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [ClientHangUpHandler()])),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "hearth"),
        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
    let drain = ExecutorShutdownService(models: models, graceSeconds: configuration.shutdownGraceSeconds)
    // A service group shuts its services down in reverse order: the executors first (so waiting
    // requests end now), then the HTTP server, which waits for the responses in flight.
    let group = ServiceGroup(configuration: .init(services: [app, drain], gracefulShutdownSignals: [.sigterm, .sigint],
                                                  logger: logger))
    try await group.run()
}

struct ExecutorShutdownService: Service {
    let models: ModelRegistry
    let graceSeconds: Double

    func run() async throws {
        try? await gracefulShutdown()
        let deadline = Date().addingTimeInterval(graceSeconds)
        for served in models.models { await served.executor.shutdown(deadline: deadline) }
    }
}

// MARK: - Middleware

/// Every failure leaves as OpenAI's error object, never as Hummingbird's plain-text errors.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = HearthRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = APIError.from(error, clientConnected: context.isConnected)
            if apiError.status.code >= 500 {
                // The client gets the message; the log gets what failed, for whoever runs the server.
                context.logger.error("\(request.method) \(request.uri.path) failed: \(String(reflecting: type(of: error))): \(error)")
            }
            return apiError.response
        }
    }
}

/// `Authorization: Bearer KEY` on every route but `/health`, compared in constant time.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = HearthRequestContext
    let apiKey: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let apiKey, request.uri.path != "/health" else { return try await next(request, context) }
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), Self.constantTimeEqual(Array(header.utf8.dropFirst(prefix.utf8.count)), Array(apiKey.utf8)) else {
            throw APIError.unauthorized
        }
        return try await next(request, context)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}

/// One log line per request (id, method, path, model, tokens, latency, status) and the request
/// counter; a streamed response is logged when its stream ends.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = HearthRequestContext
    let metrics: ServerMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = Date()
        let method = request.method.rawValue
        let path = request.uri.path
        let id = context.id
        let endpoint = Self.endpoint(path)
        let metrics = self.metrics
        let logger = self.logger
        context.record.whenComplete { record, status in
            let milliseconds = Int(Date().timeIntervalSince(start) * 1000)
            metrics.recordRequest(model: record.model, endpoint: endpoint, status: status)
            logger.info("\(method) \(path) \(status)", metadata: [
                "id": "\(id)", "model": "\(record.model)", "prompt_tokens": "\(record.promptTokens)",
                "completion_tokens": "\(record.completionTokens)", "latency_ms": "\(milliseconds)",
            ])
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            context.record.complete(status: Int(APIError.from(error, clientConnected: context.isConnected).status.code))
            throw error
        }
        if !context.record.isStreaming || response.status != .ok {
            context.record.complete(status: Int(response.status.code))
        }
        return response
    }

    /// The route, for the request counter's label: unknown paths are one label, not one per path.
    static func endpoint(_ path: String) -> String {
        let known = ["/v1/completions", "/v1/chat/completions", "/v1/models", "/health", "/metrics",
                     "/tokenize", "/detokenize", "/tokenizer_info"]
        if known.contains(path) { return path }
        if path.hasPrefix("/v1/models/") { return "/v1/models/{id}" }
        return "other"
    }
}
