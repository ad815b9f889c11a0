/// The `tokenizer.ggml.pre` names this package understands, and what llama.cpp does for each
/// (`llama_vocab::impl::load` picks the flags, `llm_tokenizer_bpe` the regex list).
///
/// Only names whose regex list is implemented in `PreTokenizer` are here; any other name is refused
/// with `TokenizerError.unsupportedPreTokenizer`, as llama.cpp refuses names it does not know.
struct PreTokenizerConfiguration {
    let rules: [PreTokenizerRule]
    /// `clean_up_tokenization_spaces` when decoding.
    let cleanSpaces: Bool
    /// Take a whole pre-tokenized word as one token when the vocabulary has it.
    let ignoreMerges: Bool
    /// The default for `tokenizer.ggml.add_bos_token` when the file does not say.
    let addBOS: Bool
}

enum PreTokenizerCatalog {
    static func configuration(for name: String) -> PreTokenizerConfiguration? {
        if name.isEmpty { return table["default"] }  // llama.cpp warns and uses "default"
        return table[name]
    }

    private static let defaultRules: [PreTokenizerRule] = [.punctuationRuns, .gpt2, .numberRuns, .asciiDigitTriples]
    private static let smolLMRules: [PreTokenizerRule] = [.isolatedNumbers, .gpt2]

    private static let table: [String: PreTokenizerConfiguration] = {
        var table: [String: PreTokenizerConfiguration] = [:]
        func add(_ names: [String], _ rules: [PreTokenizerRule], cleanSpaces: Bool, ignoreMerges: Bool = false, addBOS: Bool = false) {
            for name in names {
                table[name] = PreTokenizerConfiguration(rules: rules, cleanSpaces: cleanSpaces, ignoreMerges: ignoreMerges, addBOS: addBOS)
            }
        }
        add(["default"], defaultRules, cleanSpaces: true)
        add(["llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano"],
            [.llama3], cleanSpaces: true, ignoreMerges: true, addBOS: true)
        add(["dbrx", "smaug-bpe"], [.llama3], cleanSpaces: true)
        add(["gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
             "modern-bert", "mpt", "olmo", "jais", "exaone4"], [.gpt2], cleanSpaces: true)
        add(["trillion", "granite-docling"], [.gpt2], cleanSpaces: false)
        add(["smollm", "command-r"], smolLMRules, cleanSpaces: false)
        add(["starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2"], smolLMRules, cleanSpaces: true)
        add(["qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open"], [.qwen2], cleanSpaces: false)
        add(["stablelm2", "megrez"], [.qwen2], cleanSpaces: true)
        return table
    }()
}
