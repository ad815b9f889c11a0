import Foundation
import Glibc
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import XCTest

/// `hearth serve` over a real socket, at its limits: a body over the limit gets a 413 with an error
/// object (not a reset connection), and a prompt longer than the context is refused loudly, never
/// truncated; the server answers normally afterwards.
final class ServeLimitsTests: XCTestCase {
    private func post(_ url: String, _ body: Data) throws -> (status: Int, json: [String: Any]?) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        request.timeoutInterval = 120
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: (Int, Data?, Error?) = (0, nil, nil)
        URLSession.shared.dataTask(with: request) { data, response, error in
            outcome = ((response as? HTTPURLResponse)?.statusCode ?? 0, data, error)
            done.signal()
        }.resume()
        done.wait()
        if let error = outcome.2 { throw error }
        let json = outcome.1.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        return (outcome.0, json)
    }

    private func chat(_ content: String, maxTokens: Int = 4) throws -> Data {
        try JSONSerialization.data(withJSONObject: [
            "model": "smollm2-135m-instruct", "max_tokens": maxTokens, "temperature": 0,
            "messages": [["role": "user", "content": content]],
        ])
    }

    func testOversizedBodyAndOverContextPromptAreRefusedWithErrorObjects() throws {
        _ = try TestModels.url("smollm2-135m-instruct")
        let server = try ServeProcess(model: "smollm2-135m-instruct", parallel: 2)
        defer { server.stop() }
        let url = server.baseURL + "/chat/completions"

        let huge = try post(url, try chat(String(repeating: "a", count: 9 << 20)))
        XCTAssertEqual(huge.status, 413)
        let hugeError = try XCTUnwrap(huge.json?["error"] as? [String: Any], "\(String(describing: huge.json))")
        XCTAssertNotNil(hugeError["message"] as? String)

        // About 30,000 tokens against SmolLM2's 8,192 of context, well under the body limit.
        let long = try post(url, try chat(String(repeating: "hello world ", count: 15_000)))
        XCTAssertEqual(long.status, 400, "\(String(describing: long.json))")
        let longError = try XCTUnwrap(long.json?["error"] as? [String: Any])
        let message = try XCTUnwrap(longError["message"] as? String)
        XCTAssertTrue(message.contains("context"), message)

        let fine = try post(url, try chat("Hello"))
        XCTAssertEqual(fine.status, 200, "\(String(describing: fine.json))")
    }

    /// A raw connection to the server: what a client that hangs up does, no HTTP library between.
    private func connect(_ port: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw XCTSkip("could not connect to the server: errno \(errno)") }
        return socket
    }

    private func send(_ socket: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func metric(_ server: ServeProcess, status: Int, endpoint: String? = nil) throws -> Int {
        let text = try String(contentsOf: URL(string: server.baseURL.replacingOccurrences(of: "/v1", with: "") + "/metrics")!, encoding: .utf8)
        return text.split(separator: "\n")
            .filter { $0.hasPrefix("hearth_requests_total{") && $0.contains("status=\"\(status)\"") }
            .filter { line in endpoint.map { line.contains("endpoint=\"\($0)\"") } ?? true }
            .compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
    }

    /// A client that hangs up is no server error: half a body then a close, or a reset while its
    /// answer is computed, are counted as 499 (nginx's "client closed request"), never 500, and
    /// the slot is freed. (They were 500s until the soak test found them.)
    func testClientsThatHangUpAre499sNotServerErrors() throws {
        _ = try TestModels.url("smollm2-135m-instruct")
        let server = try ServeProcess(model: "smollm2-135m-instruct", parallel: 2)
        defer { server.stop() }
        let port = try XCTUnwrap(Int(server.baseURL.split(separator: ":").last?.split(separator: "/").first ?? ""))
        let body = Array(try chat("Tell me a long story about a lighthouse.", maxTokens: 400))
        let head = Array("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8)

        let halfBody = try connect(port)
        send(halfBody, head + body.prefix(20))
        usleep(200_000)
        close(halfBody)

        let reset = try connect(port)
        send(reset, head + body)
        usleep(500_000)
        var linger = linger(l_onoff: 1, l_linger: 0)
        setsockopt(reset, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        close(reset)

        let deadline = Date().addingTimeInterval(30)
        while try metric(server, status: 499) < 2 && Date() < deadline { usleep(100_000) }
        XCTAssertEqual(try metric(server, status: 499), 2)
        XCTAssertEqual(try metric(server, status: 500), 0)
        let fine = try post(server.baseURL + "/chat/completions", try chat("Hello"))
        XCTAssertEqual(fine.status, 200, "\(String(describing: fine.json))")
    }

    /// A client that closes its socket normally (a FIN, no reset) while a non-streamed answer is
    /// computed stops the generation: the slot is freed long before `max_tokens`, and the request is
    /// a 499. Until ClientHangUpHandler, the server only noticed when it wrote the finished answer.
    func testAClientThatClosesWhileANonStreamedAnswerIsComputedStopsIt() throws {
        _ = try TestModels.url("smollm2-135m-instruct")
        let server = try ServeProcess(model: "smollm2-135m-instruct", parallel: 1)
        defer { server.stop() }
        let port = try XCTUnwrap(Int(server.baseURL.split(separator: ":").last?.split(separator: "/").first ?? ""))
        // Both end-of-turn tokens banned: the answer could only end at max_tokens, 6,000 tokens on.
        let maxTokens = 6_000
        let body = Array(try JSONSerialization.data(withJSONObject: [
            "model": "smollm2-135m-instruct", "max_tokens": maxTokens, "temperature": 0,
            "logit_bias": ["0": -100, "2": -100],
            "messages": [["role": "user", "content": "Tell me a long story about a lighthouse."]],
        ]))
        let head = Array("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        let client = try connect(port)
        send(client, head + body)
        // Wait until the generation holds the slot, then close normally.
        let started = Date().addingTimeInterval(30)
        while try gauge(server, "hearth_active_slots") < 1 && Date() < started { usleep(20_000) }
        XCTAssertEqual(try gauge(server, "hearth_active_slots"), 1, "the generation never started")
        close(client)

        // The answer would take minutes; the slot is free as soon as the close is seen.
        let deadline = Date().addingTimeInterval(120)
        while try gauge(server, "hearth_active_slots") > 0 && Date() < deadline { usleep(100_000) }
        XCTAssertEqual(try gauge(server, "hearth_active_slots"), 0)
        XCTAssertEqual(try metric(server, status: 499), 1)
        XCTAssertEqual(try metric(server, status: 200, endpoint: "/v1/chat/completions"), 0)
        XCTAssertLessThan(try gauge(server, "hearth_completion_tokens_total"), maxTokens / 2,
                          "the generation ran on after the client left")
    }

    private func gauge(_ server: ServeProcess, _ name: String) throws -> Int {
        let text = try String(contentsOf: URL(string: server.baseURL.replacingOccurrences(of: "/v1", with: "") + "/metrics")!, encoding: .utf8)
        return text.split(separator: "\n")
            .filter { $0.hasPrefix(name + " ") || $0.hasPrefix(name + "{") }
            .compactMap { Double($0.split(separator: " ").last ?? "").map { Int($0) } }.reduce(0, +)
    }
}
