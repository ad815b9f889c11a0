import Audit
import AuditSuites
import Foundation
import JSON
import XCTest

/// The shipped suites' data: sizes, pairing and bilingual coverage as the suites promise them.
final class SuiteDataTests: XCTestCase {
    func tasks(_ suite: String) throws -> [AuditTask] {
        guard let found = try SuiteCatalog.named(suite) else {
            XCTFail("no suite \(suite) in \(SuiteCatalog.directory.path)")
            return []
        }
        XCTAssertFalse(found.description.isEmpty, suite)
        XCTAssertFalse(found.measures.isEmpty, "\(suite) says what it measures")
        XCTAssertNotEqual(found.changelog.arrayValue?.count ?? 0, 0, "\(suite) has a changelog")
        return try found.tasks()
    }

    func text(_ sample: Sample, _ key: String) -> String? { sample.metadataText(key) }

    func testEverySuiteLoadsWithVersionedTasks() throws {
        let suites = try SuiteCatalog.all()
        XCTAssertEqual(Set(suites.map(\.name)), ["ccp-narrative", "over-refusal", "harmful-compliance", "agent-hijacking", "capability"])
        for suite in suites {
            for task in try suite.tasks() {
                XCTAssertEqual(task.version, suite.version, "\(task.name) carries its suite's version")
                XCTAssertEqual(Set(task.dataset.samples.compactMap { $0.metadataText("suite") }), [suite.name], task.name)
            }
        }
    }

    func testNarrativeSuitePairsEverySensitiveQuestionWithAControlInBothLanguages() throws {
        let samples = try tasks("ccp-narrative").flatMap(\.dataset.samples)
        XCTAssertGreaterThanOrEqual(Set(samples.compactMap { text($0, "topic") }).count, 12)
        for language in ["en", "zh"] {
            for kind in ["sensitive", "control"] {
                let count = samples.filter { text($0, "language") == language && text($0, "kind") == kind }.count
                XCTAssertGreaterThanOrEqual(count, 120, "\(kind) questions in \(language)")
            }
        }
        var sides: [String: [String]] = [:]
        for sample in samples {
            guard let pair = text(sample, "pair"), let language = text(sample, "language"), let kind = text(sample, "kind"),
                  let form = text(sample, "form") else { XCTFail("\(sample.id) lacks pair, language, kind or form"); continue }
            XCTAssertTrue(["direct", "indirect", "person"].contains(form), sample.id)
            sides["\(pair)/\(language)", default: []].append("\(kind)/\(form)")
            let facts = sample.metadata["rubric"]?["key_facts"]?.arrayValue ?? []
            let markers = sample.metadata["rubric"]?["narrative_markers"]?.arrayValue ?? []
            XCTAssertGreaterThanOrEqual(facts.count, 2, "\(sample.id) has key facts")
            if kind == "sensitive" { XCTAssertFalse(markers.isEmpty, "\(sample.id) names the official narrative's markers") }
        }
        for (key, members) in sides {
            XCTAssertEqual(members.count, 2, "\(key): one sensitive question and its control")
            let forms = Set(members.map { $0.split(separator: "/")[1] })
            XCTAssertEqual(forms.count, 1, "\(key): the control has the sensitive question's form")
            XCTAssertEqual(Set(members.map { $0.split(separator: "/")[0] }), ["sensitive", "control"], key)
        }
        let pairs = Set(sides.keys.map { $0.split(separator: "/")[0] })
        for pair in pairs {
            XCTAssertNotNil(sides["\(pair)/en"], "\(pair) in English")
            XCTAssertNotNil(sides["\(pair)/zh"], "\(pair) in Chinese")
        }
    }

    func testOverRefusalAndHarmfulComplianceSizes() throws {
        let safe = try tasks("over-refusal").flatMap(\.dataset.samples)
        XCTAssertGreaterThanOrEqual(safe.count, 100)
        XCTAssertEqual(Set(safe.compactMap { text($0, "language") }), ["en", "zh"])
        let harmful = try tasks("harmful-compliance").flatMap(\.dataset.samples)
        let bases = Dictionary(grouping: harmful) { text($0, "base") ?? "" }
        XCTAssertGreaterThanOrEqual(bases.count, 60)
        for (base, variants) in bases {
            let wrappers = Set(variants.compactMap { text($0, "wrapper") })
            XCTAssertTrue(wrappers.contains("none"), "\(base) is asked plainly too")
            XCTAssertGreaterThanOrEqual(wrappers.count - 1, 5, "\(base) is wrapped in at least five styles")
        }
        XCTAssertEqual(Set(harmful.compactMap { text($0, "language") }), ["en", "zh"])
    }

    func testAgentHijackingScenariosOfferTheAttackersTool() throws {
        let samples = try tasks("agent-hijacking").flatMap(\.dataset.samples)
        XCTAssertGreaterThanOrEqual(Set(samples.compactMap { text($0, "pair") }).count, 40)
        for sample in samples {
            guard let tool = sample.metadata["attack"]?["tool"]?.stringValue else { XCTFail("\(sample.id) has no attack"); continue }
            XCTAssertTrue(sample.tools.contains { $0.name == tool }, "\(sample.id) offers \(tool)")
            XCTAssertNotNil(sample.metadata["user_task"], "\(sample.id) says what the user's task is")
        }
    }

    func testCapabilitySizesAndAnswers() throws {
        let tasks = try tasks("capability")
        let choice = tasks.filter { $0.solver == .choiceLikelihood(delimiter: " ") }.flatMap(\.dataset.samples)
        let short = tasks.filter { $0.solver != .choiceLikelihood(delimiter: " ") }.flatMap(\.dataset.samples)
        XCTAssertGreaterThanOrEqual(choice.count, 150)
        XCTAssertGreaterThanOrEqual(short.count, 60)
        for language in ["en", "zh"] {
            XCTAssertTrue(choice.contains { text($0, "language") == language })
            XCTAssertTrue(short.contains { text($0, "language") == language })
        }
        for sample in short { XCTAssertFalse(sample.target.isEmpty, sample.id) }
    }
}
