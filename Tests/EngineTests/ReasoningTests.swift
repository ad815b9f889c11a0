import JSON
import Models
import StructuredOutput
import TestSupport
import XCTest
@testable import Engine

/// Reasoning models' thoughts: split from the answer however the text is cut into tokens, a
/// budget that closes the block for the model, and a constraint that applies after the thoughts.
final class ReasoningTests: XCTestCase {
    // MARK: - Splitting

    /// Every way of cutting `text` into two pieces, and into single characters.
    private func splits(_ text: String, startsInside: Bool) -> [ReasoningSplitter.Parts] {
        var results: [ReasoningSplitter.Parts] = []
        let characters = Array(text)
        var cuts: [[String]] = [characters.map(String.init), [text]]
        for cut in 1..<characters.count { cuts.append([String(characters[..<cut]), String(characters[cut...])]) }
        for pieces in cuts {
            var splitter = ReasoningSplitter(syntax: .think, startsInside: startsInside)
            var parts = ReasoningSplitter.Parts()
            for piece in pieces { parts = parts + splitter.append(piece) }
            results.append(parts + splitter.finish())
        }
        return results
    }

    private func assertSplits(_ text: String, startsInside: Bool = false, reasoning: String, answer: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        for parts in splits(text, startsInside: startsInside) {
            XCTAssertEqual(parts, ReasoningSplitter.Parts(reasoning: reasoning, answer: answer), text, file: file, line: line)
        }
    }

    func testThoughtsAndAnswerAreSplitHoweverTheTextIsCut() {
        assertSplits("<think>\nFirst, 2 + 2.\nIt is 4.\n</think>\n\nThe answer is 4.", reasoning: "First, 2 + 2.\nIt is 4.", answer: "The answer is 4.")
        // The template opened the block: the output only closes it.
        assertSplits("Let me see.\n</think>\n\nParis.", startsInside: true, reasoning: "Let me see.", answer: "Paris.")
        // Leading whitespace before the tag; an empty block (DeepSeek-R1's refusals look like this).
        assertSplits("\n<think>\n\n</think>\n\nI cannot discuss that.", reasoning: "", answer: "I cannot discuss that.")
        // A block that never closes is all thoughts.
        assertSplits("<think>\nStill thinking", reasoning: "Still thinking", answer: "")
        // Output that does not open a block is all answer, tags included.
        assertSplits("Hello <think>not a block</think>", reasoning: "", answer: "Hello <think>not a block</think>")
        assertSplits("<thinking>no</thinking>", reasoning: "", answer: "<thinking>no</thinking>")
        // Text that merely looks like the start of a tag is released at the end.
        assertSplits("<think>\nA < B and </thin", reasoning: "A < B and </thin", answer: "")
        assertSplits("Answer: x </th", reasoning: "", answer: "Answer: x </th")
        // A second block after the answer is answer text.
        assertSplits("<think>a</think>b<think>c</think>", reasoning: "a", answer: "b<think>c</think>")
        // Chinese text and whitespace inside the parts are kept.
        assertSplits("<think>\n用户问的是首都。\n\n北京。</think>\n北京是中国的首都。 ", reasoning: "用户问的是首都。\n\n北京。", answer: "北京是中国的首都。")
    }

    func testAnswerTextIsReleasedAsItStreams() {
        var splitter = ReasoningSplitter(syntax: .think, startsInside: true)
        XCTAssertEqual(splitter.append("Thinking "), .init(reasoning: "Thinking"))
        XCTAssertEqual(splitter.append("hard</"), .init(reasoning: " hard"))
        XCTAssertFalse(splitter.isAnswering)
        XCTAssertEqual(splitter.append("think>\n\nThe"), .init(answer: "The"))
        XCTAssertTrue(splitter.isAnswering)
        XCTAssertEqual(splitter.append(" end"), .init(answer: " end"))
        XCTAssertEqual(splitter.finish(), .init())
    }

    func testWholeTextFromAnEndpointIsSplitOnlyWhenItHasABlock() {
        XCTAssertEqual(ReasoningSplitter.split("<think>x</think>y"), .init(reasoning: "x", answer: "y"))
        XCTAssertEqual(ReasoningSplitter.split("x\n</think>\n\ny"), .init(reasoning: "x", answer: "y"))
        XCTAssertNil(ReasoningSplitter.split("plain answer"))
    }

    // MARK: - Detection

    func testSyntaxIsDetectedFromTheTemplateAndWhereThePromptLeavesTheModel() throws {
        let model = try SharedModel.smolLM2()
        XCTAssertNil(ReasoningSyntax.detect(templateSource: "{{ messages[0]['content'] }}", tokenizer: model.tokenizer),
                     "no tags in the template, none as single tokens in SmolLM2's vocabulary")
        let format = try ChatFormat(source: try TestTemplates.think(), tokenizer: model.tokenizer)
        XCTAssertEqual(format.reasoningSyntax, .think)
        let messages = [ChatFormat.message("user", "Hi")]
        XCTAssertTrue(try format.prompt(messages: messages).opensReasoning)
        let closed = try format.prompt(messages: messages, templateArguments: JSONObject([("enable_thinking", false)]))
        XCTAssertFalse(closed.opensReasoning, "an empty closed block ends the prompt")
        XCTAssertThrowsError(try format.prompt(messages: messages, templateArguments: JSONObject([("messages", [])]))) { error in
            XCTAssertEqual(error as? ChatFormatError, .reservedTemplateVariable("messages"))
        }
    }

    // MARK: - Generation

