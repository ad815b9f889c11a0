import AsyncHTTPClient
import Foundation
import JSON
import NIOCore
import NIOHTTP1

/// How to reach the Hub, read from the environment as `huggingface_hub` reads it.
public struct HubSettings: Sendable {
    /// `HF_ENDPOINT`, default `https://huggingface.co`, without a trailing slash.
    public var endpoint: String
    /// `HF_TOKEN`, else `HUGGING_FACE_HUB_TOKEN`, else the token file `huggingface-cli login` writes
    /// (`$HF_TOKEN_PATH`, or `$HF_HOME/token`, default `~/.cache/huggingface/token`).
    public var token: String?
    /// How many times an interrupted download resumes by itself before the pull gives up (a later
    /// pull resumes again from the partial file).
    public var maxResumes: Int = 5
    /// The first pause before resuming; doubled each time, at most 10 s.
    public var resumeDelay: Double = 1
    /// An idle connection is given up after this many seconds without a byte.
    public var readTimeout: Int64 = 60

    public init(endpoint: String = "https://huggingface.co", token: String? = nil) {
        self.endpoint = endpoint
        self.token = token
    }

    public init(environment: [String: String]) throws {
        var endpoint = environment["HF_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://huggingface.co"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw StoreError.badReference(endpoint, reason: "HF_ENDPOINT must be an http:// or https:// URL")
        }
        var token = environment["HF_TOKEN"] ?? environment["HUGGING_FACE_HUB_TOKEN"]
        if token?.isEmpty ?? true {
            let home = environment["HF_HOME"].map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/huggingface")
            let path = environment["HF_TOKEN_PATH"] ?? home.appendingPathComponent("token").path
            token = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        self.init(endpoint: endpoint, token: (token?.isEmpty ?? true) ? nil : token)
    }
}

/// One file of a repository as the model API lists it.
struct HubSibling: Sendable {
    let path: String
    let size: Int64?
    /// The LFS object's SHA-256, for files stored in LFS (every GGUF file on the Hub is).
    let sha256: String?
}

/// What a `HEAD` on a `/resolve/` URL says about a file.
struct HubFileMetadata: Sendable {
    let commit: String?
    let sha256: String?
    let size: Int64?
    /// Where the bytes are (the CDN a redirect points to, or the resolve URL itself).
    let location: String
}

/// The Hub's HTTP protocol, as `huggingface_hub` speaks it: the model API for listings, `HEAD` on
/// `/resolve/` for a file's commit, hash and size (following only same-host redirects, as for a
/// renamed repository, and stopping at the redirect to the file store), then `GET` with `Range`.
/// The token goes only to the endpoint's own host, never to the file store a redirect names.
final class HubClient: @unchecked Sendable {
    let settings: HubSettings
    private let http: HTTPClient

    init(settings: HubSettings) {
        self.settings = settings
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(30), read: .seconds(settings.readTimeout))
        configuration.redirectConfiguration = .disallow  // each hop is followed here, to decide on the token
        configuration.decompression = .disabled
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func shutdown() async {
        try? await http.shutdown()
    }

    /// The repository at the reference's revision: its commit and its files.
    func modelInfo(_ reference: HubReference) async throws -> (commit: String?, siblings: [HubSibling]) {
        let url = reference.modelInfoURL(endpoint: settings.endpoint)
        let response = try await send(url, method: .GET, range: nil, followRedirects: true, deadline: .now() + .seconds(120))
        try await requireSuccess(response.response, url: response.url)
        let body: ByteBuffer
        do {
            body = try await response.response.body.collect(upTo: 64 << 20)
        } catch {
            throw StoreError.badResponse(url: url, reason: "the listing is larger than 64 MB or was cut off (\(error))")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes: Array(buffer: body))
        } catch {
            throw StoreError.badResponse(url: url, reason: "the model API did not return JSON: \(error)")
        }
        guard let siblings = json["siblings"]?.arrayValue else {
            throw StoreError.badResponse(url: url, reason: "no 'siblings' list in the model API's answer")
        }
        let files = try siblings.enumerated().map { index, sibling -> HubSibling in
            guard let path = sibling["rfilename"]?.stringValue else {
                throw StoreError.badResponse(url: url, reason: "siblings[\(index)] has no 'rfilename'")
            }
            let lfs = sibling["lfs"]
            let sha = lfs?["sha256"]?.stringValue ?? lfs?["oid"]?.stringValue
            let size = (lfs?["size"]?.intValue ?? sibling["size"]?.intValue).map(Int64.init)
            return HubSibling(path: path, size: size, sha256: sha.map { $0.lowercased() }.flatMap { isSHA256($0) ? $0 : nil })
        }
        return (json["sha"]?.stringValue, files)
    }

    /// `HEAD` on the file's `/resolve/` URL.
    func fileMetadata(_ url: String) async throws -> HubFileMetadata {
        var current = url
        for _ in 0..<6 {
            var request = HTTPClientRequest(url: current)
            request.method = .HEAD
            request.headers.add(name: "Accept-Encoding", value: "identity")
            authorize(&request, for: current)
            let response = try await execute(request, url: current, deadline: .now() + .seconds(60))
            let headers = response.headers
            if (300...399).contains(Int(response.status.code)), let location = headers.first(name: "Location") {
                let target = try Self.resolve(location, against: current)
                if Self.origin(target) == Self.origin(current) {
                    current = target  // same origin, as for a renamed repository: follow it
                    continue
                }
                return Self.metadata(headers, location: target)
            }
            try await requireSuccess(response, url: current)
            return Self.metadata(headers, location: current)
        }
        throw StoreError.badResponse(url: url, reason: "more than 5 redirects")
    }

