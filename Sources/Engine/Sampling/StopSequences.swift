/// Finds stop strings in streamed text, even when they span tokens, and holds back just the text
/// that might still become one, so a stop string is never emitted. Works on UTF-8 bytes: the
/// text and the stop strings are valid UTF-8, so a match can only begin at a character boundary.
public struct StopSequenceMatcher: Sendable {
    public let stops: [[UInt8]]
    private var pending: [UInt8] = []
    public private(set) var matched: String?

    public init(_ stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    public var isEmpty: Bool { stops.isEmpty }

    /// Adds generated text; returns the text that is now safe to emit. After a match, returns the
    /// text before the stop string, sets `matched`, and ignores anything further.
    public mutating func append(_ text: String) -> String {
        guard matched == nil else { return "" }
        if stops.isEmpty { return text }
        pending.append(contentsOf: text.utf8)
        // The earliest match wins; among matches at the same place, the longest.
        var earliest: (start: Int, stop: [UInt8])?
        for stop in stops {
            if let start = StopSequenceMatcher.firstIndex(of: stop, in: pending),
               earliest == nil || start < earliest!.start || (start == earliest!.start && stop.count > earliest!.stop.count) {
                earliest = (start, stop)
            }
        }
        if let earliest {
            matched = String(decoding: earliest.stop, as: UTF8.self)
            let released = String(decoding: pending[..<earliest.start], as: UTF8.self)
            pending.removeAll()
            return released
        }
        let held = heldBackCount()
        let released = String(decoding: pending[..<(pending.count - held)], as: UTF8.self)
        pending.removeFirst(pending.count - held)
        return released
    }

    /// Whatever was held back, when generation ends for another reason.
    public mutating func finish() -> String {
        guard matched == nil else { return "" }
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The length of the longest suffix of the pending text that is a proper prefix of a stop.
    private func heldBackCount() -> Int {
        var longest = 0
        for stop in stops {
            var length = min(stop.count - 1, pending.count)
            while length > longest {
                if pending.suffix(length).elementsEqual(stop.prefix(length)) {
                    longest = length
                    break
                }
                length -= 1
            }
        }
        return longest
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        outer: for start in 0...(haystack.count - needle.count) {
            for j in needle.indices where haystack[start + j] != needle[j] { continue outer }
            return start
        }
        return nil
    }
}
