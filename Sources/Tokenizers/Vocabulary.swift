import GGUF

/// What llama.cpp knows about each token (`llama_token_attr`), same bit values.
public struct TokenAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let unknown = TokenAttributes(rawValue: 1 << 0)
    public static let unused = TokenAttributes(rawValue: 1 << 1)
    public static let normal = TokenAttributes(rawValue: 1 << 2)
    public static let control = TokenAttributes(rawValue: 1 << 3)
    public static let userDefined = TokenAttributes(rawValue: 1 << 4)
    public static let byte = TokenAttributes(rawValue: 1 << 5)
    public static let normalized = TokenAttributes(rawValue: 1 << 6)
    public static let leftStrip = TokenAttributes(rawValue: 1 << 7)
    public static let rightStrip = TokenAttributes(rawValue: 1 << 8)
    public static let singleWord = TokenAttributes(rawValue: 1 << 9)

    /// From a `tokenizer.ggml.token_type` entry (llama.cpp's `llama_token_type`).
    init(tokenType: Int32) {
        switch tokenType {
        case 1: self = .normal
        case 2: self = .unknown
        case 3: self = .control
        case 4: self = .userDefined
        case 5: self = .unused
        case 6: self = .byte
        default: self = []  // 0 (undefined) and anything unknown: llama.cpp's LLAMA_TOKEN_ATTR_UNDEFINED
        }
    }
}

/// Which algorithm turns text into ids.
enum VocabularyKind: Equatable {
    /// `tokenizer.ggml.model = "gpt2"`: byte-level BPE after a pre-tokenizer.
    case bytePairEncoding
    /// `tokenizer.ggml.model = "llama"`: SentencePiece-style merges by score, with byte fallback.
    case sentencePiece
}

/// The vocabulary of a GGUF file and every flag that tokenization reads, decoded in one place, with
/// llama.cpp's defaults and its fix-ups (`llama_vocab::impl::load`).
struct Vocabulary {
    let kind: VocabularyKind
    let modelName: String
    let preName: String
    let table: TokenTable
    let scores: [Float]
    private(set) var attributes: [TokenAttributes]

    // Special ids (nil where the file has none and the default is out of range).
    private(set) var bos: Int32?
    private(set) var eos: Int32?
    private(set) var eot: Int32?
    private(set) var eom: Int32?
    private(set) var unknown: Int32?
    private(set) var fimPrefix: Int32?
    private(set) var fimSuffix: Int32?
    private(set) var fimMiddle: Int32?
    private(set) var fimPad: Int32?
    private(set) var fimRepo: Int32?
    private(set) var fimSeparator: Int32?

    private(set) var addBOS: Bool
    private(set) var addEOS: Bool
    /// SentencePiece: prefix a space to text that starts the input or follows a special token.
    private(set) var addSpacePrefix: Bool
    /// Byte-level BPE: llama.cpp's `clean_up_tokenization_spaces` at decode.
    let cleanSpaces: Bool
    /// Byte-level BPE: a whole word that is a token is taken as it is, before merging.
    let ignoreMerges: Bool
    /// The pre-tokenizer's regex list (byte-level BPE only).
    let preTokenizer: PreTokenizer

    private(set) var endOfGeneration: Set<Int32> = []
    /// Control, user-defined and unknown tokens, longest text first: the order in which llama.cpp
    /// looks for them in the input.
    private(set) var specialTokensLongestFirst: [Int32] = []

    var count: Int { table.count }

