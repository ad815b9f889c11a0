import Foundation

/// llama.cpp's split GGUF naming: `NAME-00001-of-00003.gguf`, `NAME-00002-of-00003.gguf`, ….
/// Each part is a GGUF file of its own; the first holds the model's metadata.
public enum GGUFSplit {
    /// (index, count) when the name is a part of a split model, both 1-based.
    public static func part(of fileName: String) -> (index: Int, count: Int)? {
        guard fileName.lowercased().hasSuffix(".gguf") else { return nil }
        let stem = fileName.dropLast(5)
        // "-00001-of-00003" is 15 characters.
        guard stem.count > 15 else { return nil }
        let tail = stem.suffix(15)
        let pieces = tail.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 4, pieces[0].isEmpty, pieces[2] == "of", pieces[1].count == 5, pieces[3].count == 5,
              let index = Int(pieces[1]), let count = Int(pieces[3]), index >= 1, count >= 1, index <= count
        else { return nil }
        return (index, count)
    }

    /// The name of part `index` of the split model whose part `fileName` is.
    public static func name(_ fileName: String, part index: Int) -> String {
        guard let (_, count) = part(of: fileName) else { return fileName }
        let stem = fileName.dropLast(5).dropLast(15)
        return String(stem) + String(format: "-%05d-of-%05d.gguf", index, count)
    }

    /// Every part's name, in order.
    public static func allParts(of fileName: String) -> [String] {
        guard let (_, count) = part(of: fileName) else { return [fileName] }
        return (1...count).map { name(fileName, part: $0) }
    }

    /// The files to load for a path on disk: the file alone, or every part of a split model when the
    /// path is its first part (each part must be there).
    public static func parts(startingWith url: URL) throws -> [URL] {
        guard let (index, count) = part(of: url.lastPathComponent), count > 1 else { return [url] }
        guard index == 1 else {
            throw StoreError.io("\(url.path) is part \(index) of \(count) of a split model; name its first part, \(name(url.lastPathComponent, part: 1))")
        }
        let directory = url.deletingLastPathComponent()
        return try allParts(of: url.lastPathComponent).map { partName in
            let part = directory.appendingPathComponent(partName)
            guard FileManager.default.fileExists(atPath: part.path) else {
                throw StoreError.io("\(part.path) is missing: a split model needs all \(count) parts")
            }
            return part
        }
    }
}
