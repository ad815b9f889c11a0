import Foundation
import XCTest
@testable import ChatTemplates

/// A render must release everything it built. Macros and recursive loops close over a scope that
/// also holds them, a reference cycle that leaked every value of each render (the whole
/// conversation, in a server, request after request) until the interpreter cut it at the end;
/// found by the template fuzzer (Fuzz/regressions/template/macro-closure-cycle-leak).
final class TemplateMemoryTests: XCTestCase {
    private func releasesEverything(_ source: String, expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let limits = RenderLimits.standard
        var parser = try Parser(source: source, maximumDepth: limits.maximumNesting, maximumStackBytes: limits.maximumStackBytes)
        let body = try parser.parseTemplate()
        weak var globals: Scope?
        try {
            let scope = Scope(parent: nil)
            scope.variables = ChatTemplate.builtinGlobals()
            globals = scope
            let interpreter = Interpreter(limits: limits, lexer: parser.lexerForPositions)
            XCTAssertEqual(try interpreter.render(body, globals: scope), expected, file: file, line: line)
        }()
        XCTAssertNil(globals, "the render's scopes outlived it: \(source)", file: file, line: line)
    }

    func testMacrosAndCallBlocksReleaseTheirScopes() throws {
        try releasesEverything("{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inside{% endcall %}",
                               expected: "<inside>")
        try releasesEverything("{% macro m(x) %}{{ x }}{% endmacro %}{% for i in range(2) %}{{ m(i) }}{% endfor %}", expected: "01")
    }

    func testRecursiveLoopsReleaseTheirScopes() throws {
        try releasesEverything("{% set ns = namespace(l=none) %}{% for x in [[1], 2] recursive %}{% set ns.l = loop %}"
                               + "{% if x is iterable %}{{ loop(x) }}{% else %}{{ x }}{% endif %}{% endfor %}", expected: "12")
    }

    /// A function taken from `loop` outlives the loop; it must still work (it held the loop
    /// unowned, and calling it after the loop ended read freed memory).
    func testLoopFunctionsOutliveTheLoop() throws {
        try releasesEverything("{% set ns = namespace(f=none) %}{% for x in [1, 2] %}{% set ns.f = loop.cycle %}{% endfor %}"
                               + "{{ ns.f('a', 'b') }}", expected: "b")
    }
}
