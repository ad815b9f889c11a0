import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import JSON
import Logging
import Models
import Server
import TestSupport
import XCTest

/// Builds an application around `models` and runs `body` against its router (no sockets).
func withServer(_ models: [ServedModel], apiKey: String? = nil, limits: RequestLimits = RequestLimits(),
                constraints: (any OutputConstraintFactory)? = nil,
                _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
    var configuration = ServerConfiguration(apiKey: apiKey)
    configuration.limits = limits
    var logger = Logger(label: "hearth.test")
    logger.logLevel = .warning
    let router = buildRouter(models: ModelRegistry(models), configuration: configuration, metrics: ServerMetrics(),
                             constraints: constraints, logger: logger)
    let app = Application(router: router, logger: logger)
    try await app.test(.router, body)
}

/// A served SmolLM2 with its own executor (shut it down at the end of the test).
func servedSmolLM2(slots: Int = 2, contextLength: Int = 256, queueCapacity: Int = 32,
                   chat: (any ChatPromptBuilder)? = nil) throws -> ServedModel {
    let model = try SharedModel.smolLM2()
    let executor = BatchExecutor(model: model, slots: slots, contextLength: contextLength, queueCapacity: queueCapacity)
    return ServedModel(id: "smollm2", model: model, executor: executor, chat: chat)
}

func json(_ object: JSONValue) -> ByteBuffer {
    ByteBuffer(string: object.serialized(.compact))
}

func parse(_ buffer: ByteBuffer) throws -> JSONValue {
    try JSONParser.parse(String(buffer: buffer))
}

/// The `error` object of an error response, checked to have OpenAI's four fields.
func errorObject(_ response: TestResponse, file: StaticString = #filePath, line: UInt = #line) throws -> JSONObject {
    let body = try parse(response.body)
    let error = try XCTUnwrap(body["error"]?.objectValue, "no error object in \(String(buffer: response.body))", file: file, line: line)
    XCTAssertEqual(error.keys, ["message", "type", "param", "code"], file: file, line: line)
    XCTAssertNotNil(error["message"]?.stringValue, file: file, line: line)
    return error
}

/// A chat format for tests that do not depend on a model's template: ChatML, as SmolLM2's.
struct ChatMLBuilder: ChatPromptBuilder {
    let model: LanguageModel

    func chatPromptTokens(messages: [JSONValue], tools: [JSONValue]?) throws -> [Int32] {
        var text = ""
        for message in messages {
            text += "<|im_start|>\(message["role"]?.stringValue ?? "")\n\(message["content"]?.stringValue ?? "")<|im_end|>\n"
        }
        text += "<|im_start|>assistant\n"
        return model.tokenizer.encode(text, addSpecial: false, parseSpecial: true)
    }
}

/// An executor that refuses everything as full, to test the 429 path without timing.
final class FullExecutor: GenerationExecutor, @unchecked Sendable {
    let slotCount = 1
    let contextLength = 128
    var queueDepth: Int { 0 }
    var activeCount: Int { 1 }
    func submit(_ jobs: [GenerationJob]) throws -> JobTicket { throw SubmissionError.queueFull(retryAfterSeconds: 7) }
    func shutdown(deadline: Date) async {}
}
