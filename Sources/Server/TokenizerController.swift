import Foundation
import Hummingbird
import JSON
import Models
import NIOCore

/// vLLM's tokenizer endpoints, at the server root as vLLM serves them: `POST /tokenize`,
/// `POST /detokenize` and `GET /tokenizer_info`. Evaluation harnesses use them to count and split
/// tokens with the served model's own tokenizer instead of downloading one: lm-evaluation-harness's
/// `local-completions` detects them (`tokenizer_backend=remote`), tokenizes contexts and
/// continuations with `/tokenize` and sends the ids back as `/v1/completions` prompts.
///
/// `model` is optional, as in vLLM: without it the first model served answers.
struct TokenizerController: Sendable {
    let models: ModelRegistry
    let limits: RequestLimits

    func addRoutes(to router: Router<HearthRequestContext>) {
        router.post("/tokenize") { request, context in try await tokenize(request, context) }
        router.post("/detokenize") { request, context in try await detokenize(request, context) }
        router.get("/tokenizer_info") { request, context in try tokenizerInfo(request, context) }
    }

    /// The model a request names, or the first one served when it names none.
    func served(_ name: String?, _ context: HearthRequestContext) throws -> ServedModel {
        let served: ServedModel
        if let name {
            served = try models.model(named: name)
        } else if let first = models.models.first {
            served = first
        } else {
            throw APIError(status: .notFound, message: "this server serves no model", type: "invalid_request_error",
                           param: "model", code: "model_not_found")
        }
        context.record.model = served.id
        return served
    }

    // MARK: - POST /tokenize

    /// `{"model"?, "prompt": "...", "add_special_tokens"?: true, "return_token_strs"?: false}`, or the
    /// chat form `{"model"?, "messages": [...], "tools"?, "add_generation_prompt"?: true}`, to
    /// `{"count": N, "max_model_len": M, "tokens": [...], "token_strs": [...] | null}`.
    ///
    /// Special-token texts in the prompt (`<|im_end|>`) become their single ids, as Hugging Face
    /// tokenizers (and so vLLM) read them; `add_special_tokens` adds BOS/EOS where the model's
    /// tokenizer adds them. The chat form gives exactly the prompt `/v1/chat/completions` would run.
    func tokenize(_ request: Request, _ context: HearthRequestContext) async throws -> Response {
        let fields = try await FieldReader.body(of: request, limits: limits)
        let served = try served(try fields.string("model"), context)
        let tokenizer = served.model.tokenizer
        let returnStrings = try fields.bool("return_token_strs") ?? false
        let addSpecial = try fields.bool("add_special_tokens")
        let tokens: [Int32]
        switch (fields.value("prompt"), fields.value("messages")) {
        case (nil, nil):
            throw APIError.invalidRequest("'prompt' (or 'messages' for a chat) is required", param: "prompt")
        case (_?, _?):
            throw APIError.invalidRequest("give either 'prompt' or 'messages', not both", param: "messages")
        case (_?, nil):
            for key in ["add_generation_prompt", "tools"] where fields.value(key) != nil {
                throw APIError.invalidRequest("'\(key)' goes with 'messages', not 'prompt'", param: key)
            }
            let prompt = try fields.requiredString("prompt")
            tokens = tokenizer.encode(prompt, addSpecial: addSpecial ?? true, parseSpecial: true)
        case (nil, _?):
            tokens = try chatTokens(fields, served: served, addSpecial: addSpecial)
        }
        context.record.setTokens(prompt: tokens.count, completion: 0)
        let strings: JSONValue = returnStrings ? .array(tokens.map { .string(tokenizer.tokenText($0)) }) : .null
        return CompletionsController.jsonResponse(.object(JSONObject([
            ("count", .int(tokens.count)),
            ("max_model_len", .int(served.contextLength)),
            ("tokens", .array(tokens.map { .int(Int($0)) })),
            ("token_strs", strings),
        ])))
    }

