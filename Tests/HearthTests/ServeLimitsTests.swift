import Foundation
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
}