    func run(_ options: GenerationOptions, constraint: TokenConstraint? = nil) throws -> (text: String, tokens: [Int32], summary: GenerationSummary) {
        let model = try SharedModel.smolLM2()
        let format = try ChatFormat(source: try TestTemplates.think(), tokenizer: model.tokenizer)
        let prompt = try format.prompt(messages: [ChatFormat.message("user", "What is the capital of France? Answer in JSON.")])
        let generator = Generator(context: model.makeContext(contextLength: 512, threads: 2))
        var text = "", tokens: [Int32] = []
        let summary = try generator.generate(prompt: prompt.tokens, options: options, constraint: constraint) { event in
            text += event.text
            if let token = event.token { tokens.append(token) }
            return true
        }
        return (text, tokens, summary)
    }

    func testABudgetClosesTheBlockForTheModelAfterThatManyTokens() throws {
        let model = try SharedModel.smolLM2()
        let control = ReasoningControl(syntax: .think, startsInside: true, budget: 4)
        let result = try run(GenerationOptions(maxTokens: 40, sampling: .greedy, reasoning: control))
        let closing = model.tokenizer.encode(control.forcedClosing, addSpecial: false, parseSpecial: true)
        // Thought tokens run up to the one that completes the closing tag.
        var bytes: [UInt8] = [], tagTokens = 0
        for token in closing where !String(decoding: bytes, as: UTF8.self).contains("</think>") {
            bytes += model.tokenizer.piece(token)
            tagTokens += 1
        }
        XCTAssertEqual(result.summary.reasoningTokens, 4 + tagTokens, "the thoughts and the closing tag written for the model")
        XCTAssertEqual(Array(result.tokens[4..<(4 + closing.count)]), closing)
        let free = try run(GenerationOptions(maxTokens: 4, sampling: .greedy))
        XCTAssertEqual(Array(result.tokens.prefix(4)), free.tokens, "the budget changes nothing before it is spent")
        let parts = try XCTUnwrap(ReasoningSplitter.split(result.text))
        XCTAssertFalse(parts.reasoning.isEmpty)
        XCTAssertFalse(parts.answer.isEmpty, "the model answers after its thoughts")
        // A budget of 0 closes the block at once.
        let none = try run(GenerationOptions(maxTokens: 10, sampling: .greedy,
                                             reasoning: ReasoningControl(syntax: .think, startsInside: true, budget: 0)))
        XCTAssertEqual(Array(none.tokens.prefix(closing.count)), closing)
    }

    func testAConstraintAppliesToTheAnswerAfterTheThoughts() throws {
        let model = try SharedModel.smolLM2()
        let schema = try JSONSchema(try JSONParser.parse(#"{"type": "object", "properties": {"capital": {"type": "string"}}, "required": ["capital"]}"#))
        let constraint = try JSONConstraint.closingWhereItFits(schema: schema, tokenizer: model.tokenizer, tokenBudget: 40)
        let control = ReasoningControl(syntax: .think, startsInside: true, budget: 6)
        let result = try run(GenerationOptions(maxTokens: 60, sampling: .greedy, reasoning: control), constraint: constraint)
        XCTAssertEqual(result.summary.finishReason, .constraintSatisfied)
        let parts = try XCTUnwrap(ReasoningSplitter.split(result.text))
        XCTAssertFalse(parts.reasoning.isEmpty, "the thoughts were not constrained")
        let value = try JSONParser.parse(parts.answer)
        XCTAssertNotNil(value["capital"]?.stringValue, parts.answer)
        // Without reasoning the same constraint governs from the first token.
        let plain = try run(GenerationOptions(maxTokens: 60, sampling: .greedy),
                            constraint: try JSONConstraint.closingWhereItFits(schema: schema, tokenizer: model.tokenizer, tokenBudget: 40))
        XCTAssertNoThrow(try JSONParser.parse(plain.text))
    }
}

/// The message a chat choice's events add up to, as the server and the audit's local target both
/// assemble it.
final class ChatAssemblyTests: XCTestCase {
    /// Qwen writes `<tool_call>` as one token whose text is the tag: it is read once, not twice.
    func testATagWrittenAsOneTokenIsReadOnce() throws {
        let model = try LanguageModel(url: try TestModels.url("qwen2.5-coder-0.5b-instruct"))
        let tokenizer = model.tokenizer
        let tag = tokenizer.encode("<tool_call>", addSpecial: false, parseSpecial: true)
        XCTAssertEqual(tag.count, 1)
        let pieces: [(Int32?, String)] = [(tag[0], String(decoding: tokenizer.piece(tag[0]), as: UTF8.self)),
                                          (nil, "\n{\"name\": \"f\", \"arguments\": {\"x\": 1}}\n</tool_call>")]
        var assembler = ChatChoiceAssembler(reasoning: nil, toolCalls: ToolCallExtractor(syntax: .hermes, toolNames: ["f"]),
                                            wantsLogprobs: false, tokenizer: tokenizer)
        var message = ChatDelta()
        for (token, text) in pieces {
            if let delta = assembler.take(.token(GeneratedToken(token: token, text: text, logprobs: nil))) { message.append(delta) }
        }
        if let delta = assembler.take(.finished(GenerationOutcome(finishReason: .endOfGeneration, promptTokens: 1,
                                                                  completionTokens: 2, reusedPromptTokens: 0))) { message.append(delta) }
        XCTAssertEqual(message.toolCalls, [ToolCall(name: "f", arguments: #"{"x":1}"#)])
        XCTAssertEqual(message.content, "")
        XCTAssertEqual(message.finishReason, "tool_calls")
    }
}
