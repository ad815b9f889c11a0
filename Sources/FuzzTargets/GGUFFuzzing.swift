import Foundation
import GGUF
import Models
import Tokenizers

/// A GGUF file from arbitrary bytes: the reader, then everything loading a model does with what it
/// read (architecture and configuration, tokenizer, the tensor table against the architecture's
/// shapes), and when the model loads, one forward step over a short context. A file that loads
/// must run: its shapes were promised consistent.
public enum GGUFFuzzing {
    static func run(_ input: UnsafeRawBufferPointer) {
        guard let file = try? GGUFFile(bytes: Array(input)) else { return }
        for tensor in file.tensors { _ = file.data(for: tensor).count }
        guard let model = try? LanguageModel(file: file, url: URL(fileURLWithPath: "/fuzz/input.gguf")) else {
            _ = try? Tokenizer(metadata: file.metadata)
            return
        }
        let context = model.makeContext(contextLength: 4, threads: 1, batchSize: 2)
        let first = model.tokenizer.bosToken ?? 0
        // As many tokens as the context holds (a file may declare a context of one position).
        let tokens = [first, 0, 1].filter { Int($0) < model.config.vocabularySize }.prefix(model.config.contextLength)
        let logits: [Float]
        do {
            logits = try context.evaluate(Array(tokens))
        } catch {
            invariant(false, "a model that loaded failed its first step: \(error)")
            return
        }
        invariant(logits.count == model.config.vocabularySize || logits.isEmpty,
                  "\(logits.count) logits for a vocabulary of \(model.config.vocabularySize)")
    }
}

/// A structure-aware mutator for GGUF files. Blind byte flips rarely get past a GGUF header's
/// lengths and counts, and almost never produce the interesting case: a file that parses but
/// whose fields disagree (a tensor whose dimensions overflow, an offset past the end, a head count
/// that does not divide the width). So the mutator scans the file's layout, records where each
/// number sits (counts, lengths, value types, integer values, tensor dimensions, types and
/// offsets), and overwrites one of them with a boundary value, a small change, or another field's
/// value, leaving the rest of the file intact. Inputs it cannot scan go to libFuzzer's own mutator.
public enum GGUFFieldMutator {
    struct Field {
        var offset: Int
        var width: Int
        /// Inside an array's elements (a vocabulary's thousands of string lengths, say).
        var inArray = false
    }

    /// The numeric fields of a GGUF v2/v3 header and tensor table, in file order, as far as the
    /// layout could be followed (at most `limit`).
    static func fields(of bytes: UnsafeRawBufferPointer, limit: Int = 8192) -> [Field] {
        var fields: [Field] = []
        var position = 0
        var arrayDepth = 0
        func field(_ width: Int) -> UInt64? {
            guard position + width <= bytes.count, fields.count < limit else { return nil }
            var value: UInt64 = 0
            for i in 0..<width { value |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
            fields.append(Field(offset: position, width: width, inArray: arrayDepth > 0))
            position += width
            return value
        }
        func string() -> Bool {
            guard let length = field(8), length <= UInt64(bytes.count - position) else { return false }
            position += Int(length)
            return true
        }
        func value(type: UInt64, depth: Int) -> Bool {
            switch type {
            case 0, 1, 7: return field(1) != nil
            case 2, 3: return field(2) != nil
            case 4, 5, 6: return field(4) != nil
            case 10, 11, 12: return field(8) != nil
            case 8: return string()
            case 9:
                guard depth < 2, let elementType = field(4), let count = field(8) else { return false }
                arrayDepth += 1
                defer { arrayDepth -= 1 }
                for _ in 0..<min(count, 1 << 20) where !value(type: elementType, depth: depth + 1) { return false }
                return true
            default: return false
            }
        }
        guard bytes.count >= 24, bytes.starts(with: Array("GGUF".utf8)) else { return [] }
        position = 4
        guard field(4) != nil, let tensorCount = field(8), let keyCount = field(8) else { return fields }
        for _ in 0..<min(keyCount, 1 << 16) {
            guard string(), let type = field(4), value(type: type, depth: 0) else { return fields }
        }
        for _ in 0..<min(tensorCount, 1 << 16) {
            guard string(), let dimensions = field(4), dimensions <= 8 else { return fields }
            for _ in 0..<dimensions where field(8) == nil { return fields }
            guard field(4) != nil, field(8) != nil else { return fields }
        }
        return fields
    }

    static let boundaries: [UInt64] = [
        0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 33, 63, 64, 127, 128, 255, 256, 1023, 1024, 4095, 4096,
        65535, 65536, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF,
        0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF,
    ]

    /// Mutates `size` bytes at `data` in place (the size never changes), or calls `fallback`
    /// (libFuzzer's `LLVMFuzzerMutate`) for inputs without a readable layout and for a quarter of
    /// the calls, so byte-level mutations still happen. Returns the new size.
    public static func mutate(_ data: UnsafeMutablePointer<UInt8>, size: Int, maxSize: Int, seed: UInt32,
                              fallback: (UnsafeMutablePointer<UInt8>, Int, Int) -> Int) -> Int {
        var random = SplitMix64(state: UInt64(seed) &* 0x2545_F491_4F6C_DD1D)
        let fields = self.fields(of: UnsafeRawBufferPointer(start: data, count: size))
        guard !fields.isEmpty, random.below(4) != 0 else { return fallback(data, size, maxSize) }
        // Mostly the header's own fields: array elements (token lengths, scores) are most of the
        // fields but least of the interest.
        let structural = fields.filter { !$0.inArray }
        let pool = structural.isEmpty || random.below(5) == 0 ? fields : structural
        let field = pool[random.below(pool.count)]
        func read(_ f: Field) -> UInt64 {
            (0..<f.width).reduce(UInt64(0)) { $0 | UInt64(data[f.offset + $1]) << (8 * UInt64($1)) }
        }
        let old = read(field)
        let new: UInt64
        switch random.below(5) {
        case 0, 1: new = boundaries[random.below(boundaries.count)]
        case 2: new = old &+ UInt64(bitPattern: Int64(random.below(33) - 16))
        case 3: new = random.below(2) == 0 ? old &* 2 : old / 2
        default: new = read(fields[random.below(fields.count)])
        }
        for i in 0..<field.width { data[field.offset + i] = UInt8(truncatingIfNeeded: new >> (8 * UInt64(i))) }
        return size
    }
}
