import ArgumentParser
import Foundation
import GGUF
import Models
import Store
import Tokenizers

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a model: architecture, parameters, quant types, context, tokenizer, chat template, licence."
    )

    @Argument(help: "A GGUF file or a catalog name.")
    var model: String

    @Flag(name: .long, help: "Also list every metadata key with its value (long arrays abbreviated).")
    var metadata = false

    @Flag(name: .long, help: "Print the whole chat template instead of its first lines.")
    var template = false

    func run() throws {
        let (url, file) = try ModelArgument.openFile(model)
        let meta = file.metadata
        var lines: [(String, String)] = []
        func add(_ key: String, _ value: String?) { if let value { lines.append((key, value)) } }

        add("name", meta.string("general.name"))
        add("file", url.path)
        add("file size", Self.bytes(file.fileSize))
        if let entry = Catalog.entry(named: model) {
            add("catalog", "\(entry.name), SHA-256 \(entry.sha256) (verified when fetched)")
            add("origin", entry.origin)
        }
        add("architecture", meta.string("general.architecture"))
        add("licence", meta.string("general.license") ?? "not stated in the file")
        add("GGUF version", String(file.version))

        let parameters = file.tensors.reduce(0) { $0 + $1.elementCount }
        add("parameters", Self.count(parameters))
        var byType: [String: (tensors: Int, bytes: Int)] = [:]
        for tensor in file.tensors {
            byType[tensor.type.description, default: (0, 0)].tensors += 1
            byType[tensor.type.description, default: (0, 0)].bytes += tensor.byteCount
        }
        add("quant types", byType.sorted { $0.value.bytes > $1.value.bytes }
            .map { "\($0.key) (\($0.value.tensors) tensors, \(Self.bytes($0.value.bytes)))" }
            .joined(separator: ", "))

        do {
            let config = try Architectures.config(for: file)
            add("context length", String(config.contextLength))
            add("layers", String(config.blockCount))
            add("width", String(config.embeddingLength))
            add("heads", "\(config.headCount) query, \(config.headCountKV) key/value, size \(config.headSize)")
            add("feed-forward", "\(config.feedForwardLength) (\(config.feedForward.rawValue))")
            add("RoPE", "\(config.ropeStyle.rawValue), base \(config.ropeFrequencyBase)"
                + (config.slidingRopeFrequencyBase.map { ", sliding layers \($0)" } ?? ""))
            if let window = config.slidingWindow {
                let global = config.slidingLayers.enumerated().filter { !$0.element }.map { String($0.offset) }
                add("sliding window", "\(window) positions; global layers \(global.joined(separator: ", "))")
            }
        } catch {
            add("supported", "no: \(error)")
        }

        do {
            let tokenizer = try Tokenizer(metadata: meta)
            var description = "\(meta.string("tokenizer.ggml.model") ?? "?")"
            if let pre = meta.string("tokenizer.ggml.pre") { description += ", pre-tokenizer \(pre)" }
            description += ", \(tokenizer.vocabularySize) tokens"
            if let bos = tokenizer.bosToken { description += ", BOS \(bos)\(tokenizer.addsBOS ? " (added)" : "")" }
            if let eos = tokenizer.eosToken { description += ", EOS \(eos)" }
            add("tokenizer", description)
        } catch {
            add("tokenizer", "unusable: \(error)")
        }

        let chatTemplate = meta.string("tokenizer.chat_template")
        if chatTemplate == nil { add("chat template", "none (raw completion only)") }

        let width = lines.map(\.0.count).max() ?? 0
        var out = lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
        if let chatTemplate {
            let templateLines = chatTemplate.split(separator: "\n", omittingEmptySubsequences: false)
            let shown = template ? templateLines[...] : templateLines.prefix(8)
            out.append("chat template (\(chatTemplate.count) characters):")
            out += shown.map { "    " + $0 }
            if !template && templateLines.count > shown.count {
                out.append("    … \(templateLines.count - shown.count) more lines (--template shows all)")
            }
        }
        if metadata {
            out.append("metadata:")
            for key in meta.keys {
                out.append("    \(key) = \(Self.render(meta[key]!))")
            }
        }
        print(out.joined(separator: "\n"))
    }

    static func bytes(_ n: Int) -> String {
        n >= 1 << 30 ? String(format: "%.2f GiB", Double(n) / Double(1 << 30))
            : String(format: "%.1f MiB", Double(n) / Double(1 << 20))
    }

    static func count(_ n: Int) -> String {
        n >= 1_000_000_000 ? String(format: "%.2f B", Double(n) / 1e9) : String(format: "%.1f M", Double(n) / 1e6)
    }

    static func render(_ value: GGUFValue) -> String {
        switch value {
        case let .string(s):
            let line = s.replacingOccurrences(of: "\n", with: "\\n")
            return line.count > 120 ? "\"\(line.prefix(117))…\"" : "\"\(line)\""
        case let .array(array):
            return "[\(array.count) items]"
        case let .bool(b): return String(b)
        default:
            if let int = value.intValue { return String(int) }
            if let double = value.doubleValue { return String(double) }
            return "?"
        }
    }
}
