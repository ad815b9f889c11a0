import Foundation
import Hummingbird
import Logging
import NIOCore

/// What the one log line of a request says; filled in by the handler, written once at the end
/// (for a streamed response, when the stream ends).
public final class RequestRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var _model = ""
    private var _promptTokens = 0
    private var _completionTokens = 0
    private var _streaming = false
    private var _completed = false
    private var onComplete: (@Sendable (RequestRecord, Int) -> Void)?

    public init() {}

    public var model: String {
        get { lock.withLock { _model } }
        set { lock.withLock { _model = newValue } }
    }

    public var promptTokens: Int { lock.withLock { _promptTokens } }
    public var completionTokens: Int { lock.withLock { _completionTokens } }

    /// Whether the response is a stream, whose end (not the handler's return) completes the request.
    public var isStreaming: Bool {
        get { lock.withLock { _streaming } }
        set { lock.withLock { _streaming = newValue } }
    }

    func setTokens(prompt: Int, completion: Int) {
        lock.withLock {
            _promptTokens = prompt
            _completionTokens = completion
        }
    }

    func whenComplete(_ action: @escaping @Sendable (RequestRecord, Int) -> Void) {
        lock.withLock { onComplete = action }
    }

    /// Ends the request with `status`; only the first call counts.
    func complete(status: Int) {
        let action: (@Sendable (RequestRecord, Int) -> Void)? = lock.withLock {
            guard !_completed else { return nil }
            _completed = true
            return onComplete
        }
        action?(self, status)
    }
}

/// The request context of every route: Hummingbird's core storage, the connection (to notice a
/// client that leaves), and the record of the request for its log line.
public struct HearthRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// nil in router tests, where there is no real connection.
    public let channel: (any Channel)?
    public let record: RequestRecord

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        record = RequestRecord()
    }

    /// Bodies are collected with the server's own limit (`RequestLimits.maximumBodyBytes`).
    public var maxUploadSize: Int { Int.max }

    /// Whether the client's connection is still open (always true in router tests).
    /// `Channel.isActive` is safe to read from any thread.
    var isConnected: Bool { channel?.isActive ?? true }

    /// Runs `action` when the client closes the connection (once).
    func onDisconnect(_ action: @escaping @Sendable () -> Void) {
        channel?.closeFuture.whenComplete { _ in action() }
    }
}
