import Engine
import Hummingbird
import HummingbirdTesting
import JSON
import Models
import Server
import TestSupport
import XCTest

/// Generation through the routes, on SmolLM2.
final class CompletionTests: XCTestCase {
    /// The text a direct greedy generation gives, to hold the server to.
    func directGreedy(_ prompt: String, maxTokens: Int) throws -> String {
        let model = try SharedModel.smolLM2()
        let generator = Generator(context: model.makeContext(contextLength: 256))
        var text = ""
        try generator.generate(prompt: model.tokenizer.encode(prompt, addSpecial: true, parseSpecial: true),
                               options: GenerationOptions(maxTokens: maxTokens, sampling: .greedy)) { step in
            text += step.text
            return true
        }
        return text
    }

    func testGreedyCompletionMatchesTheEngine() async throws {
        let served = try servedSmolLM2()
        let expected = try directGreedy("The capital of France is", maxTokens: 12)
        try await withServer([served]) { client in
            let body: JSONValue = ["model": "smollm2", "prompt": "The capital of France is", "max_tokens": 12, "temperature": 0]
            try await client.execute(uri: "/v1/completions", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .ok)
                let object = try parse(response.body)
                XCTAssertEqual(object["object"], "text_completion")
                XCTAssertEqual(object["model"], "smollm2")
                let choice = try XCTUnwrap(object["choices"]?.arrayValue?.first)
                XCTAssertEqual(choice["text"]?.stringValue, expected)
                XCTAssertEqual(choice["finish_reason"], "length")
                XCTAssertEqual(object["usage"]?["prompt_tokens"], 5)
                XCTAssertEqual(object["usage"]?["completion_tokens"], 12)
                XCTAssertEqual(object["usage"]?["total_tokens"], 17)
            }
            // The slot's cache now holds the prompt and the answer (16 positions are written; the
            // last token is sampled, not fed), kept for a later request's shared prefix: at least
            // those positions' bytes, at most a page more per layer's keys and values.
            try await client.execute(uri: "/metrics", method: .get) { response in
                let line = String(buffer: response.body).split(separator: "\n")
                    .first { $0.hasPrefix("hearth_kv_cache_resident_bytes{model=\"smollm2\"}") }
                let bytes = try XCTUnwrap(line.flatMap { Int($0.split(separator: " ").last ?? "") })
                let config = served.model.config
                XCTAssertGreaterThanOrEqual(bytes, 16 * KVCacheType.f32.bytesPerPosition(config))
                XCTAssertLessThanOrEqual(bytes, 16 * KVCacheType.f32.bytesPerPosition(config) + 2 * config.blockCount * 4096 * 2)
            }
        }
        await served.executor.shutdown(deadline: Date())
    }

    func testStreamingGivesTheSameTextAndUsage() async throws {
        let served = try servedSmolLM2()
        let expected = try directGreedy("Once upon a time", maxTokens: 10)
        try await withServer([served]) { client in
            let body: JSONValue = ["model": "smollm2", "prompt": "Once upon a time", "max_tokens": 10, "temperature": 0,
                                   "stream": true, "stream_options": ["include_usage": true]]
            try await client.execute(uri: "/v1/completions", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(response.headers[.contentType], "text/event-stream")
                let events = String(buffer: response.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
                XCTAssertEqual(events.last, "data: [DONE]")
                var text = ""
                var finish: JSONValue?
                var usage: JSONValue?
                for event in events.dropLast() {
                    XCTAssertTrue(event.hasPrefix("data: "))
                    let chunk = try JSONParser.parse(String(event.dropFirst(6)))
                    if let choice = chunk["choices"]?.arrayValue?.first {
                        text += choice["text"]?.stringValue ?? ""
                        if choice["finish_reason"] != .null { finish = choice["finish_reason"] }
                    } else {
                        usage = chunk["usage"]
                    }
                }
                XCTAssertEqual(text, expected)
                XCTAssertEqual(finish, "length")
                XCTAssertEqual(usage?["completion_tokens"], 10)
            }
        }
        await served.executor.shutdown(deadline: Date())
    }

    /// lm-evaluation-harness's scoring request: echo the prompt with the log-probability of each
    /// of its tokens given the ones before, generating nothing.
    func testEchoReturnsPromptLogprobs() async throws {
        let served = try servedSmolLM2()
        let model = try SharedModel.smolLM2()
        let prompt = "Hello world, this is a test"
        let tokens = model.tokenizer.encode(prompt, addSpecial: true, parseSpecial: true)
        let context = model.makeContext(contextLength: 256)
        let logits = try context.evaluateAll(tokens)
        let vocabulary = model.config.vocabularySize
        let expected = (1..<tokens.count).map { i in
            TokenLogprobs(logits: Array(logits[((i - 1) * vocabulary)..<(i * vocabulary)]), token: tokens[i], topCount: 1).logprob
        }
        try await withServer([served]) { client in
            let body: JSONValue = ["model": "smollm2", "prompt": .string(prompt), "max_tokens": 0, "echo": true, "logprobs": 1]
            try await client.execute(uri: "/v1/completions", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .ok)
                let choice = try XCTUnwrap(try parse(response.body)["choices"]?.arrayValue?.first)
                XCTAssertEqual(choice["text"]?.stringValue, prompt)
                let logprobs = try XCTUnwrap(choice["logprobs"])
                let values = try XCTUnwrap(logprobs["token_logprobs"]?.arrayValue)
                XCTAssertEqual(values.count, tokens.count)
                XCTAssertEqual(values.first, .null)
                for (got, want) in zip(values.dropFirst(), expected) {
                    XCTAssertEqual(try XCTUnwrap(got.doubleValue), Double(want), accuracy: 1e-5)
                }
                XCTAssertEqual(logprobs["tokens"]?.arrayValue?.compactMap(\.stringValue).joined(), prompt)
                XCTAssertEqual(logprobs["top_logprobs"]?.arrayValue?.count, tokens.count)
            }
            // The same as token ids, as lm-eval sends them: used exactly, no token added.
            let ids = JSONValue.array(tokens.map { .int(Int($0)) })
            let byIDs: JSONValue = ["model": "smollm2", "prompt": ids, "max_tokens": 0, "echo": true, "logprobs": 0]
            try await client.execute(uri: "/v1/completions", method: .post, body: json(byIDs)) { response in
                let choice = try XCTUnwrap(try parse(response.body)["choices"]?.arrayValue?.first)
                XCTAssertEqual(choice["logprobs"]?["token_logprobs"]?.arrayValue?.count, tokens.count)
            }
        }
        await served.executor.shutdown(deadline: Date())
    }

    func testSeveralChoicesAndPromptsAndStop() async throws {
        let served = try servedSmolLM2()
        try await withServer([served]) { client in
            let body: JSONValue = ["model": "smollm2", "prompt": ["One, two,", "A, B,"], "n": 2, "max_tokens": 8,
                                   "temperature": 0.9, "seed": 11, "stop": [","]]
            try await client.execute(uri: "/v1/completions", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .ok)
                let choices = try XCTUnwrap(try parse(response.body)["choices"]?.arrayValue)
                XCTAssertEqual(choices.map { $0["index"] }, [0, 1, 2, 3])
                for choice in choices {
                    XCTAssertFalse(choice["text"]?.stringValue?.contains(",") ?? true, "\(choice)")
                }
            }
        }
        await served.executor.shutdown(deadline: Date())
    }

    func testPromptLongerThanTheContextIs400() async throws {
        let served = try servedSmolLM2(contextLength: 64)
        try await withServer([served]) { client in
            let body: JSONValue = ["model": "smollm2", "prompt": .string(String(repeating: "word ", count: 200))]
            try await client.execute(uri: "/v1/completions", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .badRequest)
                XCTAssertEqual(try errorObject(response)["code"], "context_length_exceeded")
            }
            let outside: JSONValue = ["model": "smollm2", "prompt": [1, 999_999]]
            try await client.execute(uri: "/v1/completions", method: .post, body: json(outside)) { response in
                XCTAssertEqual(response.status, .badRequest)
            }
            let bias: JSONValue = ["model": "smollm2", "prompt": "x", "logit_bias": ["99999999": 1]]
            try await client.execute(uri: "/v1/completions", method: .post, body: json(bias)) { response in
                XCTAssertEqual(response.status, .badRequest)
            }
        }
        await served.executor.shutdown(deadline: Date())
    }

    func testFullQueueIs429WithRetryAfter() async throws {
        let model = try SharedModel.smolLM2()
        let served = ServedModel(id: "busy", model: model, executor: FullExecutor(), chat: nil)
        try await withServer([served]) { client in
            let body: JSONValue = ["model": "busy", "prompt": "hi", "stream": true]
            try await client.execute(uri: "/v1/completions", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .tooManyRequests)
                XCTAssertEqual(response.headers[.retryAfter], "7")
                XCTAssertEqual(try errorObject(response)["code"], "rate_limit_exceeded")
            }
        }
    }

    func testChatCompletionAndItsStream() async throws {
        let model = try SharedModel.smolLM2()
        let served = try servedSmolLM2(chat: ChatMLBuilder(model: model))
        let plain = ServedModel(id: "raw", model: model, executor: FullExecutor(), chat: nil)
        try await withServer([served, plain]) { client in
            let messages: JSONValue = [["role": "system", "content": "Be brief."], ["role": "user", "content": "What is 2+2?"]]
            var text = ""
            let body: JSONValue = ["model": "smollm2", "messages": messages, "max_tokens": 16, "temperature": 0,
                                   "logprobs": true, "top_logprobs": 2]
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .ok)
                let object = try parse(response.body)
                XCTAssertEqual(object["object"], "chat.completion")
                let choice = try XCTUnwrap(object["choices"]?.arrayValue?.first)
                XCTAssertEqual(choice["message"]?["role"], "assistant")
                text = try XCTUnwrap(choice["message"]?["content"]?.stringValue)
                XCTAssertFalse(text.isEmpty)
                let content = try XCTUnwrap(choice["logprobs"]?["content"]?.arrayValue)
                XCTAssertEqual(content.count, object["usage"]?["completion_tokens"]?.intValue)
                XCTAssertEqual(content.first?["top_logprobs"]?.arrayValue?.count, 2)
            }
            var streamed = ""
            var stream = body
            if case .object(var fields) = stream {
                fields["stream"] = true
                fields["logprobs"] = nil
                fields["top_logprobs"] = nil
                stream = .object(fields)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(stream)) { response in
                let events = String(buffer: response.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
                XCTAssertEqual(events.last, "data: [DONE]")
                for event in events.dropLast() {
                    let chunk = try JSONParser.parse(String(event.dropFirst(6)))
                    XCTAssertEqual(chunk["object"], "chat.completion.chunk")
                    streamed += chunk["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue ?? ""
                }
            }
            XCTAssertEqual(streamed, text)
            let raw: JSONValue = ["model": "raw", "messages": messages]
            try await client.execute(uri: "/v1/chat/completions", method: .post, body: json(raw)) { response in
                XCTAssertEqual(response.status, .badRequest)
                XCTAssertEqual(try errorObject(response)["code"], "no_chat_template")
            }
        }
        await served.executor.shutdown(deadline: Date())
    }
}
