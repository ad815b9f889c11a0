import ArgumentParser
import Foundation
import Tokenizers

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the token ids of a text as one JSON array on one line.",
        discussion: "No beginning-of-sequence token is added. Special-token texts such as <|im_start|> are plain text unless --special is given."
    )

    @Argument(help: "A GGUF file or a catalog name.")
    var model: String

    @Argument(help: "The text to tokenize.")
    var text: String

    @Flag(name: .long, help: "Recognise special and control tokens written in the text.")
    var special = false

    @Flag(name: .long, help: "Print each token's piece too: [{\"id\": 1, \"piece\": \"...\"}, ...].")
    var pieces = false

    func run() throws {
        let (_, file) = try ModelArgument.openFile(model)
        let tokenizer = try Tokenizer(metadata: file.metadata)
        let ids = tokenizer.encode(text, addSpecial: false, parseSpecial: special)
        let json: Any = pieces
            ? ids.map { ["id": Int($0), "piece": String(decoding: tokenizer.piece($0), as: UTF8.self)] as [String: Any] }
            : ids.map { Int($0) }
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .withoutEscapingSlashes])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}
