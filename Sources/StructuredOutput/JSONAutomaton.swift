import JSON

/// Limits that keep generation finite and the automaton small.
public struct JSONGenerationOptions: Sendable, Equatable {
    /// The most bytes of whitespace between two tokens of the JSON text (and before the value).
    /// A run has llama.cpp's JSON-schema grammar shape (`space ::= | " " | "\n" [ \t]{0,20}`):
    /// nothing, one space, or a newline followed by spaces and tabs, at most this many bytes in
    /// all; never a carriage return, never two newlines. The default, 21, is llama.cpp's limit;
    /// 0 gives compact output; 1 allows one space or one newline. At most 254. Bounded so that a
    /// model cannot spend its tokens on whitespace.
    public var maximumWhitespaceRun: Int
    /// The deepest nesting of arrays, objects and scalars (the top level counts one). Values are
    /// started only where a finite completion fits, so the limit never strands generation.
    public var maximumDepth: Int

    public init(maximumWhitespaceRun: Int = 21, maximumDepth: Int = 32) {
        self.maximumWhitespaceRun = max(0, min(maximumWhitespaceRun, 254))
        self.maximumDepth = max(1, min(maximumDepth, 1000))
    }
}

/// One level of the pushdown automaton's stack.
enum Frame: Hashable {
    /// The document: before its value (leading whitespace) or after it (nothing more).
    case root(valueStarted: Bool, whitespace: UInt8)
    case object(ObjectFrame)
    case array(ArrayFrame)
    case string(StringScan)
    case number(NumberScan)
    case literal(node: Int32, scan: LiteralScan)
}

struct ObjectFrame: Hashable {
    enum Phase: UInt8 { case open, key, afterKey, afterColon, afterValue, afterComma }
    let node: Int32
    var phase: Phase
    var whitespace: UInt8 = 0
    /// Listed mode: the index of the first property that may still come.
    var next: Int32 = 0
    /// Listed mode, during `key`: which property names are still possible.
    var key = LiteralScan(candidates: 0)
}

struct ArrayFrame: Hashable {
    enum Phase: UInt8 { case open, afterValue, afterComma }
    let node: Int32
    var phase: Phase
    var whitespace: UInt8 = 0
    var count: Int32 = 0
}

/// The automaton's state: the stacks of every alternative still alive (usually one; `anyOf`
/// branches that begin alike live side by side until a byte tells them apart).
struct AutomatonState: Hashable {
    var stacks: [[Frame]]
}

/// A byte-level pushdown automaton that accepts exactly the JSON texts valid against a schema
/// (within the limits of `JSONGenerationOptions` and the generation choices `JSONSchema`
/// documents). It never enters a state from which the text cannot be completed.
struct JSONAutomaton {
    let schema: JSONSchema
    let options: JSONGenerationOptions
    private let maximumWhitespace: UInt8
    private let numberStarts: [NumberScan?]
    private static let freeKey = StringSchema(minLength: 0, maxLength: nil)

    init(schema: JSONSchema, options: JSONGenerationOptions) throws {
        guard schema.minimumDepth[schema.root] < options.maximumDepth else {
            throw JSONSchemaError.tooComplex("values need nesting deeper than the limit of \(options.maximumDepth)")
        }
        self.schema = schema
        self.options = options
        maximumWhitespace = UInt8(options.maximumWhitespaceRun)
        numberStarts = schema.nodes.map { node in
            if case .number(let number) = node { return NumberScan.start(number) }
            return nil
        }
    }

    var initialState: AutomatonState {
        AutomatonState(stacks: [[.root(valueStarted: false, whitespace: 0)]])
    }

    /// The state after `byte`, or nil when no valid text continues with it.
    func advance(_ state: AutomatonState, _ byte: UInt8) -> AutomatonState? {
        var results: [[Frame]] = []
        for stack in state.stacks {
            var stack = stack
            step(&stack, byte, into: &results)
        }
        if results.isEmpty { return nil }
        if results.count > 1 {
            var seen = Set<[Frame]>()
            results = results.filter { seen.insert($0).inserted }
        }
        return AutomatonState(stacks: results)
    }

    /// Whether the text read so far is a complete valid document.
    func canFinish(_ state: AutomatonState) -> Bool {
        state.stacks.contains { stack in
            var stack = stack
            while let top = stack.last {
                switch top {
                case .number(let scan) where scan.canEnd: stack.removeLast()
                case .literal(let node, let scan) where scan.isComplete(in: literals(node)): stack.removeLast()
                case .root(valueStarted: true, _): return stack.count == 1
                default: return false
                }
            }
            return false
        }
    }

