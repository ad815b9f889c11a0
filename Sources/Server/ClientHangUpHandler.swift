import NIOCore

/// Closes a connection whose client has closed its side (sent FIN), so that a generation it asked
/// for stops with the connection (a 499) instead of running to `max_tokens` for nobody.
///
/// Hummingbird allows remote half-closure, and HTTP/1.1 lets a client half-close after its request
/// and still read the answer; no OpenAI client does that, but every client that gives up does close
/// its socket, and the server cannot tell the two apart until it writes. Like nginx's default for
/// proxied requests (`proxy_ignore_client_abort off`), a FIN here ends the request. Without this, a
/// non-streamed request kept its slot until the last token: the connection is only written to
/// (and so only found closed) when the whole answer is ready.
final class ClientHangUpHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
