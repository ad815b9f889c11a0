/// The length in bytes of the shortest text that finishes a value from an automaton state: a
/// shortest path over the automaton, which is what lets `JSONConstraint` close its value within a
/// token budget.
///
/// A state's stacks are finished frame by frame from the top, and each frame's part depends only on
/// the frame itself and on how much nesting room its position leaves (the automaton starts a value
/// only where the depth limit leaves room for it). So the cost of a state is a sum over its frames
/// of small precomputed quantities, `O(stack depth)` per state:
///
/// - `value(node, room)`: the shortest complete value of a node started with `room` frames left;
/// - for each object with listed properties, after property `i`: the shortest rest of the object
///   (`rest`), the shortest member from key choice `i` onwards (`member`), and the shortest value
///   and rest after the key of property `i` (`tail`).
///
/// Nothing is an estimate: the costs equal the true shortest distances in the automaton (the tests
/// check that every state has a byte that lowers its cost by exactly one and none that lowers it
/// more). The bytes of those shortest texts are structural characters, digits, "-", ".", the bytes
/// of the schema's `enum`/`const` values and property names, printable ASCII inside strings, and
/// UTF-8 continuation bytes to finish a character; see `JSONConstraint` for the token side.
final class CompletionCosts {
    /// Larger than any real cost; sums saturate here.
    static let infinity = Int.max / 4

    private let schema: JSONSchema
    private let maximumDepth: Int
    private let nodeCount: Int
    /// `values[level * nodeCount + node]`, levels `0...lastValueLevel`; rooms above the last level
    /// cost what the last level does (the tables stopped changing there).
    private var values: [Int] = []
    private var lastValueLevel = 0
    /// Per listed object, `3 * count + 1` entries a level: rest[0...count], member[0..<count], tail[0..<count].
    private var objectTables: [Int] = []
    private var objectStride = 0
    private var objectOffset: [Int]
    private var lastObjectLevel = -1
    /// The shortest encoding of each literal node.
    private let literalMinimum: [Int]
    /// The cost of a number from its first byte, for each number node.
    private let numberMinimum: [Int]

    static let maximumTableEntries = 4_000_000

    init(schema: JSONSchema, options: JSONGenerationOptions) throws {
        self.schema = schema
        maximumDepth = options.maximumDepth
        nodeCount = schema.nodes.count
        literalMinimum = schema.nodes.map { node in
            guard case .literals(let set) = node, !set.encodings.isEmpty else { return Self.infinity }
            return set.encodings.map(\.count).min()!
        }
        numberMinimum = schema.nodes.map { node in
            guard case .number(let number) = node, let scan = NumberScan.start(number) else { return Self.infinity }
            return Self.saturated(scan.minimumBytesToEnd)
        }
        var offset = [Int](repeating: -1, count: schema.nodes.count)
        var stride = 0
        for (index, node) in schema.nodes.enumerated() {
            if case .object(let object) = node, object.listsProperties {
                offset[index] = stride
                stride += 3 * object.properties.count + 1
            }
        }
        objectOffset = offset
        objectStride = stride
        try build()
    }

    private static func saturated(_ value: Int) -> Int { min(value, infinity) }

    private static func add(_ a: Int, _ b: Int) -> Int { min(a + b, infinity) }

    // MARK: Tables