    init(metadata: GGUFMetadata) throws {
        guard let model = metadata.string(Keys.model) else { throw TokenizerError.missingKey(Keys.model) }
        modelName = model
        let pre = metadata.string(Keys.pre) ?? ""
        for key in [Keys.tokens, Keys.merges] where metadata.keysWithInvalidUTF8.contains(key) {
            throw TokenizerError.invalidUTF8(key: key)
        }

        // Defaults per model type, as llama.cpp sets them before reading the file's own values.
        var defaultBOS: Int32?, defaultEOS: Int32?, defaultUnknown: Int32?
        switch model {
        case "llama":
            kind = .sentencePiece
            preName = "default"
            (defaultBOS, defaultEOS, defaultUnknown) = (1, 2, 0)
            addSpacePrefix = true
            cleanSpaces = false
            ignoreMerges = false
            addBOS = true
            preTokenizer = PreTokenizer(rules: [])
        case "gpt2":
            kind = .bytePairEncoding
            (defaultBOS, defaultEOS, defaultUnknown) = (11, 11, nil)
            addSpacePrefix = false
            guard let config = PreTokenizerCatalog.configuration(for: pre) else {
                throw TokenizerError.unsupportedPreTokenizer(pre)
            }
            preName = pre.isEmpty ? "default" : pre
            cleanSpaces = config.cleanSpaces
            ignoreMerges = config.ignoreMerges
            addBOS = config.addBOS
            preTokenizer = PreTokenizer(rules: config.rules)
        default:
            throw TokenizerError.unsupportedModel(model)
        }
        addEOS = false
        if let value = metadata.bool(Keys.addSpacePrefix) { addSpacePrefix = value }

        // Tokens, scores and types.
        guard let tokenArray = metadata.array(Keys.tokens) else { throw TokenizerError.missingKey(Keys.tokens) }
        guard let tokenStrings = tokenArray.strings else {
            throw TokenizerError.wrongType(key: Keys.tokens, expected: "array of strings")
        }
        let count = tokenStrings.count
        guard count > 0, count <= Int(Int32.max) else { throw TokenizerError.invalidVocabularySize(count) }
        let texts: [[UInt8]] = tokenStrings.enumerated().map { index, text in
            // llama.cpp renames empty tokens so that each text stays unique.
            text.isEmpty ? Array("[EMPTY_\(index)]".utf8) : Array(text.utf8)
        }
        table = try TokenTable(texts: texts)

        if let array = metadata.array(Keys.scores) {
            switch array {
            case .float32(let values): scores = Array(values.prefix(count))
            case .int32(let values): scores = values.prefix(count).map { Float($0) }
            default: throw TokenizerError.wrongType(key: Keys.scores, expected: "array of float32 or int32")
            }
            guard array.count >= count else { throw TokenizerError.inconsistentCount(key: Keys.scores, count: array.count, vocabularySize: count) }
        } else {
            scores = [Float](repeating: 0, count: count)
        }
        if let array = metadata.array(Keys.tokenTypes) {
            guard case .int32(let types) = array else {
                throw TokenizerError.wrongType(key: Keys.tokenTypes, expected: "array of int32")
            }
            guard types.count >= count else { throw TokenizerError.inconsistentCount(key: Keys.tokenTypes, count: types.count, vocabularySize: count) }
            attributes = types.prefix(count).map { TokenAttributes(tokenType: $0) }
        } else {
            attributes = [TokenAttributes](repeating: .normal, count: count)
        }

        // Special ids: a default out of range is dropped; a file value out of range keeps the default.
        func specialID(_ key: String, default fallback: Int32?) -> Int32? {
            var id = fallback.flatMap { $0 < Int32(count) ? $0 : nil }
            if let value = metadata.int(key), value >= 0, value < count { id = Int32(value) }
            return id
        }
        bos = specialID(Keys.bos, default: defaultBOS)
        eos = specialID(Keys.eos, default: defaultEOS)
        eot = specialID(Keys.eot, default: nil)
        eom = specialID(Keys.eom, default: nil)
        unknown = specialID(Keys.unknown, default: defaultUnknown)
        // The deprecated prefix/suffix/middle keys come later in llama.cpp's list, so they win.
        fimPrefix = specialID(Keys.legacyPrefix, default: specialID(Keys.fimPrefix, default: nil))
        fimSuffix = specialID(Keys.legacySuffix, default: specialID(Keys.fimSuffix, default: nil))
        fimMiddle = specialID(Keys.legacyMiddle, default: specialID(Keys.fimMiddle, default: nil))
        fimPad = specialID(Keys.fimPad, default: nil)
        fimRepo = specialID(Keys.fimRepo, default: nil)
        fimSeparator = specialID(Keys.fimSeparator, default: nil)

        if let value = metadata.bool(Keys.addBOS) { addBOS = value }
        if let value = metadata.bool(Keys.addEOS) { addEOS = value }
        if addBOS && bos == nil { throw TokenizerError.inconsistent("\(Keys.addBOS) is true but the vocabulary has no BOS token") }
        if addEOS && eos == nil { throw TokenizerError.inconsistent("\(Keys.addEOS) is true but the vocabulary has no EOS token") }

        applySpecialTokenHeuristics()
        specialTokensLongestFirst = (0..<Int32(count))
            .filter { !attributes[Int($0)].isDisjoint(with: [.control, .userDefined, .unknown]) }
            .sorted { lhs, rhs in
                let (a, b) = (table.textLength(lhs), table.textLength(rhs))
                return a != b ? a > b : lhs < rhs
            }
        applyModelSpecificAttributes(
            generalName: metadata.string("general.name") ?? "",
            architecture: metadata.string("general.architecture") ?? "",
            pre: pre)
    }

