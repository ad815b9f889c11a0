import ArgumentParser
import ChatTemplates
import Engine
import Foundation
import JSON
import Tokenizers

struct Template: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print exactly the text a model's chat template renders for a conversation.",
        discussion: """
        MESSAGES.json holds an array of messages ({"role": ..., "content": ...}, and any other fields
        such as tool_calls), or an object with "messages" and optionally "tools", as in an OpenAI
        request. "-" reads standard input. Nothing but the rendered text is printed (no newline added).
        """
    )

    @Argument(help: "A GGUF file or a catalog name.")
    var model: String

    @Argument(help: "The conversation as JSON, or - for standard input.")
    var messages: String

    @Flag(name: .long, help: "Leave out the opening of the assistant's turn at the end.")
    var noGenerationPrompt = false

    /// Conversations larger than this are refused rather than read into memory.
    static let maximumBytes = 16 << 20

    func run() throws {
        let conversation = try Self.readConversation(messages)
        let (url, file) = try ModelArgument.openFile(model)
        guard let source = file.metadata.string("tokenizer.chat_template") else {
            throw CLIError("\(url.fileName) has no chat template (tokenizer.chat_template)")
        }
        let format = try ChatFormat(source: source, tokenizer: try Tokenizer(metadata: file.metadata))
        let text = try format.render(messages: conversation.messages, tools: conversation.tools,
                                     addGenerationPrompt: !noGenerationPrompt)
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func readConversation(_ path: String) throws -> Conversation {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readData(ofLength: maximumBytes + 1)
        } else {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read \(path)") }
            data = handle.readData(ofLength: maximumBytes + 1)
        }
        guard data.count <= maximumBytes else { throw CLIError("\(path) is larger than \(maximumBytes >> 20) MiB") }
        do {
            return try Conversation(json: try JSONParser.parse(bytes: Array(data)))
        } catch let error as JSONParseError {
            throw CLIError("\(path): \(error)")
        } catch let error as ConversationError {
            throw CLIError("\(path): \(error)")
        }
    }
}
