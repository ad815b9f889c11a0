import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Store

/// A local stand-in for the Hugging Face Hub, speaking the parts of its protocol Hearth uses: the model
/// API (`/api/models/ORG/REPO/revision/REV?blobs=true`), `/resolve/` answering with a redirect to a
/// separate file server (another port, so another origin) and the LFS headers, `Range` on the file
/// server, 401 for a gated repository without the token, 404 with `X-Error-Code`. It counts what it
/// serves, and can cut a download off midway or advertise a wrong hash.
final class FakeHub: @unchecked Sendable {
    struct File {
        let path: String
        let bytes: [UInt8]
        /// What the Hub says the SHA-256 is (the true one unless a test lies).
        var advertisedSHA256: String
        /// What the Hub says the size is, when a test lies about it.
        var advertisedSize: Int? = nil

        var listedSize: Int { advertisedSize ?? bytes.count }
    }

    struct Repository {
        let name: String
        var files: [File]
        var gatedToken: String?
        let commit: String
    }

    struct Request {
        let server: String
        let method: String
        let uri: String
        let headers: [(String, String)]

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    private let lock = NSLock()
    private var repositories: [String: Repository] = [:]
    private var log: [Request] = []
    private var served = 0
    /// Byte counts after which the next file responses stop (the connection is closed midway).
    private var cuts: [Int] = []
    private var channels: [Channel] = []
    private(set) var hubPort = 0
    private(set) var filePort = 0

    var endpoint: String { "http://127.0.0.1:\(hubPort)" }
    var requests: [Request] { lock.withLock { log } }
    /// File bytes written to sockets by the file server.
    var bytesServed: Int { lock.withLock { served } }

    static func start() async throws -> FakeHub {
        let hub = FakeHub()
        let hubChannel = try await hub.bind(role: "hub")
        let fileChannel = try await hub.bind(role: "files")
        hub.lock.withLock {
            hub.channels = [hubChannel, fileChannel]
            hub.hubPort = hubChannel.localAddress?.port ?? 0
            hub.filePort = fileChannel.localAddress?.port ?? 0
        }
        return hub
    }

    func add(_ repository: Repository) {
        lock.withLock { repositories[repository.name] = repository }
    }

    static func repository(_ name: String, files: [(String, [UInt8])], gatedToken: String? = nil) -> Repository {
        Repository(name: name, files: files.map { File(path: $0.0, bytes: $0.1, advertisedSHA256: sha256($0.1)) },
                   gatedToken: gatedToken, commit: String(repeating: "c0ffee12", count: 5))
    }

    /// The next file responses stop after these many bytes each.
    func cutNextDownloads(after bytes: [Int]) {
        lock.withLock { cuts = bytes }
    }

