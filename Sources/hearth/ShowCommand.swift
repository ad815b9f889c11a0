import ArgumentParser
import Engine
import Foundation
import GGUF
import JSON
import Models
import Store
import Tokenizers

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a model: architecture, parameters, quant types, context, tokenizer, chat template, provenance."
    )

    @Argument(help: "A GGUF file, a catalog name, a stored model or an hf.co/… reference.")
    var model: String

    @Flag(name: .long, help: "Print a CycloneDX 1.6 machine-learning bill of materials (JSON) instead.")
    var bom = false

    @Flag(name: .long, help: "Instead, render the chat template on probe conversations and report text it injects that comes from no message, and how it differs from the known template of its family; exits 1 when flagged.")
    var templateCheck = false

    func validate() throws {
        if bom && templateCheck { throw ValidationError("--bom and --template-check are separate reports; pick one") }
    }

    @Flag(name: .long, help: "Also list every metadata key with its value (long arrays abbreviated).")
    var metadata = false

    @Flag(name: .long, help: "Print the whole chat template instead of its first lines.")
    var template = false

    func run() throws {
        let (resolved, file) = try ModelArgument.openFile(model)
        let meta = file.metadata
        let provenance = ModelProvenance(name: resolved.name, manifest: resolved.manifest, metadata: meta)
        if templateCheck {
            guard let source = meta.string("tokenizer.chat_template") else {
                print("template check: \(resolved.name) has no chat template (tokenizer.chat_template); nothing runs on conversations")
                return
            }
            let report = TemplateInspection.inspect(try ChatFormat(source: source, tokenizer: try Tokenizer(metadata: meta)))
            print(report.lines().joined(separator: "\n"))
            if report.flagged { throw ExitCode(1) }
            return
        }
        if bom {
            let files = try resolved.manifest.map { $0.files.map { BillOfMaterials.File(name: $0.name, sha256: $0.sha256, size: $0.size) } }
                ?? resolved.urls.map { url in
                    status("hashing \(url.lastPathComponent) …")
                    return BillOfMaterials.File(name: url.lastPathComponent, sha256: try ModelStore.sha256(of: url),
                                                size: Int64((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)??.int64Value ?? 0))
                }
            let document = BillOfMaterials.cycloneDX(name: resolved.name, provenance: provenance, files: files,
                                                     facts: ModelFacts.read(file), toolVersion: BuildInfo.versionLine)
            print(document.serialized(JSONFormat(indent: 2, asciiOnly: false)))
            return
        }
        var lines: [(String, String)] = []
        func add(_ key: String, _ value: String?) { if let value { lines.append((key, value)) } }

        add("name", meta.string("general.name"))
        add("model", resolved.name)
        if let manifest = resolved.manifest {
            for (index, stored) in manifest.files.enumerated() {
                add(manifest.files.count == 1 ? "file" : "part \(index + 1)", "\(stored.name), SHA-256 \(stored.sha256) (checked at load)")
            }
            add("stored at", resolved.urls.map(\.path).joined(separator: ", "))
        } else {
            add("file", resolved.urls.map(\.path).joined(separator: ", "))
        }
        add("file size", Self.bytes(file.fileSize))
        add("architecture", meta.string("general.architecture"))
        lines += provenance.lines
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
            add("feed-forward", "\(config.feedForwardLength) (\(config.block.feedForward.activation.rawValue))")
            add("block", config.block.description)
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
