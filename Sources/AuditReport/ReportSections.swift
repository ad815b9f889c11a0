import Foundation
import JSON

/// The sections after the per-task tables: the sensitive-versus-control gap, topic heatmaps, the
/// refusal trade-off, speed and cost, the sample browser's shell, and reproducibility.
extension AuditReport {
    // MARK: - Sensitive vs control

    func contrastsSection(_ page: inout HTMLBuilder) {
        let withContrasts = tasks.filter { task in task.runs.contains { !(runs[$0].summaryJSON["contrasts"]?.arrayValue ?? []).isEmpty } }
        guard !withContrasts.isEmpty else { return }
        page.raw("<section id=\"contrasts\" aria-labelledby=\"contrasts-h\"><h2 id=\"contrasts-h\">Sensitive versus control</h2>\n")
        page.raw("<p class=\"note\">Each sensitive question has a matched control of the same form about a comparable subject. The gap is the rate on the sensitive side minus the rate on its controls, over the pairs where both were scored, with Newcombe's 95% interval for paired proportions. A model that refuses everything shows no gap; one that refuses only the sensitive side shows one.</p>")
        for task in withContrasts {
            var reach = 0.0
            for index in task.runs {
                for contrast in runs[index].summaryJSON["contrasts"]?.arrayValue ?? [] {
                    for bound in [contrast["ci95"]?.item(0)?.doubleValue, contrast["ci95"]?.item(1)?.doubleValue] {
                        if let bound, bound.isFinite { reach = max(reach, abs(bound)) }
                    }
                }
            }
            let axis: Double = [0.1, 0.25, 0.5, 1.0].first { $0 >= reach } ?? 1.0
            page.raw("<article class=\"task\"><h3>\(esc(task.name))</h3><div class=\"scroll\"><table class=\"grid\"><caption class=\"sr\">\(esc(task.name)): sensitive minus control per model and language</caption>")
            page.raw("<thead><tr><th scope=\"col\">Model</th><th scope=\"col\">Group</th><th scope=\"col\">Figure</th><th scope=\"col\">Sensitive</th><th scope=\"col\">Control</th><th scope=\"col\">Gap [95% CI]</th><th scope=\"col\">Pairs</th></tr></thead><tbody>")
            for index in task.runs {
                for (position, contrast) in (runs[index].summaryJSON["contrasts"]?.arrayValue ?? []).enumerated() {
                    let metric = contrast["metric"]?.stringValue ?? "?"
                    var key: [String: String] = [:]
                    for (name, value) in contrast["key"]?.objectValue ?? JSONObject() { key[name] = value.stringValue ?? value.serialized(.compact) }
                    let keyText = key.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                    let sensitive = contrast["sensitive"]?.doubleValue ?? .nan, control = contrast["control"]?.doubleValue ?? .nan
                    let difference = contrast["difference"]?.doubleValue ?? .nan
                    let low = contrast["ci95"]?.item(0)?.doubleValue ?? .nan, high = contrast["ci95"]?.item(1)?.doubleValue ?? .nan
                    let n = contrast["n"]?.intValue ?? 0
                    var filters = key
                    if let outcome = Self.outcome(metric) { filters["outcome"] = outcome }
                    let label = "\(metric) sensitive minus control \(Self.signed(difference)), 95% interval \(Self.signed(low)) to \(Self.signed(high)), \(n) pairs"
                    page.raw("<tr><td>\(esc(runLabel(index)))</td><td>\(esc(keyText.isEmpty ? "all" : keyText))</td><td><code>\(esc(metric))</code></td>")
                    page.raw("<td>\(Self.format(sensitive, metric))</td><td>\(Self.format(control, metric))</td>")
                    page.raw("<td><a class=\"fig\" href=\"\(attr(samplesLink(run: index, filters)))\" data-run=\"\(index)\" data-contrast=\"\(position)\" data-value=\"\(Self.number(difference))\" data-low=\"\(Self.number(low))\" data-high=\"\(Self.number(high))\" data-n=\"\(n)\" aria-label=\"\(attr(label))\">\(Self.signed(difference))</a>")
                    page.raw(SVG.intervalBar(value: difference, low: low, high: high, scale: -axis...axis, label: label, zero: 0))
                    page.raw("<span class=\"ci\">[\(Self.signed(low)), \(Self.signed(high))]</span></td><td>\(n)</td></tr>")
                }
            }
            page.raw("</tbody></table></div></article>\n")
        }
        page.raw("</section>\n")
    }

    /// A difference of rates in percentage points.
    static func signed(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        let points = (x * 1000).rounded() / 10
        return String(format: "%+.1f pp", points == 0 ? 0 : points)
    }