    /// The LFS headers (`X-Linked-*`) where the file is in LFS, the plain ones otherwise.
    private static func metadata(_ headers: HTTPHeaders, location: String) -> HubFileMetadata {
        HubFileMetadata(commit: headers.first(name: "X-Repo-Commit"),
                        sha256: etagSHA256(headers.first(name: "X-Linked-Etag") ?? headers.first(name: "ETag")),
                        size: (headers.first(name: "X-Linked-Size") ?? headers.first(name: "Content-Length")).flatMap { Int64($0) },
                        location: location)
    }

    /// A `GET` of the bytes, from `offset` on when it is not zero; redirects followed (at most 5).
    func get(_ url: String, offset: Int64) async throws -> (response: HTTPClientResponse, url: String) {
        try await send(url, method: .GET, range: offset > 0 ? offset : nil, followRedirects: true, deadline: .distantFuture)
    }

    // MARK: - Private

    private func send(_ url: String, method: HTTPMethod, range: Int64?, followRedirects: Bool,
                      deadline: NIODeadline) async throws -> (response: HTTPClientResponse, url: String) {
        var current = url
        for _ in 0..<6 {
            var request = HTTPClientRequest(url: current)
            request.method = method
            request.headers.add(name: "Accept-Encoding", value: "identity")
            if let range { request.headers.add(name: "Range", value: "bytes=\(range)-") }
            authorize(&request, for: current)
            let response = try await execute(request, url: current, deadline: deadline)
            guard followRedirects, (300...399).contains(Int(response.status.code)),
                  let location = response.headers.first(name: "Location") else { return (response, current) }
            _ = try? await response.body.collect(upTo: 1 << 16)
            current = try Self.resolve(location, against: current)
        }
        throw StoreError.badResponse(url: url, reason: "more than 5 redirects")
    }

    private func authorize(_ request: inout HTTPClientRequest, for url: String) {
        guard let token = settings.token, sendsToken(to: url) else { return }
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
    }

    /// The token goes to the endpoint's host only (same scheme and port too): a redirect to a file
    /// store gets a signed URL and no credentials, as in `huggingface_hub`.
    func sendsToken(to url: String) -> Bool {
        guard settings.token != nil, let origin = Self.origin(url) else { return false }
        return origin == Self.origin(settings.endpoint)
    }

    private func execute(_ request: HTTPClientRequest, url: String, deadline: NIODeadline) async throws -> HTTPClientResponse {
        do {
            return try await http.execute(request, deadline: deadline)
        } catch {
            throw StoreError.network(url: url, message: Self.describe(error))
        }
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .readTimeout: return "no data for too long (read timeout)"
            case .connectTimeout: return "connection timed out"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(error)"
            }
        }
        return "\(error)"
    }

    /// Scheme, host and port: what must match for a redirect to count as the same site.
    static func origin(_ url: String) -> String? {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host?.lowercased() else { return nil }
        return "\(scheme)://\(host):\(parsed.port ?? (scheme == "https" ? 443 : 80))"
    }

    static func resolve(_ location: String, against base: String) throws -> String {
        guard let target = URL(string: location, relativeTo: URL(string: base)), let scheme = target.scheme?.lowercased(),
              ["http", "https"].contains(scheme) else {
            throw StoreError.badResponse(url: base, reason: "a redirect to '\(location.prefix(200))', not an http(s) URL")
        }
        return target.absoluteString
    }

    /// The SHA-256 an ETag carries (`"<hex>"` or `W/"<hex>"`), nil when it is something else (a git
    /// blob's SHA-1 for a file not in LFS).
    static func etagSHA256(_ etag: String?) -> String? {
        guard var value = etag?.trimmingCharacters(in: .whitespaces) else { return nil }
        if value.hasPrefix("W/") { value.removeFirst(2) }
        value = value.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
        return isSHA256(value) ? value : nil
    }

    /// Maps an error status to the error a user can act on, with the Hub's own message.
    func requireSuccess(_ response: HTTPClientResponse, url: String) async throws {
        let status = Int(response.status.code)
        guard !(200...299).contains(status) else { return }
        var message = response.headers.first(name: "X-Error-Message") ?? ""
        if message.isEmpty, let body = try? await response.body.collect(upTo: 1 << 16) {
            let text = String(decoding: Array(buffer: body), as: UTF8.self)
            if let json = try? JSONParser.parse(text), let error = json["error"]?.stringValue ?? json["error"]?["message"]?.stringValue {
                message = error
            } else {
                message = String(text.prefix(200)).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        switch status {
        case 401: throw StoreError.unauthorized(url: url, hasToken: sendsToken(to: url))
        case 403: throw StoreError.forbidden(url: url, message: message)
        case 404: throw StoreError.notFound(url: url, message: message)
        default: throw StoreError.http(url: url, status: status, message: message)
        }
    }
}