    func text(_ id: Int32) -> [UInt8] { table.text(id) }

    func id(of text: String) -> Int32? { table.id(of: Array(text.utf8)) }

    /// llama.cpp's guesses from token texts: end-of-turn and fill-in-the-middle tokens the file does
    /// not name, "unused" control tokens, and the end-of-generation set (`llama_vocab::impl::load`).
    ///
    /// llama.cpp walks an unordered map here, so where two candidate texts for the same role are
    /// both present its choice of eot/fim ids is arbitrary; this walks ids in order. The
    /// end-of-generation set does not depend on that choice except for the three FIM roles, whose
    /// candidates rarely coexist in one vocabulary.
    private mutating func applySpecialTokenHeuristics() {
        let textToID: (String) -> Int32? = { [table] in table.id(of: Array($0.utf8)) }
        func firstPresent(_ candidates: [String]) -> Int32? {
            candidates.compactMap(textToID).min()
        }
        func markControl(_ id: Int32?) {
            if let id { attributes[Int(id)].insert(.control) }
        }
        if eot == nil { eot = firstPresent(SpecialTokenTexts.endOfTurn); markControl(eot) }
        if eom == nil { eom = firstPresent(["<|eom_id|>"]); markControl(eom) }
        if fimPrefix == nil { fimPrefix = firstPresent(SpecialTokenTexts.fimPrefix); markControl(fimPrefix) }
        if fimSuffix == nil { fimSuffix = firstPresent(SpecialTokenTexts.fimSuffix); markControl(fimSuffix) }
        if fimMiddle == nil { fimMiddle = firstPresent(SpecialTokenTexts.fimMiddle); markControl(fimMiddle) }
        if fimPad == nil { fimPad = firstPresent(SpecialTokenTexts.fimPad); markControl(fimPad) }
        if fimRepo == nil { fimRepo = firstPresent(SpecialTokenTexts.fimRepo); markControl(fimRepo) }
        if fimSeparator == nil { fimSeparator = firstPresent(["<|file_sep|>"]); markControl(fimSeparator) }

        // Control tokens named "unused…" are unused.
        let unusedMarker = Array("unused".utf8)
        for id in 0..<attributes.count where attributes[id].contains(.control) {
            if table.text(Int32(id)).containsSubsequence(unusedMarker) { attributes[id].insert(.unused) }
        }

        var endOfGeneration = Set([fimPad, fimRepo, fimSeparator].compactMap { $0 })
        for text in SpecialTokenTexts.endOfGeneration {
            if let id = textToID(text) {
                endOfGeneration.insert(id)
                markControl(id)
            }
        }
        // gpt-oss: these are always rendered.
        for text in ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"] {
            if let id = textToID(text) { attributes[Int(id)] = .userDefined }
        }
        for id in [eos, eot, eom] { if let id { endOfGeneration.insert(id) } }

