import Hummingbird
import HummingbirdTesting
import JSON
import Server
import XCTest

/// Requests refused before any model runs: every one gets a 4xx with OpenAI's error object.
final class RequestValidationTests: XCTestCase {
    func testHealthAndModelsWithNoModels() async throws {
        try await withServer([]) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(try parse(response.body)["status"], "ok")
            }
            try await client.execute(uri: "/v1/models", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(try parse(response.body)["data"], .array([]))
            }
        }
    }

    func testUnknownRouteIsAnOpenAIError() async throws {
        try await withServer([]) { client in
            try await client.execute(uri: "/v1/nothing", method: .get) { response in
                XCTAssertEqual(response.status, .notFound)
                XCTAssertEqual(try errorObject(response)["code"], "not_found")
            }
        }
    }

    func testMalformedJSON() async throws {
        try await withServer([]) { client in
            for body in ["{bad", "", "[1, 2]", "\"text\"", "{\"model\": \"a\",}"] {
                try await client.execute(uri: "/v1/completions", method: .post, body: ByteBuffer(string: body)) { response in
                    XCTAssertEqual(response.status, .badRequest, body)
                    XCTAssertEqual(try errorObject(response)["type"], "invalid_request_error")
                }
            }
        }
    }

    func testDeeplyNestedJSONIsRefusedNotRecursedInto() async throws {
        let body = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        try await withServer([]) { client in
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: body)) { response in
                XCTAssertEqual(response.status, .badRequest)
                XCTAssertEqual(try errorObject(response)["code"], "invalid_json")
            }
        }
    }

    func testWrongFieldTypesNameTheField() async throws {
        let cases: [(JSONValue, String)] = [
            (["prompt": "x"], "model"),
            (["model": 3, "prompt": "x"], "model"),
            (["model": "m", "prompt": "x", "max_tokens": "ten"], "max_tokens"),
            (["model": "m", "prompt": "x", "max_tokens": -1], "max_tokens"),
            (["model": "m", "prompt": "x", "temperature": "hot"], "temperature"),
            (["model": "m", "prompt": "x", "temperature": 5], "temperature"),
            (["model": "m", "prompt": "x", "top_p": 0], "top_p"),
            (["model": "m", "prompt": "x", "n": 0], "n"),
            (["model": "m", "prompt": "x", "n": 1000], "n"),
            (["model": "m", "prompt": "x", "stream": "yes"], "stream"),
            (["model": "m", "prompt": "x", "stop": 3], "stop"),
            (["model": "m", "prompt": "x", "stop": ["a", 1]], "stop"),
            (["model": "m", "prompt": "x", "logprobs": 100], "logprobs"),
            (["model": "m", "prompt": "x", "seed": "abc"], "seed"),
            (["model": "m", "prompt": "x", "logit_bias": ["abc": 1]], "logit_bias"),
            (["model": "m", "prompt": "x", "logit_bias": ["5": 1000]], "logit_bias"),
            (["model": "m", "prompt": "x", "stream_options": ["include_usage": 1]], "stream_options.include_usage"),
            (["model": "m", "prompt": "x", "response_format": ["type": "xml"]], "response_format.type"),
            (["model": "m", "prompt": .array([])], "prompt"),
            (["model": "m", "prompt": [1, -2]], "prompt"),
            (["model": "m", "prompt": ["a", 2]], "prompt"),
            (["model": "m"], "prompt"),
        ]
        try await withServer([]) { client in
            for (body, param) in cases {
                try await client.execute(uri: "/v1/completions", method: .post, body: json(body)) { response in
                    XCTAssertEqual(response.status, .badRequest, body.serialized())
                    XCTAssertEqual(try errorObject(response)["param"], .string(param), body.serialized())
                }
            }
        }
    }

    func testChatMessagesAreChecked() async throws {
        let cases: [(JSONValue, String)] = [
            (["model": "m"], "messages"),
            (["model": "m", "messages": "hi"], "messages"),
            (["model": "m", "messages": .array([])], "messages"),
            (["model": "m", "messages": ["hi"]], "messages[0]"),
            (["model": "m", "messages": [["content": "hi"]]], "messages[0].role"),
            (["model": "m", "messages": [["role": "wizard", "content": "hi"]]], "messages[0].role"),
            (["model": "m", "messages": [["role": "user", "content": 5]]], "messages[0].content"),
            (["model": "m", "messages": [["role": "user", "content": [["type": "image_url"]]]]], "messages[0].content[0]"),
            (["model": "m", "messages": [["role": "user", "content": "hi"]], "top_logprobs": 2], "top_logprobs"),
        ]
        try await withServer([]) { client in
            for (body, param) in cases {
                try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(body)) { response in
                    XCTAssertEqual(response.status, .badRequest, body.serialized())
                    XCTAssertEqual(try errorObject(response)["param"], .string(param), body.serialized())
                }
            }
        }
    }

    func testUnknownModelIs404() async throws {
        try await withServer([]) { client in
            let body: JSONValue = ["model": "no-such-model", "prompt": "hi"]
            try await client.execute(uri: "/v1/completions", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .notFound)
                let error = try errorObject(response)
                XCTAssertEqual(error["code"], "model_not_found")
                XCTAssertEqual(error["param"], "model")
            }
        }
    }

    func testBodyTooLarge() async throws {
        var limits = RequestLimits()
        limits.maximumBodyBytes = 1000
        try await withServer([], limits: limits) { client in
            let body = ByteBuffer(string: "{\"model\": \"m\", \"prompt\": \"" + String(repeating: "a", count: 5000) + "\"}")
            try await client.execute(uri: "/v1/completions", method: .post, body: body) { response in
                XCTAssertEqual(response.status, .contentTooLarge)
                XCTAssertEqual(try errorObject(response)["code"], "request_too_large")
            }
        }
    }

    func testAPIKeyGuardsEveryRouteButHealth() async throws {
        try await withServer([], apiKey: "sesame") { client in
            try await client.execute(uri: "/health", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
            }
            for uri in ["/v1/models", "/metrics", "/v1/nothing"] {
                try await client.execute(uri: uri, method: .get) { response in
                    XCTAssertEqual(response.status, .unauthorized, uri)
                    XCTAssertEqual(try errorObject(response)["code"], "invalid_api_key")
                }
            }
            for header in ["Bearer wrong", "sesame", "Bearer sesame2", "Bearer sesam", "Basic sesame"] {
                try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: header]) { response in
                    XCTAssertEqual(response.status, .unauthorized, header)
                }
            }
            try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer sesame"]) { response in
                XCTAssertEqual(response.status, .ok)
            }
            // An unauthenticated generation request is refused before its body is even read.
            try await client.execute(uri: "/v1/completions", method: .post, body: ByteBuffer(string: "{bad")) { response in
                XCTAssertEqual(response.status, .unauthorized)
            }
        }
    }

    func testMetricsAreInPrometheusTextFormat() async throws {
        try await withServer([]) { client in
            try await client.execute(uri: "/v1/models", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(response.headers[.contentType], "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                XCTAssertTrue(text.contains("# TYPE hearth_requests_total counter"))
                XCTAssertTrue(text.contains("hearth_requests_total{model=\"\",endpoint=\"/v1/models\",status=\"200\"} 1"), text)
                for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                    XCTAssertNotNil(Double(line.split(separator: " ").last ?? ""), String(line))
                }
            }
        }
    }
}
