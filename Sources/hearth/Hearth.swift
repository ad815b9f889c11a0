import ArgumentParser
import Foundation

@main
struct Hearth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth",
        abstract: "Run open-weight language models on your own machine.",
        discussion: """
        MODEL is a path to a GGUF file, a catalog name, a model in the store
        (see `hearth list`), or a Hugging Face reference (hf.co/ORG/REPO:QUANT,
        see `hearth pull --help`). A catalog or Hub model is downloaded and
        checked against its SHA-256 on first use, into $HEARTH_MODELS_DIR
        (default ~/.cache/hearth/models); a stored model whose bytes changed
        since it was verified is refused.

        Examples:
          hearth run smollm2-135m-instruct "What is the capital of France?"
          hearth run gemma3-270m "The capital of France is" --temperature 0
          hearth run qwen2.5-coder-0.5b-instruct "A user record" --json-schema user.schema.json
          hearth chat smollm2-135m-instruct --system "Answer briefly."
          hearth template smollm2-135m-instruct messages.json
          hearth show gemma3-270m
          hearth pull hf.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M
          hearth show qwen2.5-coder-0.5b-instruct --bom > qwen.cdx.json
          hearth tokenize qwen2.5-coder-0.5b-instruct "def main():" --pieces
          hearth audit run task.json --model smollm2-135m-instruct
        """,
        version: BuildInfo.versionLine,
        subcommands: [Run.self, Chat.self, Template.self, Serve.self, Tokenize.self, Show.self, Bench.self, Pull.self, Import.self, List.self, Remove.self, Verify.self, Audit.self]
    )
}

/// Prints a one-line status message to standard error (never to standard output, which carries results).
func status(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// A failure with a message meant for the user as is.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