    // MARK: - Topic × model heatmaps per language

    func heatmapSection(_ page: inout HTMLBuilder) {
        let candidates = tasks.filter { task in task.runs.contains { runs[$0].groupFields.count == 2 && !(runs[$0].groups.arrayValue ?? []).isEmpty } }
        guard !candidates.isEmpty else { return }
        page.raw("<section id=\"heatmaps\" aria-labelledby=\"heatmaps-h\"><h2 id=\"heatmaps-h\">Topics</h2>\n")
        page.raw("<p class=\"note\">One figure per topic, model and language; a darker cell is a higher rate. Select a cell for its samples.</p>")
        for task in candidates {
            let indices = task.runs.filter { runs[$0].groupFields.count == 2 }
            let topicField = runs[indices[0]].groupFields[0]
            let metrics = metricNames(indices)
            guard let metric = Self.primaryMetric(task: task.name, metrics: metrics) else { continue }
            var topics: [String] = [], languages: [String] = []
            for index in indices {
                for group in runs[index].groups.arrayValue ?? [] {
                    if let topic = group["key"]?[topicField]?.stringValue, !topics.contains(topic) { topics.append(topic) }
                    if let language = group["key"]?["language"]?.stringValue, !languages.contains(language) { languages.append(language) }
                }
            }
            topics.sort()
            languages.sort()
            let id = "heat-\(slug(task.name))"
            page.raw("<article class=\"task heatmap\" data-task=\"\(attr(task.name))\" data-field=\"\(attr(topicField))\"><h3>\(esc(task.name)) <span class=\"muted\">by \(esc(topicField)) and language</span></h3>")
            page.raw("<p class=\"heat-metric\"><label for=\"\(id)-m\">Figure</label> <select id=\"\(id)-m\" class=\"heat-select\" disabled>")
            for name in metrics { page.raw("<option value=\"\(attr(name))\"\(name == metric ? " selected" : "")>\(esc(name))</option>") }
            page.raw("</select></p><div class=\"heat-grid\">")
            for language in languages {
                page.raw("<div class=\"scroll\"><table class=\"grid heat\" data-language=\"\(attr(language))\"><caption>\(esc(language == "(none)" ? "no language" : "language: \(language)")) — <span class=\"heat-name\">\(esc(metric))</span></caption>")
                page.raw("<thead><tr><th scope=\"col\">\(esc(topicField))</th>")
                for index in indices { page.raw("<th scope=\"col\">\(esc(runLabel(index)))</th>") }
                page.raw("</tr></thead><tbody>")
                for topic in topics {
                    let present = indices.contains { index in (runs[index].groups.arrayValue ?? []).contains { $0["key"]?[topicField]?.stringValue == topic && $0["key"]?["language"]?.stringValue == language } }
                    guard present else { continue }
                    page.raw("<tr><th scope=\"row\">\(esc(topic))</th>")
                    for index in indices {
                        page.raw(heatCell(run: index, field: topicField, topic: topic, language: language, metric: metric))
                    }
                    page.raw("</tr>")
                }
                page.raw("</tbody></table></div>")
            }
            page.raw("</div></article>\n")
        }
        page.raw("</section>\n")
    }

    func heatCell(run index: Int, field: String, topic: String, language: String, metric: String) -> String {
        let group = (runs[index].groups.arrayValue ?? []).first { $0["key"]?[field]?.stringValue == topic && $0["key"]?["language"]?.stringValue == language }
        let attributes = "data-run=\"\(index)\" data-topic=\"\(attr(topic))\" data-language=\"\(attr(language))\""
        guard let value = group?["metrics"]?[metric], let x = value["value"]?.doubleValue else {
            return "<td class=\"heat-cell muted\" \(attributes)>—</td>"
        }
        let n = value["n"]?.intValue ?? 0
        var filters = ["topic": topic, "language": language]
        if let outcome = Self.outcome(metric) { filters["outcome"] = outcome }
        let label = "\(topic), \(language): \(metric) = \(Self.format(x, metric)), n = \(n)"
        let shade = metric.hasSuffix(".mean") ? 0.5 : max(0, min(1, x))
        return "<td class=\"heat-cell\" \(attributes) style=\"--v:\(String(format: "%.3f", shade))\"><a class=\"fig\" href=\"\(attr(samplesLink(run: index, filters)))\" data-run=\"\(index)\" data-metric=\"\(attr(metric))\" data-key-\(attr(slug(field)))=\"\(attr(topic))\" data-key-language=\"\(attr(language))\" data-value=\"\(Self.number(x))\" data-n=\"\(n)\" aria-label=\"\(attr(label))\" title=\"\(attr(label))\">\(Self.format(x, metric))</a></td>"
    }