    private func build() throws {
        // Level r holds values started with r frames of room. Containers read level r − 1 (their
        // children sit one frame deeper), alternatives read their own level (a fixed point).
        let alternatives = schema.nodes.indices.filter {
            if case .alternatives = schema.nodes[$0] { return true }
            return false
        }
        for room in 0..<maximumDepth {
            if room >= 1 { appendObjectLevel(childRoom: room - 1) }
            var level = [Int](repeating: Self.infinity, count: nodeCount)
            if room >= 1 {
                for (index, node) in schema.nodes.enumerated() {
                    switch node {
                    case .never, .alternatives: break
                    case .string(let string): level[index] = Self.saturated(string.minLength + 2)
                    case .number: level[index] = numberMinimum[index]
                    case .literals: level[index] = literalMinimum[index]
                    case .array(let array):
                        level[index] = Self.add(1, arrayCost(array, count: 0, pendingItem: false, childRoom: room - 1))
                    case .object(let object):
                        level[index] = Self.add(1, objectOpenCost(index, object, childRoom: room - 1))
                    }
                }
                var changed = true
                while changed {
                    changed = false
                    for index in alternatives {
                        guard case .alternatives(let branches, _) = schema.nodes[index] else { continue }
                        let best = branches.map { level[$0] }.min() ?? Self.infinity
                        if best < level[index] {
                            level[index] = best
                            changed = true
                        }
                    }
                }
            }
            let previous = room >= 1 ? Array(values[(room - 1) * nodeCount..<room * nodeCount]) : nil
            values += level
            lastValueLevel = room
            guard values.count + objectTables.count <= Self.maximumTableEntries else {
                throw JSONSchemaError.tooComplex("the shortest-completion tables for the token budget exceed \(Self.maximumTableEntries) entries")
            }
            // Equal levels make every later level equal too (same inputs).
            if let previous, previous == level { break }
        }
    }

    /// The object tables for children started with `childRoom` frames of room, from `values` at that level.
    private func appendObjectLevel(childRoom: Int) {
        var level = [Int](repeating: Self.infinity, count: objectStride)
        for (index, node) in schema.nodes.enumerated() {
            guard case .object(let object) = node, object.listsProperties else { continue }
            let base = objectOffset[index]
            let count = object.properties.count
            // rest[i] at base + i, member[i] at base + count + 1 + i, tail[i] at base + 2 * count + 1 + i.
            level[base + count] = 1
            for position in stride(from: count - 1, through: 0, by: -1) {
                let property = object.properties[position]
                level[base + 2 * count + 1 + position] =
                    Self.add(value(property.node, room: childRoom), level[base + position + 1])
                let choices = object.keyChoices[position]
                var member = Self.infinity
                for (candidate, tag) in choices.tags.enumerated() {
                    // The key, its colon, then the value and the rest.
                    let cost = Self.add(choices.encodings[candidate].count + 1, level[base + 2 * count + 1 + tag])
                    member = min(member, cost)
                }
                level[base + count + 1 + position] = member
                let close = object.hasRequired(from: position) ? Self.infinity : 1
                level[base + position] = min(close, Self.add(1, member))
            }
        }
        objectTables += level
        lastObjectLevel += 1
        precondition(lastObjectLevel == childRoom)
    }

    /// The shortest complete value of `node` started with `room` frames of room.
    func value(_ node: Int, room: Int) -> Int {
        guard room >= 0 else { return Self.infinity }
        return values[min(room, lastValueLevel) * nodeCount + node]
    }

    private func objectEntry(_ node: Int, _ index: Int, childRoom: Int) -> Int {
        guard childRoom >= 0, lastObjectLevel >= 0 else { return Self.infinity }
        return objectTables[min(childRoom, lastObjectLevel) * objectStride + objectOffset[node] + index]
    }

    /// After `{`: "}" if nothing is required, else the shortest first member and the rest.
    private func objectOpenCost(_ node: Int, _ object: ObjectSchema, childRoom: Int) -> Int {
        guard object.listsProperties else { return 1 }
        let close = object.hasRequired(from: 0) ? Self.infinity : 1
        return min(close, objectEntry(node, object.properties.count + 1, childRoom: childRoom))
    }

    /// The rest of an array that has `count` items (the last one, when `pendingItem`, already
    /// finished or being written), up to and including "]".
    private func arrayCost(_ array: ArraySchema, count: Int, pendingItem: Bool, childRoom: Int) -> Int {
        let missing = max(0, array.minItems - count)
        guard missing > 0 else { return 1 }
        let item = value(array.items, room: childRoom)
        guard item < Self.infinity else { return Self.infinity }
        // Each missing item: its value and a separator (a comma before it, unless it is the first).
        let separators = pendingItem || count > 0 ? missing : missing - 1
        let (product, overflow) = missing.multipliedReportingOverflow(by: item)
        guard !overflow else { return Self.infinity }
        return Self.add(Self.add(product, separators), 1)
    }