    func chatTokens(_ fields: FieldReader, served: ServedModel, addSpecial: Bool?) throws -> [Int32] {
        guard let chat = served.chat else {
            throw APIError.invalidRequest("the model '\(served.id)' has no chat template; tokenize a 'prompt' instead",
                                          param: "messages", code: "no_chat_template")
        }
        if addSpecial == true {
            throw APIError.invalidRequest("'add_special_tokens' must be false with 'messages': the chat template places the special tokens",
                                          param: "add_special_tokens")
        }
        if try fields.bool("add_generation_prompt") == false {
            throw APIError.invalidRequest("'add_generation_prompt' false is not supported: chat prompts end with the assistant turn's opening",
                                          param: "add_generation_prompt")
        }
        guard let items = try fields.array("messages") else {
            throw APIError.invalidRequest("'messages' is required", param: "messages")
        }
        guard !items.isEmpty else { throw APIError.invalidRequest("'messages' must not be empty", param: "messages") }
        guard items.count <= limits.maximumMessages else {
            throw APIError.invalidRequest("'messages' holds more than \(limits.maximumMessages) messages", param: "messages")
        }
        let messages = try items.enumerated().map { try ChatCompletionRequest.message($0.element, index: $0.offset) }
        var tools = try fields.array("tools")
        if tools?.isEmpty == true { tools = nil }
        do {
            return try chat.chatPromptTokens(messages: messages, tools: tools)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.invalidRequest("the model's chat template rejected the conversation: \(error)", param: "messages")
        }
    }

    // MARK: - POST /detokenize

    /// `{"model"?, "tokens": [ids]}` to `{"prompt": "..."}`: the text of the ids, special tokens
    /// rendered (Hugging Face's `decode` with `skip_special_tokens=False`, as vLLM calls it).
    func detokenize(_ request: Request, _ context: HearthRequestContext) async throws -> Response {
        let fields = try await FieldReader.body(of: request, limits: limits)
        let served = try served(try fields.string("model"), context)
        guard let items = try fields.array("tokens") else {
            throw APIError.invalidRequest("'tokens' is required", param: "tokens")
        }
        let vocabulary = served.model.config.vocabularySize
        let tokens = try items.map { item -> Int32 in
            guard let id = item.intValue else { throw fields.typeError("tokens", expected: "an array of token ids", got: item) }
            guard id >= 0, id < vocabulary else {
                throw APIError.invalidRequest("'tokens' names token \(id), outside the vocabulary of \(vocabulary)", param: "tokens")
            }
            return Int32(id)
        }
        context.record.setTokens(prompt: tokens.count, completion: 0)
        return CompletionsController.jsonResponse(.object(JSONObject([
            ("prompt", .string(served.model.tokenizer.decode(tokens))),
        ])))
    }

    // MARK: - GET /tokenizer_info

    /// The tokenizer's configuration, in the fields of Hugging Face's `tokenizer_config.json` that
    /// vLLM returns and clients read: `eos_token`, `bos_token` (texts; clients tokenize them for
    /// their ids), `model_max_length`, `chat_template`, `add_bos_token`, `add_eos_token`, plus
    /// `tokenizer_class` and the GGUF tokenizer's kind. `?model=` picks a model.
    func tokenizerInfo(_ request: Request, _ context: HearthRequestContext) throws -> Response {
        let served = try served(request.uri.queryParameters.get("model"), context)
        let tokenizer = served.model.tokenizer
        var fields: [(String, JSONValue)] = [
            ("tokenizer_class", "GGUFTokenizer"),
            ("model", .string(served.id)),
            ("tokenizer_model", .string(tokenizer.modelType)),
            ("pre_tokenizer", .string(tokenizer.preTokenizerName)),
            ("vocab_size", .int(tokenizer.vocabularySize)),
            ("model_max_length", .int(served.contextLength)),
            ("add_bos_token", .bool(tokenizer.addsBOS)),
            ("add_eos_token", .bool(tokenizer.addsEOS)),
            ("bos_token", tokenizer.bosToken.map { .string(tokenizer.tokenText($0)) } ?? .null),
            ("eos_token", tokenizer.eosToken.map { .string(tokenizer.tokenText($0)) } ?? .null),
        ]
        if let template = served.model.file.metadata.string("tokenizer.chat_template") {
            fields.append(("chat_template", .string(template)))
        }
        return CompletionsController.jsonResponse(.object(JSONObject(fields)))
    }
}