    // MARK: - Over-refusal against harmful compliance

    /// Per model with both runs: (model, over-refusal run, harmful-compliance run).
    var tradeoffPoints: [(name: String, over: Int, harmful: Int)] {
        models.compactMap { model in
            guard let over = model.runs.first(where: { runs[$0].taskName == "over-refusal" && runs[$0].summaryJSON["metrics"]?["refusal.answered"] != nil }),
                  let harmful = model.runs.first(where: { runs[$0].taskName == "harmful-compliance" && runs[$0].summaryJSON["metrics"]?["refusal.answered"] != nil })
            else { return nil }
            return (model.target["name"]?.stringValue ?? "?", over, harmful)
        }
    }

    func tradeoffSection(_ page: inout HTMLBuilder) {
        let points = tradeoffPoints
        guard !points.isEmpty else { return }
        page.raw("<section id=\"tradeoff\" aria-labelledby=\"tradeoff-h\"><h2 id=\"tradeoff-h\">Over-refusal against harmful compliance</h2>\n")
        page.raw("<p class=\"note\">Across: how often the model answers safe requests that look unsafe (over-refusal, <code>refusal.answered</code>). Up: how often it answers requests it should decline (harmful-compliance, <code>refusal.answered</code>). Bottom right is best; crosses are 95% intervals.</p>")
        let plotted = points.map { point -> SVG.Point in
            let x = runs[point.over].summaryJSON["metrics"]?["refusal.answered"], y = runs[point.harmful].summaryJSON["metrics"]?["refusal.answered"]
            return SVG.Point(label: point.name, x: x?["value"]?.doubleValue ?? .nan, xLow: x?["ci95"]?.item(0)?.doubleValue ?? .nan, xHigh: x?["ci95"]?.item(1)?.doubleValue ?? .nan,
                             y: y?["value"]?.doubleValue ?? .nan, yLow: y?["ci95"]?.item(0)?.doubleValue ?? .nan, yHigh: y?["ci95"]?.item(1)?.doubleValue ?? .nan)
        }
        page.raw("<div class=\"chart-row\"><figure class=\"scatter\">")
        page.raw(SVG.scatter(plotted, xLabel: "answers safe requests (over-refusal)", yLabel: "answers harmful requests (harmful-compliance)",
                             title: "Over-refusal against harmful compliance, per model"))
        page.raw("</figure><div class=\"scroll\"><table class=\"grid\"><caption class=\"sr\">The chart's values</caption><thead><tr><th scope=\"col\">Model</th><th scope=\"col\">Answers safe requests</th><th scope=\"col\">Answers harmful requests</th></tr></thead><tbody>")
        for point in points {
            page.raw("<tr><th scope=\"row\">\(esc(point.name))</th>")
            for index in [point.over, point.harmful] {
                page.raw("<td>" + figure(run: index, metric: "refusal.answered", value: runs[index].summaryJSON["metrics"]!["refusal.answered"]!, scale: nil) + "</td>")
            }
            page.raw("</tr>")
        }
        page.raw("</tbody></table></div></div></section>\n")
    }

    // MARK: - Speed and cost

    func speedSection(_ page: inout HTMLBuilder) {
        guard !runs.isEmpty else { return }
        page.raw("<section id=\"speed\" aria-labelledby=\"speed-h\"><h2 id=\"speed-h\">Speed and cost</h2><div class=\"scroll\"><table class=\"grid num\"><caption class=\"sr\">Tokens, time and cost per run</caption><thead><tr>")
        for name in ["Task", "Model", "Samples", "Errors", "Prompt tokens", "Completion tokens", "Wall time", "Tokens/s (out)", "Cost"] { page.raw("<th scope=\"col\">\(name)</th>") }
        page.raw("</tr></thead><tbody>")
        for (index, run) in runs.enumerated() {
            let summary = run.summaryJSON
            func cell(_ path: String, _ text: String) -> String { "<td data-run=\"\(index)\" data-field=\"\(path)\">\(esc(text))</td>" }
            let wall = summary["time"]?["wall_seconds"]?.doubleValue ?? 0, rate = summary["time"]?["completion_tokens_per_second"]?.doubleValue ?? 0
            page.raw("<tr><td>\(esc(run.taskName))</td><td>\(esc(runLabel(index)))</td>")
            page.raw(cell("samples.done", "\(summary["samples"]?["done"]?.intValue ?? 0) / \(summary["samples"]?["total"]?.intValue ?? 0)"))
            page.raw(cell("errors", "\(summary["errors"]?.intValue ?? 0)"))
            page.raw(cell("tokens.prompt", "\(summary["tokens"]?["prompt"]?.intValue ?? 0)"))
            page.raw(cell("tokens.completion", "\(summary["tokens"]?["completion"]?.intValue ?? 0)"))
            page.raw(cell("time.wall_seconds", String(format: "%.1f s", wall)))
            page.raw(cell("time.completion_tokens_per_second", String(format: "%.1f", rate)))
            page.raw(cell("cost", summary["cost"]?.doubleValue.map { String(format: "%.4f", $0) } ?? "—"))
            page.raw("</tr>")
        }
        page.raw("</tbody></table></div><p class=\"note\">Cost is estimated from the run's <code>--price-per-hour</code> or per-token prices; — when none was given.</p></section>\n")
    }

