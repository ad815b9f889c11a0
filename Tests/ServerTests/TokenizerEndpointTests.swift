import Hummingbird
import HummingbirdTesting
import JSON
import Models
import Server
import TestSupport
import XCTest

/// vLLM's `/tokenize`, `/detokenize` and `/tokenizer_info`, as lm-evaluation-harness's remote
/// tokenizer calls them (no `model`, `add_special_tokens: false`), on SmolLM2.
final class TokenizerEndpointTests: XCTestCase {
    func ids(_ tokens: [Int32]) -> JSONValue { .array(tokens.map { .int(Int($0)) }) }

    func testTokenizeGivesTheModelsTokens() async throws {
        let served = try servedSmolLM2()
        let tokenizer = served.model.tokenizer
        let text = "Question: What is the capital of France?\nAnswer: Paris<|im_end|>"
        try await withServer([served]) { client in
            // lm-eval's request: no model, no special tokens added; special-token texts are read.
            let body: JSONValue = ["prompt": .string(text), "add_special_tokens": false]
            try await client.execute(uri: "/tokenize", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .ok)
                let object = try parse(response.body)
                let expected = tokenizer.encode(text, addSpecial: false, parseSpecial: true)
                XCTAssertEqual(object["tokens"], self.ids(expected))
                XCTAssertEqual(object["count"], .int(expected.count))
                XCTAssertEqual(object["max_model_len"], 256)
                XCTAssertEqual(object["token_strs"], .null)
                XCTAssertEqual(expected.last, tokenizer.eosToken, "<|im_end|> is one token")
            }
            // vLLM's defaults: add_special_tokens true; token strings on request.
            let withStrings: JSONValue = ["model": "smollm2", "prompt": "Hello world", "return_token_strs": true]
            try await client.execute(uri: "/tokenize", method: .post, body: json(withStrings)) { response in
                XCTAssertEqual(response.status, .ok)
                let object = try parse(response.body)
                let expected = tokenizer.encode("Hello world", addSpecial: true, parseSpecial: true)
                XCTAssertEqual(object["tokens"], self.ids(expected))
                XCTAssertEqual(object["token_strs"], .array(expected.map { .string(tokenizer.tokenText($0)) }))
            }
        }
        await served.executor.shutdown(deadline: Date())
    }

    func testDetokenizeInvertsTokenize() async throws {
        let served = try servedSmolLM2()
        let tokenizer = served.model.tokenizer
        let text = "Déjà vu: naïve café, 東京 <|im_start|>assistant\n42"
        try await withServer([served]) { client in
            let body: JSONValue = ["tokens": self.ids(tokenizer.encode(text, addSpecial: false, parseSpecial: true))]
            try await client.execute(uri: "/detokenize", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(try parse(response.body), ["prompt": .string(text)])
            }
            try await client.execute(uri: "/detokenize", method: .post, body: json(["model": "smollm2", "tokens": .array([])])) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(try parse(response.body)["prompt"], "")
            }
        }
        await served.executor.shutdown(deadline: Date())
    }

    /// What lm-eval reads: `eos_token` and `bos_token` as texts it tokenizes back to their ids,
    /// `chat_template` for its own chat formatting.
    func testTokenizerInfo() async throws {
        let served = try servedSmolLM2()
        let tokenizer = served.model.tokenizer
        try await withServer([served]) { client in
            for uri in ["/tokenizer_info", "/tokenizer_info?model=smollm2"] {
                try await client.execute(uri: uri, method: .get) { response in
                    XCTAssertEqual(response.status, .ok)
                    let info = try parse(response.body)
                    let eos = try XCTUnwrap(info["eos_token"]?.stringValue)
                    let bos = try XCTUnwrap(info["bos_token"]?.stringValue)
                    XCTAssertEqual(tokenizer.encode(eos, addSpecial: false, parseSpecial: true), [try XCTUnwrap(tokenizer.eosToken)])
                    XCTAssertEqual(tokenizer.encode(bos, addSpecial: false, parseSpecial: true), [try XCTUnwrap(tokenizer.bosToken)])
                    XCTAssertEqual(info["model_max_length"], 256)
                    XCTAssertEqual(info["model"], "smollm2")
                    XCTAssertEqual(info["add_bos_token"], .bool(tokenizer.addsBOS))
                    XCTAssertEqual(info["vocab_size"], .int(tokenizer.vocabularySize))
                    XCTAssertNotNil(info["tokenizer_class"]?.stringValue)
                    XCTAssertTrue(info["chat_template"]?.stringValue?.contains("<|im_start|>") == true)
                }
            }
            try await client.execute(uri: "/tokenizer_info?model=nope", method: .get) { response in
                XCTAssertEqual(response.status, .notFound)
                XCTAssertEqual(try errorObject(response)["code"], "model_not_found")
            }
        }
        await served.executor.shutdown(deadline: Date())
    }

    /// The chat form gives the prompt `/v1/chat/completions` runs.
    func testTokenizeMessagesUsesTheChatPrompt() async throws {
        let model = try SharedModel.smolLM2()
        let builder = ChatMLBuilder(model: model)
        let served = try servedSmolLM2(chat: builder)
        let messages: JSONValue = [["role": "system", "content": "Be brief."], ["role": "user", "content": "Hi"]]
        try await withServer([served]) { client in
            try await client.execute(uri: "/tokenize", method: .post, body: json(["messages": messages])) { response in
                XCTAssertEqual(response.status, .ok)
                let expected = try builder.chatPromptTokens(messages: messages.arrayValue!, tools: nil)
                XCTAssertEqual(try parse(response.body)["tokens"], self.ids(expected))
            }
            let refused: [(JSONValue, String)] = [
                (["messages": messages, "add_generation_prompt": false], "add_generation_prompt"),
                (["messages": messages, "add_special_tokens": true], "add_special_tokens"),
                (["messages": messages, "prompt": "x"], "messages"),
                (["messages": .array([])], "messages"),
                (["messages": [["role": "robot", "content": "x"]]], "messages[0].role"),
                (["prompt": "x", "add_generation_prompt": true], "add_generation_prompt"),
            ]
            for (body, param) in refused {
                try await client.execute(uri: "/tokenize", method: .post, body: json(body)) { response in
                    XCTAssertEqual(response.status, .badRequest, body.serialized())
                    XCTAssertEqual(try errorObject(response)["param"], .string(param), body.serialized())
                }
            }
        }
        await served.executor.shutdown(deadline: Date())
        let plain = try servedSmolLM2()
        try await withServer([plain]) { client in
            try await client.execute(uri: "/tokenize", method: .post, body: json(["messages": messages])) { response in
                XCTAssertEqual(response.status, .badRequest)
                XCTAssertEqual(try errorObject(response)["code"], "no_chat_template")
            }
        }
        await plain.executor.shutdown(deadline: Date())
    }

    func testBadRequestsNameTheField() async throws {
        let served = try servedSmolLM2()
        let vocabulary = served.model.config.vocabularySize
        let cases: [(String, JSONValue, String)] = [
            ("/tokenize", [:], "prompt"),
            ("/tokenize", ["prompt": 3], "prompt"),
            ("/tokenize", ["prompt": ["a", "b"]], "prompt"),
            ("/tokenize", ["prompt": "x", "add_special_tokens": "yes"], "add_special_tokens"),
            ("/tokenize", ["prompt": "x", "return_token_strs": 1], "return_token_strs"),
            ("/tokenize", ["prompt": "x", "model": 7], "model"),
            ("/detokenize", [:], "tokens"),
            ("/detokenize", ["tokens": "1 2"], "tokens"),
            ("/detokenize", ["tokens": [1, "2"]], "tokens"),
            ("/detokenize", ["tokens": [1, 2.5]], "tokens"),
            ("/detokenize", ["tokens": [1, -1]], "tokens"),
            ("/detokenize", ["tokens": [1, .int(vocabulary)]], "tokens"),
            ("/detokenize", ["tokens": [.int(Int(Int32.max) + 1)]], "tokens"),
        ]
        try await withServer([served]) { client in
            for (uri, body, param) in cases {
                try await client.execute(uri: uri, method: .post, body: json(body)) { response in
                    XCTAssertEqual(response.status, .badRequest, "\(uri) \(body.serialized())")
                    let error = try errorObject(response)
                    XCTAssertEqual(error["param"], .string(param), "\(uri) \(body.serialized())")
                    XCTAssertEqual(error["type"], "invalid_request_error")
                }
            }
            for uri in ["/tokenize", "/detokenize"] {
                try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: "{bad")) { response in
                    XCTAssertEqual(response.status, .badRequest)
                    XCTAssertEqual(try errorObject(response)["code"], "invalid_json")
                }
                try await client.execute(uri: uri, method: .post, body: json(["model": "nope", "prompt": "x", "tokens": [1]])) { response in
                    XCTAssertEqual(response.status, .notFound)
                    XCTAssertEqual(try errorObject(response)["param"], "model")
                }
            }
        }
        await served.executor.shutdown(deadline: Date())
    }

    func testBodyLimitAndNoModel() async throws {
        var limits = RequestLimits()
        limits.maximumBodyBytes = 1000
        let served = try servedSmolLM2()
        try await withServer([served], limits: limits) { client in
            let body: JSONValue = ["prompt": .string(String(repeating: "a", count: 2000))]
            try await client.execute(uri: "/tokenize", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .contentTooLarge)
                XCTAssertEqual(try errorObject(response)["code"], "request_too_large")
            }
        }
        await served.executor.shutdown(deadline: Date())
        try await withServer([]) { client in
            try await client.execute(uri: "/tokenize", method: .post, body: json(["prompt": "x"])) { response in
                XCTAssertEqual(response.status, .notFound)
                XCTAssertEqual(try errorObject(response)["code"], "model_not_found")
            }
            try await client.execute(uri: "/tokenizer_info", method: .get) { response in
                XCTAssertEqual(response.status, .notFound)
            }
        }
    }

    func testEndpointsNeedTheAPIKey() async throws {
        let served = try servedSmolLM2()
        try await withServer([served], apiKey: "secret") { client in
            try await client.execute(uri: "/tokenizer_info", method: .get) { response in
                XCTAssertEqual(response.status, .unauthorized)
            }
            try await client.execute(uri: "/tokenizer_info", method: .get, headers: [.authorization: "Bearer secret"]) { response in
                XCTAssertEqual(response.status, .ok)
            }
        }
        await served.executor.shutdown(deadline: Date())
    }

    /// lm-eval's loglikelihood request, end to end: context and context + continuation tokenized
    /// by `/tokenize`, the ids sent as the prompt with `max_tokens: 1, echo: true, logprobs: 1`;
    /// `token_logprobs[ctxlen:-1]` must be the continuation's tokens, as scored by the model.
    func testLMEvalLoglikelihoodFlow() async throws {
        let served = try servedSmolLM2()
        let context = "Question: What is the capital of France?\nAnswer:"
        let continuation = " Paris"
        try await withServer([served]) { client in
            func tokenize(_ text: String) async throws -> [Int] {
                try await client.execute(uri: "/tokenize", method: .post,
                                         body: json(["prompt": .string(text), "add_special_tokens": false])) { response in
                    XCTAssertEqual(response.status, .ok)
                    return try XCTUnwrap(parse(response.body)["tokens"]?.arrayValue?.compactMap(\.intValue))
                }
            }
            let whole = try await tokenize(context + continuation)
            let contextLength = try await tokenize(context).count
            XCTAssertGreaterThan(whole.count, contextLength)
            let prompt: JSONValue = .array([.array(whole.map { .int($0) })])
            let body: JSONValue = ["model": "smollm2", "prompt": prompt, "temperature": 0, "max_tokens": 1,
                                   "logprobs": 1, "seed": 1234, "echo": true]
            let scored = try await client.execute(uri: "/v1/completions", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .ok)
                let choice = try XCTUnwrap(parse(response.body)["choices"]?.arrayValue?.first)
                let logprobs = try XCTUnwrap(choice["logprobs"]?["token_logprobs"]?.arrayValue)
                let tops = try XCTUnwrap(choice["logprobs"]?["top_logprobs"]?.arrayValue)
                XCTAssertEqual(logprobs.count, whole.count + 1, "the prompt's tokens and the one generated")
                XCTAssertEqual(logprobs.first, .null)
                let slice = logprobs[contextLength..<(logprobs.count - 1)]
                XCTAssertEqual(slice.count, whole.count - contextLength)
                for top in tops[contextLength..<(tops.count - 1)] { XCTAssertEqual(top.objectValue?.count, 1) }
                return slice.compactMap(\.doubleValue)
            }
            // The same tokens scored without generating anything.
            let reference: JSONValue = ["model": "smollm2", "prompt": .array(whole.map { .int($0) }), "max_tokens": 0,
                                        "logprobs": 0, "echo": true]
            try await client.execute(uri: "/v1/completions", method: .post, body: json(reference)) { response in
                let logprobs = try XCTUnwrap(parse(response.body)["choices"]?.arrayValue?.first?["logprobs"]?["token_logprobs"]?.arrayValue)
                let expected = logprobs[contextLength...].compactMap(\.doubleValue)
                XCTAssertEqual(scored.count, expected.count)
                for (a, b) in zip(scored, expected) { XCTAssertEqual(a, b, accuracy: 1e-4) }
            }
        }
        await served.executor.shutdown(deadline: Date())
    }

    /// A scoring request whose greedy next token ends generation still carries that token, with its
    /// log-probability and no text, so that lm-eval's `token_logprobs[ctxlen:-1]` keeps the whole
    /// continuation (vLLM and OpenAI report it too).
    func testEchoKeepsTheTokenThatEndedGeneration() async throws {
        let served = try servedSmolLM2()
        let tokenizer = served.model.tokenizer
        let text = "<|im_start|>user\nSay yes.<|im_end|>\n<|im_start|>assistant\nYes."
        let ids = tokenizer.encode(text, addSpecial: false, parseSpecial: true)
        try await withServer([served]) { client in
            let body: JSONValue = ["model": "smollm2", "prompt": .array([self.ids(ids)]), "temperature": 0, "max_tokens": 1,
                                   "logprobs": 1, "echo": true]
            try await client.execute(uri: "/v1/completions", method: .post, body: json(body)) { response in
                XCTAssertEqual(response.status, .ok)
                let choice = try XCTUnwrap(parse(response.body)["choices"]?.arrayValue?.first)
                XCTAssertEqual(choice["finish_reason"], "stop")
                XCTAssertEqual(choice["text"]?.stringValue, tokenizer.decode(ids), "the ending token adds no text")
                let logprobs = try XCTUnwrap(choice["logprobs"]?["token_logprobs"]?.arrayValue)
                XCTAssertEqual(logprobs.count, ids.count + 1)
                XCTAssertNotNil(logprobs.last?.doubleValue)
                XCTAssertEqual(choice["logprobs"]?["tokens"]?.arrayValue?.last?.stringValue, "<|im_end|>")
            }
        }
        await served.executor.shutdown(deadline: Date())
    }
}