    func stop() async {
        for channel in lock.withLock({ channels }) { try? await channel.close() }
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    private func bind(role: String) async throws -> Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
                    try channel.pipeline.syncOperations.addHandler(FakeHubHandler(hub: self, role: role))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    enum Answer {
        case respond(status: Int, headers: [(String, String)], body: [UInt8])
        /// File bytes: declared length `declared`, but only `bytes` written, then the connection closed when cut.
        case file(status: Int, headers: [(String, String)], body: ArraySlice<UInt8>, cutAfter: Int?)
    }

    fileprivate func answer(_ request: Request) -> Answer {
        lock.withLock {
            log.append(request)
            return request.server == "hub" ? hubAnswer(request) : fileAnswer(request)
        }
    }

    private func error(_ status: Int, _ code: String, _ message: String) -> Answer {
        .respond(status: status, headers: [("X-Error-Code", code), ("X-Error-Message", message), ("Content-Type", "application/json")],
                 body: Array("{\"error\":\"\(message)\"}".utf8))
    }

    private func authorized(_ repository: Repository, _ request: Request) -> Answer? {
        guard let token = repository.gatedToken else { return nil }
        guard let header = request.header("Authorization") else {
            return error(401, "GatedRepo", "Access to model \(repository.name) is restricted. You must be authenticated to access it.")
        }
        return header == "Bearer \(token)" ? nil : error(401, "GatedRepo", "Invalid credentials")
    }

    private func hubAnswer(_ request: Request) -> Answer {
        let path = request.uri.split(separator: "?").first.map(String.init) ?? request.uri
        let parts = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        if parts.count >= 6, parts[0] == "api", parts[1] == "models", parts[4] == "revision" {
            guard let repository = repositories["\(parts[2])/\(parts[3])"] else {
                return error(404, "RepoNotFound", "Repository not found")
            }
            if let refusal = authorized(repository, request) { return refusal }
            let siblings = repository.files.map { file in
                "{\"rfilename\":\"\(file.path)\",\"size\":\(file.listedSize),\"lfs\":{\"sha256\":\"\(file.advertisedSHA256)\",\"size\":\(file.listedSize),\"pointerSize\":134}}"
            }
            let json = "{\"id\":\"\(repository.name)\",\"sha\":\"\(repository.commit)\",\"siblings\":[\(siblings.joined(separator: ","))]}"
            return .respond(status: 200, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
        }
        if parts.count >= 5, parts[2] == "resolve" {
            guard let repository = repositories["\(parts[0])/\(parts[1])"] else {
                return error(404, "RepoNotFound", "Repository not found")
            }
            if let refusal = authorized(repository, request) { return refusal }
            let filePath = parts[4...].joined(separator: "/")
            guard let file = repository.files.first(where: { $0.path == filePath }) else {
                return error(404, "EntryNotFound", "\(filePath) does not exist on \(parts[3])")
            }
            let location = "http://127.0.0.1:\(filePort)/xet/\(FakeHub.sha256(file.bytes))?signature=abc"
            return .respond(status: 302, headers: [
                ("Location", location), ("X-Repo-Commit", repository.commit),
                ("X-Linked-Etag", "\"\(file.advertisedSHA256)\""), ("X-Linked-Size", String(file.listedSize)),
                ("ETag", "\"0123456789abcdef0123456789abcdef01234567\""),
            ], body: [])
        }
        return error(404, "EntryNotFound", "no route for \(path)")
    }

    private func fileAnswer(_ request: Request) -> Answer {
        let path = request.uri.split(separator: "?").first.map(String.init) ?? request.uri
        let key = String(path.split(separator: "/").last ?? "")
        guard let file = repositories.values.flatMap(\.files).first(where: { FakeHub.sha256($0.bytes) == key }) else {
            return .respond(status: 404, headers: [], body: Array("no such object".utf8))
        }
        var start = 0
        var status = 200
        var headers: [(String, String)] = [("Content-Type", "application/octet-stream"), ("Accept-Ranges", "bytes")]
        if let range = request.header("Range"), range.hasPrefix("bytes="), let from = Int(range.dropFirst(6).split(separator: "-").first ?? "") {
            guard from < file.bytes.count else {
                return .respond(status: 416, headers: [("Content-Range", "bytes */\(file.bytes.count)")], body: [])
            }
            start = from
            status = 206
            headers.append(("Content-Range", "bytes \(from)-\(file.bytes.count - 1)/\(file.bytes.count)"))
        }
        let body = file.bytes[start...]
        if request.method == "HEAD" { return .file(status: status, headers: headers, body: body, cutAfter: nil) }
        let cut = cuts.isEmpty ? nil : cuts.removeFirst()
        served += min(body.count, cut ?? body.count)
        return .file(status: status, headers: headers, body: body, cutAfter: cut)
    }
}

private final class FakeHubHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let hub: FakeHub
    private let role: String
    private var head: HTTPRequestHead?

    init(hub: FakeHub, role: String) {
        self.hub = hub
        self.role = role
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            let request = FakeHub.Request(server: role, method: head.method.rawValue, uri: head.uri,
                                          headers: head.headers.map { ($0.name, $0.value) })
            respond(hub.answer(request), isHead: head.method == .HEAD, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func respond(_ answer: FakeHub.Answer, isHead: Bool, context: ChannelHandlerContext) {
        switch answer {
        case let .respond(status, extra, body):
            write(status, extra, length: body.count, context: context)
            if !isHead, !body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case let .file(status, extra, body, cutAfter):
            write(status, extra, length: body.count, context: context)
            if isHead {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            let sent = body.prefix(cutAfter ?? body.count)
            // In pieces, as a network delivers them.
            var offset = sent.startIndex
            while offset < sent.endIndex {
                let end = min(offset + 65_536, sent.endIndex)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: sent[offset..<end])))), promise: nil)
                offset = end
            }
            if cutAfter != nil, sent.count < body.count {
                // The connection drops midway, once every byte sent has reached the socket (a close
                // with writes pending would discard them, and the cut would land somewhere else).
                let flushed = context.eventLoop.makePromise(of: Void.self)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer()))), promise: flushed)
                flushed.futureResult.whenComplete { _ in context.close(promise: nil) }
            } else {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }

    private func write(_ status: Int, _ extra: [(String, String)], length: Int, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: String(length))
        for (name, value) in extra { headers.add(name: name, value: value) }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers))), promise: nil)
    }
}