    private func literals(_ node: Int32) -> LiteralSet {
        if case .literals(let set) = schema.nodes[Int(node)] { return set }
        preconditionFailure("literal frame over a non-literal node")
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// A run state (the `whitespace` of frames): 0 before any whitespace, `spaceRun` after a single
    /// space (which ends the run), otherwise the bytes of a newline-led run so far.
    static let spaceRun: UInt8 = 255

    /// Adds `byte` (whitespace) to a run if the run's shape and the limit allow it: one space, or a
    /// newline followed by spaces and tabs (see `JSONGenerationOptions.maximumWhitespaceRun`).
    private func extend(_ run: inout UInt8, with byte: UInt8) -> Bool {
        guard maximumWhitespace > 0 else { return false }
        switch run {
        case 0:
            if byte == 0x20 {
                run = Self.spaceRun
                return true
            }
            guard byte == 0x0A else { return false }
            run = 1
            return true
        case Self.spaceRun:
            return false
        default:
            guard byte == 0x20 || byte == 0x09, run < maximumWhitespace else { return false }
            run += 1
            return true
        }
    }

    /// Feeds one byte to the top of `stack`, appending every resulting stack to `results`.
    private func step(_ stack: inout [Frame], _ byte: UInt8, into results: inout [[Frame]]) {
        guard let top = stack.last else { return }
        switch top {
        case .root(let started, var whitespace):
            if started { return }
            if Self.isWhitespace(byte) {
                guard extend(&whitespace, with: byte) else { return }
                stack[stack.count - 1] = .root(valueStarted: false, whitespace: whitespace)
                results.append(stack)
                return
            }
            stack[stack.count - 1] = .root(valueStarted: true, whitespace: 0)
            startValue(schema.root, byte, on: stack, into: &results)

        case .string(var scan):
            switch scan.step(byte) {
            case .dead: return
            case .continued: stack[stack.count - 1] = .string(scan)
            case .closed: stack.removeLast()
            }
            results.append(stack)

        case .number(var scan):
            if NumberScan.isNumberByte(byte) {
                guard scan.step(byte) == .continued else { return }
                stack[stack.count - 1] = .number(scan)
                results.append(stack)
            } else if scan.canEnd {
                stack.removeLast()
                step(&stack, byte, into: &results)
            }

        case .literal(let node, var scan):
            let set = literals(node)
            let wasComplete = scan.isComplete(in: set)
            if scan.step(byte, in: set) {
                if scan.isExhausted(in: set) {
                    stack.removeLast()
                } else {
                    stack[stack.count - 1] = .literal(node: node, scan: scan)
                }
                results.append(stack)
            } else if wasComplete {
                stack.removeLast()
                step(&stack, byte, into: &results)
            }

        case .array(var frame):
            stepArray(&frame, &stack, byte, into: &results)

        case .object(var frame):
            stepObject(&frame, &stack, byte, into: &results)
        }
    }

    private func stepArray(_ frame: inout ArrayFrame, _ stack: inout [Frame], _ byte: UInt8, into results: inout [[Frame]]) {
        guard case .array(let array) = schema.nodes[Int(frame.node)] else { return }
        if Self.isWhitespace(byte) {
            guard extend(&frame.whitespace, with: byte) else { return }
            stack[stack.count - 1] = .array(frame)
            results.append(stack)
            return
        }
        frame.whitespace = 0
        switch (frame.phase, byte) {
        case (.open, UInt8(ascii: "]")) where array.minItems == 0,
             (.afterValue, UInt8(ascii: "]")) where Int(frame.count) >= array.minItems:
            stack.removeLast()
            results.append(stack)
        case (.afterValue, UInt8(ascii: ",")):
            guard array.maxItems.map({ Int(frame.count) < $0 }) ?? true, frame.count < Int32.max else { return }
            frame.phase = .afterComma
            stack[stack.count - 1] = .array(frame)
            results.append(stack)
        case (.open, _), (.afterComma, _):
            if frame.phase == .open && array.maxItems == 0 { return }
            frame.count += 1
            frame.phase = .afterValue
            stack[stack.count - 1] = .array(frame)
            startValue(array.items, byte, on: stack, into: &results)
        default:
            return
        }
    }

    private func stepObject(_ frame: inout ObjectFrame, _ stack: inout [Frame], _ byte: UInt8, into results: inout [[Frame]]) {
        guard case .object(let object) = schema.nodes[Int(frame.node)] else { return }
        if frame.phase == .key {
            let choices = object.keyChoices[Int(frame.next)]
            guard frame.key.step(byte, in: choices),
                  canStartKey(of: object, choices, frame.key, depth: stack.count) else { return }
            if frame.key.isComplete(in: choices) {
                // Encodings end with the closing quote, so a complete key is the only candidate left.
                frame.next = Int32(choices.tags[Int(frame.key.lower)]) + 1
                frame.phase = .afterKey
            }
            stack[stack.count - 1] = .object(frame)
            results.append(stack)
            return
        }
        if Self.isWhitespace(byte) {
            guard frame.phase != .key, extend(&frame.whitespace, with: byte) else { return }
            stack[stack.count - 1] = .object(frame)
            results.append(stack)
            return
        }
        frame.whitespace = 0
        let next = Int(frame.next)
        switch (frame.phase, byte) {
        case (.open, UInt8(ascii: "}")), (.afterValue, UInt8(ascii: "}")):
            if object.listsProperties && next < object.properties.count && object.hasRequired(from: next) { return }
            stack.removeLast()
            results.append(stack)
        case (.afterValue, UInt8(ascii: ",")):
            if object.listsProperties {
                guard next < object.properties.count else { return }
                let choices = object.keyChoices[next]
                guard canStartKey(of: object, choices, LiteralScan(choices), depth: stack.count) else { return }
            } else if !canStartMember(object.additional, depth: stack.count) {
                return
            }
            frame.phase = .afterComma
            stack[stack.count - 1] = .object(frame)
            results.append(stack)
        case (.open, UInt8(ascii: "\"")), (.afterComma, UInt8(ascii: "\"")):
            if object.listsProperties {
                guard next < object.properties.count else { return }
                let choices = object.keyChoices[next]
                frame.key = LiteralScan(choices)
                guard frame.key.step(byte, in: choices),
                      canStartKey(of: object, choices, frame.key, depth: stack.count) else { return }
                frame.phase = .key
                stack[stack.count - 1] = .object(frame)
            } else {
                guard canStartMember(object.additional, depth: stack.count) else { return }
                frame.phase = .afterKey
                stack[stack.count - 1] = .object(frame)
                stack.append(.string(StringScan(Self.freeKey)))
            }
            results.append(stack)
        case (.afterKey, UInt8(ascii: ":")):
            frame.phase = .afterColon
            stack[stack.count - 1] = .object(frame)
            results.append(stack)
        case (.afterColon, _):
            let valueNode = object.listsProperties ? object.properties[next - 1].node : object.additional!
            frame.phase = .afterValue
            stack[stack.count - 1] = .object(frame)
            startValue(valueNode, byte, on: stack, into: &results)
        default:
            return
        }
    }

    /// Whether a member whose value is `node` fits on a stack of `depth` frames (its free key needs
    /// one frame, its value `minimumDepth` frames).
    private func canStartMember(_ node: Int?, depth: Int) -> Bool {
        guard let node else { return false }
        let needed = schema.minimumDepth[node]
        return needed != Int.max && depth + max(1, needed) <= options.maximumDepth
    }

    /// Whether some listed key still possible under `scan` has a value that fits: an optional
    /// property whose value needs more depth than is left must not be begun.
    private func canStartKey(of object: ObjectSchema, _ choices: LiteralSet, _ scan: LiteralScan, depth: Int) -> Bool {
        (Int(scan.lower)..<Int(scan.upper)).contains { index in
            canStartMember(object.properties[choices.tags[index]].node, depth: depth)
        }
    }

    /// Starts a value of `node` with its first byte, on top of `stack`. Alternatives branch; a value
    /// that could not be finished within the depth limit is not started at all.
    private func startValue(_ node: Int, _ byte: UInt8, on stack: [Frame], into results: inout [[Frame]],
                            visited: Set<Int> = []) {
        let needed = schema.minimumDepth[node]
        guard needed != Int.max, stack.count + needed <= options.maximumDepth else { return }
        var stack = stack
        switch schema.nodes[node] {
        case .never:
            return
        case .alternatives(let branches, _):
            var inner = visited
            inner.insert(node)
            for branch in branches where !inner.contains(branch) {
                startValue(branch, byte, on: stack, into: &results, visited: inner)
            }
        case .object:
            guard byte == UInt8(ascii: "{") else { return }
            stack.append(.object(ObjectFrame(node: Int32(node), phase: .open)))
            results.append(stack)
        case .array:
            guard byte == UInt8(ascii: "[") else { return }
            stack.append(.array(ArrayFrame(node: Int32(node), phase: .open)))
            results.append(stack)
        case .string(let string):
            guard byte == UInt8(ascii: "\"") else { return }
            stack.append(.string(StringScan(string)))
            results.append(stack)
        case .number:
            guard var scan = numberStarts[node], scan.step(byte) == .continued else { return }
            stack.append(.number(scan))
            results.append(stack)
        case .literals(let set):
            var scan = LiteralScan(set)
            guard scan.step(byte, in: set) else { return }
            if !scan.isExhausted(in: set) { stack.append(.literal(node: Int32(node), scan: scan)) }
            results.append(stack)
        }
    }
}
