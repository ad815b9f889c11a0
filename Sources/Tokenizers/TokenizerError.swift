/// Why a vocabulary could not be read from GGUF metadata.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// A required key (the model type, the token list, BPE merges) is absent.
    case missingKey(String)
    /// A key holds the wrong type.
    case wrongType(key: String, expected: String)
    /// `tokenizer.ggml.model` names a tokenizer this package does not implement.
    case unsupportedModel(String)
    /// `tokenizer.ggml.pre` names a byte-level BPE pre-tokenizer this package does not implement.
    case unsupportedPreTokenizer(String)
    /// The token list is empty or too long for 32-bit ids.
    case invalidVocabularySize(Int)
    /// A per-token array (scores, types) is shorter than the token list.
    case inconsistentCount(key: String, count: Int, vocabularySize: Int)
    /// Two tokens have the same text, so text → id would be ambiguous (llama.cpp aborts on this).
    case duplicateToken(text: String, firstID: Int32, secondID: Int32)
    /// Token or merge strings were not valid UTF-8 in the file, so their exact bytes are lost.
    case invalidUTF8(key: String)
    /// The metadata contradicts itself.
    case inconsistent(String)

    public var description: String {
        switch self {
        case .missingKey(let key):
            return "tokenizer metadata is missing \(key)"
        case .wrongType(let key, let expected):
            return "tokenizer metadata \(key) should be \(expected)"
        case .unsupportedModel(let model):
            return "unsupported tokenizer model '\(model)' (supported: gpt2, llama)"
        case .unsupportedPreTokenizer(let pre):
            return "unsupported pre-tokenizer '\(pre)' for a gpt2 (byte-level BPE) vocabulary"
        case .invalidVocabularySize(let count):
            return "invalid vocabulary size \(count)"
        case .inconsistentCount(let key, let count, let size):
            return "tokenizer metadata \(key) has \(count) entries for \(size) tokens"
        case .duplicateToken(let text, let first, let second):
            return "tokens \(first) and \(second) have the same text \(text.debugDescription)"
        case .invalidUTF8(let key):
            return "tokenizer metadata \(key) holds invalid UTF-8"
        case .inconsistent(let message):
            return "inconsistent tokenizer metadata: \(message)"
        }
    }
}