        // o200k_harmony and solar-open: "<|end|>" ends a message, not the generation.
        let texts = Dictionary(endOfGeneration.map { (String(decoding: table.text($0), as: UTF8.self), $0) },
                               uniquingKeysWith: { first, _ in first })
        let hasCall = texts["<|call|>"] != nil || texts["<|calls|>"] != nil
        if let end = texts["<|end|>"], hasCall, texts["<|return|>"] != nil || texts["<|flush|>"] != nil {
            endOfGeneration.remove(end)
            attributes[Int(end)] = .userDefined
        }
        // gemma4 and plamo: "</s>" is an ordinary token there.
        if let closing = texts["</s>"], texts["<|tool_response>"] != nil || texts["<|plamo:eos|>"] != nil {
            endOfGeneration.remove(closing)
            attributes[Int(closing)] = .normal
        }
        self.endOfGeneration = endOfGeneration
    }

    /// Strip attributes llama.cpp sets by model, tokenizer or architecture name.
    private mutating func applyModelSpecificAttributes(generalName: String, architecture: String, pre: String) {
        let name = generalName.lowercased()
        func set(_ text: String, _ attribute: TokenAttributes, _ value: Bool) {
            guard let id = id(of: text) else { return }
            if value { attributes[Int(id)].insert(attribute) } else { attributes[Int(id)].remove(attribute) }
        }
        if ["jina-v2-de", "jina-v2-es", "jina-v2-code"].contains(where: pre.contains)
            || ["nomic-bert-moe", "jina-bert-v3"].contains(where: architecture.contains) {
            set("<mask>", .leftStrip, true)
        } else if name.contains("phi-3") || name.contains("phi3") {
            for id in specialTokensLongestFirst { attributes[Int(id)].insert(.rightStrip) }
            set("</s>", .rightStrip, true)
            for text in ["<unk>", "<s>", "<|endoftext|>"] { set(text, .rightStrip, false) }
        } else if name.contains("modern-bert") {
            set("[MASK]", .leftStrip, true)
        }
    }

    enum Keys {
        static let model = "tokenizer.ggml.model"
        static let pre = "tokenizer.ggml.pre"
        static let tokens = "tokenizer.ggml.tokens"
        static let scores = "tokenizer.ggml.scores"
        static let tokenTypes = "tokenizer.ggml.token_type"
        static let merges = "tokenizer.ggml.merges"
        static let bos = "tokenizer.ggml.bos_token_id"
        static let eos = "tokenizer.ggml.eos_token_id"
        static let eot = "tokenizer.ggml.eot_token_id"
        static let eom = "tokenizer.ggml.eom_token_id"
        static let unknown = "tokenizer.ggml.unknown_token_id"
        static let fimPrefix = "tokenizer.ggml.fim_pre_token_id"
        static let fimSuffix = "tokenizer.ggml.fim_suf_token_id"
        static let fimMiddle = "tokenizer.ggml.fim_mid_token_id"
        static let fimPad = "tokenizer.ggml.fim_pad_token_id"
        static let fimRepo = "tokenizer.ggml.fim_rep_token_id"
        static let fimSeparator = "tokenizer.ggml.fim_sep_token_id"
        static let legacyPrefix = "tokenizer.ggml.prefix_token_id"
        static let legacySuffix = "tokenizer.ggml.suffix_token_id"
        static let legacyMiddle = "tokenizer.ggml.middle_token_id"
        static let addBOS = "tokenizer.ggml.add_bos_token"
        static let addEOS = "tokenizer.ggml.add_eos_token"
        static let addSpacePrefix = "tokenizer.ggml.add_space_prefix"
    }
}

/// Token texts llama.cpp recognises by name (llama-vocab.cpp), for vocabularies whose metadata
/// does not say which token does what.
enum SpecialTokenTexts {
    static let endOfTurn = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>",
        "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
    ]
    static let fimPrefix = [
        "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>",
    ]
    static let fimSuffix = [
        "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>",
    ]
    static let fimMiddle = [
        "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>",
    ]
    static let fimPad = ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"]
    static let fimRepo = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"]
    static let endOfGeneration = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
        "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
        "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[",
    ]
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard count >= needle.count else { return false }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if self[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }
}