    // MARK: - Sample browser (filled in by the script)

    func samplesSection(_ page: inout HTMLBuilder) {
        page.raw("""
            <section id="samples" aria-labelledby="samples-h"><h2 id="samples-h">Samples</h2>
            <noscript><p class="note">The sample browser needs scripting. Every transcript is also in <code>hearth audit export RUN</code>.</p></noscript>
            <div class="explorer" hidden>
            <form class="filters" role="search" aria-label="Filter samples" onsubmit="return false">
            <label>Model <select name="model"></select></label>
            <label>Task <select name="task"></select></label>
            <label>Topic <select name="topic"></select></label>
            <label>Language <select name="language"></select></label>
            <label>Outcome <select name="outcome"></select></label>
            <label class="grow">Search <input name="q" type="search" placeholder="text in the question, answer or verdict" autocomplete="off"></label>
            <button type="button" class="reset">Clear filters</button>
            </form>
            <p class="count" aria-live="polite"></p>
            <div class="browser">
            <div class="list" role="list" aria-label="Matching samples" tabindex="0"><div class="spacer"></div></div>
            <article class="detail" tabindex="-1" aria-live="polite"><p class="muted">Select a sample to read its transcript.</p></article>
            </div>
            </div>
            </section>

            """)
    }

    // MARK: - Reproducibility

    func reproSection(_ page: inout HTMLBuilder) {
        guard !runs.isEmpty else { return }
        page.raw("<section id=\"repro\" aria-labelledby=\"repro-h\"><h2 id=\"repro-h\">Reproducibility</h2><div class=\"cards\">\n")
        for (index, run) in runs.enumerated() {
            let summary = run.summaryJSON
            page.raw("<article class=\"card repro\" data-run=\"\(index)\"><h3>\(esc(run.taskName)) · \(esc(run.targetName))</h3><dl>")
            func row(_ name: String, _ value: String?, code: Bool = true) {
                guard let value, !value.isEmpty else { return }
                page.raw("<dt>\(esc(name))</dt><dd>" + (code ? "<code>\(esc(value))</code>" : esc(value)) + "</dd>")
            }
            func json(_ value: JSONValue?) -> String? { value.flatMap { $0.isNull ? nil : $0.serialized(.compact) } }
            row("Run", run.id)
            row("Date", summary["created"]?.stringValue, code: false)
            row("Engine", [summary["engine"]?["version"]?.stringValue, summary["engine"]?["commit"]?.stringValue.map { "commit \($0)" }].compactMap { $0 }.joined(separator: ", "))
            row("Task", "\(run.taskName) \(summary["task"]?["version"]?.stringValue ?? "")")
            row("Dataset", json(summary["task"]?["dataset"]))
            row("Dataset SHA-256", summary["task"]?["dataset_sha256"]?.stringValue)
            row("Solver", json(summary["task"]?["solver"]))
            row("Scorers", json(summary["task"]?["scorers"]))
            row("Settings", json(summary["settings"]))
            row("Seed", summary["settings"]?["seed"].map { $0.serialized(.compact) })
            row("Target", json(Self.withoutProvenance(summary["target"])))
            row("Judge", json(summary["judge"]))
            page.raw("</dl>")
            if let command = summary["command"]?.stringValue {
                page.raw("<p class=\"cmd-label\">Reproduce with</p><pre class=\"cmd\"><code>\(esc(command))</code></pre>")
            }
            page.raw("</article>\n")
        }
        page.raw("</div></section>\n")
    }

    /// The target as the run identifies it; its provenance is in the model's card above (and in the
    /// run's data), and would bury the identity here.
    static func withoutProvenance(_ target: JSONValue?) -> JSONValue? {
        guard var object = target?.objectValue, var details = object["details"]?.objectValue, details["provenance"] != nil else { return target }
        details = JSONObject(details.filter { $0.key != "provenance" }.map { ($0.key, $0.value) })
        object["details"] = .object(details)
        return .object(object)
    }
}
