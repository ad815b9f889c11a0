import Foundation
import XCTest
import JSON
@testable import ChatTemplates

/// Malformed and hostile templates end in a `TemplateError`, never a crash, hang or huge allocation.
final class RobustnessTests: XCTestCase {
    private let small = RenderLimits(maximumWork: 200_000, maximumOutputBytes: 100_000, maximumCallDepth: 32, maximumNesting: 64)

    private func expectError(_ source: String, kind: TemplateError.Kind, limits: RenderLimits = .standard,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ChatTemplate(source: source, limits: limits).render(messages: [], addGenerationPrompt: false),
                             source, file: file, line: line) { error in
            XCTAssertEqual((error as? TemplateError)?.kind, kind, "\(error)", file: file, line: line)
        }
    }

    func testEndlessRecursionIsBounded() {
        expectError("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", kind: .limitExceeded)
        expectError("{% macro f(n) %}x{{ f(n + 1) }}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", kind: .limitExceeded, limits: small)
        expectError("{% for x in [[1]] recursive %}{{ loop([x]) }}{% endfor %}", kind: .limitExceeded)
    }

    func testHugeWorkIsBounded() {
        expectError("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", kind: .limitExceeded, limits: small)
        expectError("{{ range(1000000000) }}", kind: .limitExceeded)
        expectError("{{ 10 ** 100 }}", kind: .limitExceeded)
        expectError("{{ 'x' * 1000000000000 }}", kind: .limitExceeded)
        expectError("{{ [1, 2] * 9223372036854775807 }}", kind: .limitExceeded)
        expectError("{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = ns.l + [i] %}{% endfor %}",
                    kind: .limitExceeded, limits: small)
        expectError("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
                    kind: .limitExceeded, limits: small)
        // Filters and comparisons walk their operands: each costs the operand's size, so running
        // them over a long string many times ends in the budget, not after minutes (the template
        // fuzzer's hang, Fuzz/regressions/template/int-filter-over-a-growing-string-hang).
        expectError("{% set s = 'x' * 1000000 %}{% for i in range(1000000) %}{% set n = s|int %}{% endfor %}",
                    kind: .limitExceeded)
        expectError("{% set s = 'x' * 1000000 %}{% set t = s ~ '' %}{% for i in range(1000000) %}{% if s == t %}{% endif %}{% endfor %}",
                    kind: .limitExceeded)
    }

    func testOutputIsBounded() {
        expectError("{% for i in range(100000) %}0123456789{% endfor %}", kind: .limitExceeded, limits: small)
        // Text captured by macros counts too, even if never printed.
        expectError("{% macro m() %}{% for i in range(100000) %}0123456789{% endfor %}{% endmacro %}{% set x = m() %}",
                    kind: .limitExceeded, limits: small)
    }

    func testDeepNestingIsBounded() {
        expectError("{{ " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + " }}", kind: .limitExceeded)
        expectError("{{ " + String(repeating: "-", count: 5000) + "1 }}", kind: .limitExceeded)
        expectError("{{ " + String(repeating: "not ", count: 5000) + "1 }}", kind: .limitExceeded)
        expectError("{{ " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + " }}", kind: .limitExceeded)
        expectError(String(repeating: "{% if true %}", count: 5000) + String(repeating: "{% endif %}", count: 5000), kind: .limitExceeded)
        expectError("{{ 1" + String(repeating: " if 1 else 1", count: 5000) + " }}", kind: .limitExceeded)
    }

    func testDeepestAllowedNestingRunsOnASmallStack() throws {
        // Servers render on secondary threads: the stack bound must hold inside a 1 MiB stack, even
        // where call depth and nesting multiply.
        let loops = String(repeating: "{% for x in [1] %}", count: 40) + "{{ f(n - 1) }}" + String(repeating: "{% endfor %}", count: 40)
        let sources = [
            "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(1000) }}",
            "{% macro f(n) %}{% if n > 0 %}" + loops + "{% endif %}{% endmacro %}{{ f(60) }}",
            "{{ " + String(repeating: "(", count: 25) + "1" + String(repeating: ")", count: 25) + " }}",
            String(repeating: "{% for x in [1] %}", count: 40) + "x" + String(repeating: "{% endfor %}", count: 40),
        ]
        final class Outcomes: @unchecked Sendable { var values: [String] = [] }
        let outcomes = Outcomes()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            for source in sources {
                do {
                    outcomes.values.append(try ChatTemplate(source: source).render(messages: [], addGenerationPrompt: false))
                } catch {
                    outcomes.values.append("\(error)")
                }
            }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        done.wait()
        XCTAssertEqual(outcomes.values.count, 4)
        XCTAssertTrue(outcomes.values[0].contains("exceeded a limit"), outcomes.values[0])
        XCTAssertTrue(outcomes.values[1].contains("exceeded a limit"), outcomes.values[1])
        XCTAssertEqual(outcomes.values[2], "1")
        XCTAssertEqual(outcomes.values[3], "x")
    }

    func testSyntaxErrorsNameLineAndColumn() throws {
        let cases: [(String, Int, Int)] = [
            ("line one\n{{ 1 + }}", 2, 8),
            ("{% if true %}\n\nunclosed", 3, 9),
            ("ok\n  {% unknowntag %}", 2, 6),
            ("{{ 'unterminated }}", 1, 4),
            ("a\n{# never closed", 2, 1),
        ]
        for (source, line, column) in cases {
            XCTAssertThrowsError(try ChatTemplate(source: source), source) { error in
                let e = error as? TemplateError
                XCTAssertEqual(e?.kind, .syntax, source)
                XCTAssertEqual(e?.line, line, "\(source.debugDescription): \(error)")
                XCTAssertEqual(e?.column, column, "\(source.debugDescription): \(error)")
            }
        }
    }

    func testRuntimeErrorsAreTypedAndLocated() throws {
        let template = try ChatTemplate(source: "{% for m in messages %}\n{{ raise_exception('roles must alternate') }}{% endfor %}")
        XCTAssertThrowsError(try template.render(messages: [["role": "user", "content": "x"]], addGenerationPrompt: true)) { error in
            let e = error as? TemplateError
            XCTAssertEqual(e?.kind, .raised)
            XCTAssertEqual(e?.message, "roles must alternate")
            XCTAssertEqual(e?.line, 2)
        }
        expectError("{{ messages[0]['role'] }}", kind: .runtime)
        expectError("{{ [].append(1) }}", kind: .runtime)
        expectError("{% include 'other.jinja' %}", kind: .unsupported)
        expectError("{{ 'x'|wordwrap }}", kind: .unsupported)
    }

    /// Truncations and mutations of the real templates either render or throw, within small bounds.
    func testTruncatedAndMutatedTemplatesRenderOrThrow() throws {
        let models = try XCTUnwrap(try FixtureTests.fixture("models").arrayValue)
        let conversation: [JSONValue] = [
            ["role": "system", "content": "sys"], ["role": "user", "content": "hi"],
            ["role": "assistant", "content": "a", "tool_calls": [["function": ["name": "f", "arguments": ["x": 1]]]]],
            ["role": "tool", "content": "r"],
        ]
        let tools: [JSONValue] = [["type": "function", "function": ["name": "f"]]]
        var generator = SplitMix64(seed: 0x5eed)
        let alphabet = Array("{}%#-+()[]'\".|~=!<>,: \nabcdefinorstl0123456789".unicodeScalars)
        var outcomes = (rendered: 0, failed: 0)
        func attempt(_ source: String) {
            do {
                _ = try ChatTemplate(source: source, limits: small)
                    .render(messages: conversation, tools: tools, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
                outcomes.rendered += 1
            } catch is TemplateError {
                outcomes.failed += 1
            } catch {
                XCTFail("unexpected error type \(error) for \(source.debugDescription)")
            }
        }
        for model in models {
            let scalars = Array(model["template"]!.stringValue!.unicodeScalars)
            for end in stride(from: 0, through: scalars.count, by: 7) {
                attempt(String(String.UnicodeScalarView(scalars[0..<end])))
            }
            for _ in 0..<300 {
                var mutated = scalars
                for _ in 0..<(1 + Int(generator.next() % 4)) {
                    let position = Int(generator.next() % UInt64(mutated.count))
                    let replacement = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                    switch generator.next() % 3 {
                    case 0: mutated.remove(at: position)
                    case 1: mutated.insert(replacement, at: position)
                    default: mutated[position] = replacement
                    }
                }
                attempt(String(String.UnicodeScalarView(mutated)))
            }
        }
        XCTAssertGreaterThan(outcomes.rendered, 50)
        XCTAssertGreaterThan(outcomes.failed, 50)
    }
}

/// A small seeded generator, so that the mutations are the same on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
