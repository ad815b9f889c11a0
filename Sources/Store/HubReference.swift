import Foundation

/// A model on the Hugging Face Hub (or a mirror), as the user names it:
///
///     hf.co/ORG/REPO                 the repository's only GGUF file, or its Q4_K_M
///     hf.co/ORG/REPO:QUANT           the GGUF file of that quantization (Q8_0, q4_k_m, IQ4_XS, …)
///     hf.co/ORG/REPO/PATH/FILE.gguf  that file
///     …@REVISION                     at a branch, tag or commit (default `main`)
///
/// `huggingface.co/` and `https://huggingface.co/` are accepted for `hf.co/`. The reference is
/// checked strictly, because its parts become URL paths and the stored model's name.
public struct HubReference: Sendable, Equatable {
    public enum Selector: Sendable, Equatable {
        case quantization(String?)
        case file(String)
    }

    public let repository: String
    public let selector: Selector
    public let revision: String
    /// The name the model is stored and used by: the reference as typed, with the prefix made `hf.co/`.
    public let name: String

    static let prefixes = ["https://huggingface.co/", "http://huggingface.co/", "https://hf.co/", "huggingface.co/", "hf.co/"]

    static func hasHubPrefix(_ text: String) -> Bool {
        prefixes.contains { text.lowercased().hasPrefix($0) }
    }

    /// nil when the text is not a Hub reference at all; throws when it is one, malformed.
    public init?(parsing text: String) throws {
        guard let prefix = Self.prefixes.first(where: { text.lowercased().hasPrefix($0) }) else { return nil }
        var rest = String(text.dropFirst(prefix.count))
        func fail(_ reason: String) -> StoreError { .badReference(text, reason: reason) }

        var revision = "main"
        var explicitRevision = false
        if let at = rest.lastIndex(of: "@") {
            revision = String(rest[rest.index(after: at)...])
            rest = String(rest[..<at])
            explicitRevision = true
            guard !revision.isEmpty, revision.utf8.count <= 200,
                  revision.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-/".contains($0)) }),
                  !revision.split(separator: "/").contains(".."), !revision.hasPrefix("/"), !revision.hasSuffix("/")
            else { throw fail("the revision after '@' must be a branch, tag or commit (letters, digits, . _ - /)") }
        }
        var quantization: String?
        if let colon = rest.lastIndex(of: ":") {
            let tag = String(rest[rest.index(after: colon)...])
            rest = String(rest[..<colon])
            guard !tag.isEmpty, tag.utf8.count <= 40, tag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
                throw fail("the quantization after ':' must be a tag such as Q4_K_M")
            }
            quantization = tag
        }
        let components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard components.count >= 2 else { throw fail("expected hf.co/ORG/REPO[:QUANT] or hf.co/ORG/REPO/FILE.gguf[@REVISION]") }
        for (index, component) in components.enumerated() {
            guard !component.isEmpty, component != ".", component != "..", component.utf8.count <= 200 else {
                throw fail("empty or relative path component")
            }
            let allowed: (Character) -> Bool = index < 2
                ? { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
                : { !$0.isASCII || !($0.isWhitespace || "\\?#%\"<>|*".contains($0) || $0.asciiValue! < 32) }
            guard component.allSatisfy(allowed) else {
                throw fail(index < 2 ? "organisation and repository names are letters, digits, '.', '_' and '-'"
                                     : "the file path has a character not allowed in a Hub path: \(component)")
            }
        }
        repository = components[0] + "/" + components[1]
        if components.count > 2 {
            guard quantization == nil else { throw fail("name a file or a quantization, not both") }
            let path = components[2...].joined(separator: "/")
            guard path.lowercased().hasSuffix(".gguf") else { throw fail("the file must be a .gguf file") }
            selector = .file(path)
        } else {
            selector = .quantization(quantization)
        }
        self.revision = revision
        var name = "hf.co/" + rest
        if let quantization { name += ":" + quantization }
        if explicitRevision { name += "@" + revision }
        self.name = name
    }

    /// The repository's page on the endpoint.
    public func pageURL(endpoint: String) -> String {
        "\(endpoint)/\(repository)"
    }

    /// The `/resolve/` URL of a file at this revision, as `huggingface_hub.hf_hub_url` builds it: the
    /// revision percent-encoded as one segment (`refs/pr/1` → `refs%2Fpr%2F1`), the path segment by segment.
    public func resolveURL(endpoint: String, path: String) -> String {
        "\(endpoint)/\(repository)/resolve/\(Self.encodeSegment(revision))/\(path.split(separator: "/").map { Self.encodeSegment(String($0)) }.joined(separator: "/"))"
    }

    /// The model API URL listing the repository's files with their sizes and LFS hashes.
    public func modelInfoURL(endpoint: String) -> String {
        "\(endpoint)/api/models/\(repository)/revision/\(Self.encodeSegment(revision))?blobs=true"
    }

    static func encodeSegment(_ segment: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }
}

/// Picking a repository's GGUF file for a quantization tag, as `-hf` and `hf.co/` users expect.
public enum QuantizationPicker {
    /// The first part (or only file) of each GGUF model in the listing; projector files (`mmproj`) are
    /// not language models and are left out.
    public static func candidates(_ paths: [String]) -> [String] {
        paths.filter { path in
            let name = path.split(separator: "/").last.map(String.init) ?? path
            guard name.lowercased().hasSuffix(".gguf"), !name.lowercased().contains("mmproj") else { return false }
            if let (index, _) = GGUFSplit.part(of: name) { return index == 1 }
            return true
        }.sorted()
    }

    /// Whether `tag` appears in the path as a whole token: case-insensitive, bounded by the start, the
    /// end, '/', '-' or '.'. So Q4_K matches `model-Q4_K.gguf` but not `model-Q4_K_M.gguf`, and Q4_0
    /// does not match `IQ4_0`.
    public static func matches(_ path: String, tag: String) -> Bool {
        let haystack = Array(path.lowercased().utf8)
        let needle = Array(tag.lowercased().utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let boundaries: Set<UInt8> = [UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: ".")]
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle {
            let before = start == 0 || boundaries.contains(haystack[start - 1])
            let end = start + needle.count
            let after = end == haystack.count || boundaries.contains(haystack[end])
            if before && after { return true }
        }
        return false
    }

    /// The file to pull: the one matching the tag; with no tag, the only GGUF file or else the Q4_K_M
    /// one (the default llama.cpp and Ollama use). Throws, listing the files, when none or several match.
    public static func pick(_ paths: [String], tag: String?, repository: String) throws -> String {
        let files = candidates(paths)
        if let tag {
            let hits = files.filter { matches($0, tag: tag) }
            if hits.count == 1 { return hits[0] }
            if hits.isEmpty { throw StoreError.noQuantization(repository: repository, wanted: tag, available: files) }
            throw StoreError.badReference("hf.co/\(repository):\(tag)",
                                          reason: "several files match \(tag): \(hits.joined(separator: ", ")); name one with hf.co/\(repository)/FILE.gguf")
        }
        if files.count == 1 { return files[0] }
        let defaults = files.filter { matches($0, tag: "Q4_K_M") }
        if defaults.count == 1 { return defaults[0] }
        throw StoreError.noQuantization(repository: repository, wanted: nil, available: files)
    }
}