    // MARK: States

    /// The length in bytes of the shortest text that finishes the value from `state`.
    func cost(_ state: AutomatonState) -> Int {
        var best = Self.infinity
        for stack in state.stacks { best = min(best, cost(stack[...])) }
        return best
    }

    /// The cost of a stack (or of its lower part, when the top frames were dropped).
    func cost(_ stack: ArraySlice<Frame>) -> Int {
        var total = 0
        for position in stack.indices {
            // The frame at `position` holds `position + 1` frames; its children start above them.
            total = Self.add(total, cost(of: stack[position], childRoom: maximumDepth - (position + 1)))
            if total >= Self.infinity { break }
        }
        return total
    }

    private func cost(of frame: Frame, childRoom: Int) -> Int {
        switch frame {
        case .root(let started, _):
            return started ? 0 : value(schema.root, room: childRoom)
        case .string(let scan):
            return scan.minimumBytesToClose
        case .number(let scan):
            return Self.saturated(scan.minimumBytesToEnd)
        case .literal(let node, let scan):
            guard case .literals(let set) = schema.nodes[Int(node)] else { return Self.infinity }
            return scan.minimumBytesToComplete(in: set)
        case .array(let frame):
            guard case .array(let array) = schema.nodes[Int(frame.node)] else { return Self.infinity }
            let count = Int(frame.count)
            switch frame.phase {
            case .open:
                return arrayCost(array, count: 0, pendingItem: false, childRoom: childRoom)
            case .afterValue:
                return arrayCost(array, count: count, pendingItem: true, childRoom: childRoom)
            case .afterComma:
                // An item must come: it and the rest after it.
                return Self.add(value(array.items, room: childRoom),
                                arrayCost(array, count: count + 1, pendingItem: true, childRoom: childRoom))
            }
        case .object(let frame):
            let node = Int(frame.node)
            guard case .object(let object) = schema.nodes[node] else { return Self.infinity }
            return objectCost(frame, node, object, childRoom: childRoom)
        }
    }

    private func objectCost(_ frame: ObjectFrame, _ node: Int, _ object: ObjectSchema, childRoom: Int) -> Int {
        guard object.listsProperties else {
            // Free keys: the shortest member is `"":` and the additional value.
            let member = object.additional.map { value($0, room: childRoom) } ?? Self.infinity
            switch frame.phase {
            case .open, .afterValue: return 1
            case .afterComma: return Self.add(member, 4)
            case .afterKey: return Self.add(member, 2)  // below the key's string frame
            case .afterColon: return Self.add(member, 1)
            case .key: return Self.infinity  // listed objects only
            }
        }
        let count = object.properties.count
        let next = Int(frame.next)
        switch frame.phase {
        case .open:
            return objectOpenCost(node, object, childRoom: childRoom)
        case .afterValue:
            return objectEntry(node, next, childRoom: childRoom)
        case .afterComma:
            return next < count ? objectEntry(node, count + 1 + next, childRoom: childRoom) : Self.infinity
        case .afterKey:
            return Self.add(1, objectEntry(node, 2 * count + next, childRoom: childRoom))
        case .afterColon:
            return objectEntry(node, 2 * count + next, childRoom: childRoom)
        case .key:
            let choices = object.keyChoices[next]
            var best = Self.infinity
            for candidate in Int(frame.key.lower)..<Int(frame.key.upper) {
                let tag = choices.tags[candidate]
                let cost = Self.add(choices.encodings[candidate].count - Int(frame.key.depth) + 1,
                                    objectEntry(node, 2 * count + 1 + tag, childRoom: childRoom))
                best = min(best, cost)
            }
            return best
        }
    }
}
