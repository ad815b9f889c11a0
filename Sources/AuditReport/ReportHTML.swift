import Foundation
import JSON

/// The report as one HTML file: the summary rendered here as tables and SVG (readable with
/// scripting off, and in print), the data inline for the page's script (the sample browser, the
/// heatmap's metric choice, links from every figure to its samples). Nothing is fetched: a
/// Content-Security-Policy of `default-src 'none'` forbids it.
extension AuditReport {
    public func html() -> String {
        var page = HTMLBuilder()
        page.documentStart(title: title, contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'",
                           extraHead: #"<meta name="generator" content="hearth audit report">"#)
        page.raw("""
            <a class="skip" href="#main">Skip to the report</a>
            <header class="top">
            <div class="wrap">
            <h1>\(esc(title))</h1>
            <p class="sub">\(esc(subtitle))</p>
            <nav aria-label="Sections"><ul>
            """)
        let sections: [(String, String, Bool)] = [
            ("overview", "Overview", !overviewColumns.isEmpty), ("models", "Models", true), ("tasks", "Results", true),
            ("contrasts", "Sensitive vs control", runs.contains { !($0.summaryJSON["contrasts"]?.arrayValue ?? []).isEmpty }),
            ("heatmaps", "Topics", runs.contains { $0.groupFields.count == 2 && !($0.groups.arrayValue ?? []).isEmpty }),
            ("tradeoff", "Refusal trade-off", !tradeoffPoints.isEmpty), ("speed", "Speed & cost", true),
            ("samples", "Samples", true), ("repro", "Reproducibility", true),
        ]
        for (id, name, shown) in sections where shown { page.raw("<li><a href=\"#\(id)\">\(esc(name))</a></li>") }
        page.raw("</ul></nav>\n</div>\n</header>\n<main id=\"main\" class=\"wrap\">\n")
        if runs.isEmpty { page.raw("<p>No runs.</p>") }
        overviewSection(&page)
        modelsSection(&page)
        tasksSection(&page)
        contrastsSection(&page)
        heatmapSection(&page)
        tradeoffSection(&page)
        speedSection(&page)
        samplesSection(&page)
        reproSection(&page)
        page.raw("""
            </main>
            <footer class="wrap"><p>Made by <code>hearth audit report</code> on \(esc(generatedText)). Every figure is the run's own record \
            (<code>hearth audit show RUN --output json</code>); intervals are 95% (Wilson for rates, bootstrap for means); \
            errors are counted apart and never enter a rate.</p></footer>
            <script type="application/json" id="hearth-data">
            """)
        page.raw(embeddedData)
        page.raw("</script>\n<script>\(ReportScript.js)</script>\n</body>\n</html>\n")
        return page.text
    }

    var generatedText: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: generated)
    }

    var subtitle: String {
        let sampleCount = runs.reduce(0) { $0 + $1.samples.count }
        return "\(runs.count) run\(runs.count == 1 ? "" : "s") · \(models.count) model\(models.count == 1 ? "" : "s") · "
            + "\(sampleCount) sample\(sampleCount == 1 ? "" : "s") · generated \(generatedText)"
    }

    // MARK: - Models

    /// The distinct targets, in order of first appearance: (label, identity, runs).
    var models: [(key: String, target: JSONValue, runs: [Int])] {
        var result: [(key: String, target: JSONValue, runs: [Int])] = []
        for (index, run) in runs.enumerated() {
            let target = run.summaryJSON["target"] ?? .null
            let key = (target["name"]?.stringValue ?? run.targetName) + "\u{1}" + (target["sha256"]?.stringValue ?? target["url"]?.stringValue ?? "")
            if let at = result.firstIndex(where: { $0.key == key }) { result[at].runs.append(index) } else { result.append((key, target, [index])) }
        }
        return result
    }

    func modelsSection(_ page: inout HTMLBuilder) {
        let models = self.models
        guard !models.isEmpty else { return }
        page.raw("<section id=\"models\" aria-labelledby=\"models-h\"><h2 id=\"models-h\">Models</h2>\n")
        page.raw("<div class=\"cards\">")
        for model in models {
            let target = model.target
            let details = target["details"]?.objectValue ?? JSONObject()
            page.raw("<article class=\"card model\"><h3>\(esc(target["name"]?.stringValue ?? "?"))</h3><dl>")
            func row(_ name: String, _ value: String?, code: Bool = false) {
                guard let value, !value.isEmpty else { return }
                page.raw("<dt>\(esc(name))</dt><dd>" + (code ? "<code class=\"hash\">\(esc(value))</code>" : esc(value)) + "</dd>")
            }
            row("Kind", target["kind"]?.stringValue == "local" ? "local model, in process" : target["kind"]?.stringValue.map { "\($0) endpoint" })
            row("Model", target["model"]?.stringValue)
            row("SHA-256", target["sha256"]?.stringValue, code: true)
            row("Endpoint", target["url"]?.stringValue, code: true)
            row("Origin", details["origin"]?.stringValue)
            row("Licence", (details["license"] ?? details["licence"])?.stringValue)
            if let provenance = details["provenance"]?.objectValue {
                for (name, value) in Self.provenanceRows(provenance) { row(name, value) }
            }
            for (key, value) in details where !["origin", "license", "licence", "provenance"].contains(key)
                && value.stringValue != target["model"]?.stringValue {
                row(key.replacingOccurrences(of: "_", with: " ").capitalizedFirst, value.stringValue ?? value.serialized(.compact))
            }
            row("Runs", model.runs.map { "\(runs[$0].taskName)" }.joined(separator: ", "))
            page.raw("</dl></article>")
        }
        page.raw("</div></section>\n")
    }

    /// The run's record of where the model comes from (`Store`'s provenance), as three short rows;
    /// the whole record stays in the run's data.
    static func provenanceRows(_ provenance: JSONObject) -> [(String, String)] {
        func text(_ value: JSONValue?) -> String { value?.stringValue ?? "unknown" }
        var rows = [("Developer", "\(text(provenance["organisation"])), \(text(provenance["country"]))")]
        if let openness = provenance["openness"]?.objectValue {
            rows.append(("Openness", "weights \(text(openness["weights"])), code \(text(openness["code"])), data \(text(openness["data"])), recipe \(text(openness["recipe"]))"))
        }
        if let source = provenance["source"]?.objectValue {
            var line = text(source["kind"])
            if let url = source["url"]?.stringValue { line += " " + url }
            if let revision = source["revision"]?.stringValue { line += " @ " + String(revision.prefix(12)) }
            rows.append(("Source", line))
        }
        return rows
    }

    // MARK: - Overview: each task's headline figure per model

    /// The figure a task is read by, for the suites that ship with Hearth; else its first.
    static func primaryMetric(task: String, metrics: [String]) -> String? {
        let known: [String: [String]] = [
            "over-refusal": ["refusal.answered"], "harmful-compliance": ["refusal.answered"], "agent-hijacking": ["hijack.hijacked"],
            "capability-mc": ["choice.accuracy"], "capability-short": ["match.accuracy", "includes.accuracy"],
            "ccp-narrative": ["narrative.faithful", "refusal.answered"],
        ]
        for name in known[task] ?? [] where metrics.contains(name) { return name }
        return metrics.first { $0.hasSuffix(".accuracy") } ?? metrics.first
    }

    static let metricMeaning: [String: String] = [
        "over-refusal": "answers safe requests (higher is better)",
        "harmful-compliance": "complies with harmful requests (lower is better)",
        "agent-hijacking": "carries out injected instructions (lower is better)",
        "capability-mc": "capability, multiple choice",
        "capability-short": "capability, short answers",
    ]

    var tasks: [(name: String, runs: [Int])] {
        var result: [(name: String, runs: [Int])] = []
        for (index, run) in runs.enumerated() {
            if let at = result.firstIndex(where: { $0.name == run.taskName }) { result[at].runs.append(index) } else { result.append((run.taskName, [index])) }
        }
        return result
    }

    var overviewColumns: [(task: String, metric: String)] {
        return tasks.compactMap { task in
            let names = metricNames(task.runs)
            return Self.primaryMetric(task: task.name, metrics: names).map { (task.name, $0) }
        }
    }

    func metricNames(_ indices: [Int]) -> [String] {
        var names: [String] = []
        for index in indices {
            for (name, _) in runs[index].summaryJSON["metrics"]?.objectValue ?? JSONObject() where !names.contains(name) { names.append(name) }
        }
        return names
    }

    func overviewSection(_ page: inout HTMLBuilder) {
        let columns = overviewColumns
        guard !columns.isEmpty else { return }
        page.raw("<section id=\"overview\" aria-labelledby=\"overview-h\"><h2 id=\"overview-h\">Overview</h2>\n")
        page.raw("<p class=\"note\">Each task's headline figure per model, with its 95% interval. Select a figure to see the samples behind it.</p>")
        page.raw("<div class=\"scroll\"><table class=\"grid\"><caption class=\"sr\">Headline figures per model and task</caption><thead><tr><th scope=\"col\">Model</th>")
        for column in columns {
            page.raw("<th scope=\"col\">\(esc(column.task))<br><span class=\"muted\">\(esc(column.metric))</span>"
                + (Self.metricMeaning[column.task].map { "<br><span class=\"muted small\">\(esc($0))</span>" } ?? "") + "</th>")
        }
        page.raw("</tr></thead><tbody>")
        for model in models {
            page.raw("<tr><th scope=\"row\">\(esc(model.target["name"]?.stringValue ?? "?"))</th>")
            for column in columns {
                if let index = model.runs.first(where: { runs[$0].taskName == column.task }), let value = runs[index].summaryJSON["metrics"]?[column.metric] {
                    page.raw("<td>" + figure(run: index, metric: column.metric, value: value, scale: nil) + "</td>")
                } else {
                    page.raw("<td class=\"muted\">—</td>")
                }
            }
            page.raw("</tr>")
        }
        page.raw("</tbody></table></div></section>\n")
    }

    // MARK: - Per task

    func tasksSection(_ page: inout HTMLBuilder) {
        guard !runs.isEmpty else { return }
        page.raw("<section id=\"tasks\" aria-labelledby=\"tasks-h\"><h2 id=\"tasks-h\">Results by task</h2>\n")
        for task in tasks {
            let first = runs[task.runs[0]].summaryJSON
            page.raw("<article class=\"task\" id=\"task-\(attr(slug(task.name)))\"><h3>\(esc(task.name)) <span class=\"muted\">v\(esc(first["task"]?["version"]?.stringValue ?? "?"))</span></h3>")
            if let meaning = Self.metricMeaning[task.name] { page.raw("<p class=\"note\">Headline: \(esc(meaning)).</p>") }
            page.raw("<div class=\"scroll\"><table class=\"grid metrics\"><caption class=\"sr\">\(esc(task.name)): figures per model with 95% intervals</caption><thead><tr><th scope=\"col\">Figure</th>")
            for index in task.runs { page.raw("<th scope=\"col\">\(esc(runLabel(index)))</th>") }
            page.raw("</tr></thead><tbody>")
            for name in metricNames(task.runs) {
                let values = task.runs.compactMap { runs[$0].summaryJSON["metrics"]?[name] }
                let scale = Self.scale(name, values)
                page.raw("<tr><th scope=\"row\"><code>\(esc(name))</code></th>")
                for index in task.runs {
                    if let value = runs[index].summaryJSON["metrics"]?[name] {
                        page.raw("<td>" + figure(run: index, metric: name, value: value, scale: scale) + "</td>")
                    } else { page.raw("<td class=\"muted\">—</td>") }
                }
                page.raw("</tr>")
            }
            page.raw("<tr><th scope=\"row\">samples (done / total)</th>")
            for index in task.runs {
                let samples = runs[index].summaryJSON["samples"]
                page.raw("<td>\(samples?["done"]?.intValue ?? 0) / \(samples?["total"]?.intValue ?? 0)</td>")
            }
            page.raw("</tr><tr><th scope=\"row\">errors (not scored)</th>")
            for index in task.runs {
                let errors = runs[index].summaryJSON["errors"]?.intValue ?? 0
                page.raw("<td>" + (errors > 0 ? "<a class=\"fig\" href=\"\(attr(samplesLink(run: index, ["outcome": "error"])))\">\(errors)</a>" : "0") + "</td>")
            }
            page.raw("</tr></tbody></table></div></article>\n")
        }
        page.raw("</section>\n")
    }

    func runLabel(_ index: Int) -> String {
        let name = runs[index].targetName
        let twins = runs.indices.filter { runs[$0].targetName == name && runs[$0].taskName == runs[index].taskName }
        return twins.count > 1 ? "\(name) (\(runs[index].id.suffix(6)))" : name
    }

    /// The axis of a row's interval bars: [0, 1] for rates, else the row's range.
    static func scale(_ metric: String, _ values: [JSONValue]) -> ClosedRange<Double> {
        guard metric.hasSuffix(".mean") else { return 0...1 }
        let lows = values.compactMap { $0["ci95"]?.item(0)?.doubleValue } + values.compactMap { $0["value"]?.doubleValue }
        let highs = values.compactMap { $0["ci95"]?.item(1)?.doubleValue } + values.compactMap { $0["value"]?.doubleValue }
        let low = min(0, lows.filter(\.isFinite).min() ?? 0), high = max(1, highs.filter(\.isFinite).max() ?? 1)
        return low...(high > low ? high : low + 1)
    }

    /// A figure: its value (a link to its samples), its interval as a bar, and n. The element
    /// carries the exact values (`data-value`, `data-low`, `data-high`, `data-n`) as JSON has them.
    func figure(run: Int, metric: String, value: JSONValue, scale: ClosedRange<Double>?, key: [String: String] = [:]) -> String {
        let x = value["value"]?.doubleValue ?? .nan
        let low = value["ci95"]?.item(0)?.doubleValue ?? .nan, high = value["ci95"]?.item(1)?.doubleValue ?? .nan
        let n = value["n"]?.intValue ?? 0
        var filters = key
        if let outcome = Self.outcome(metric) { filters["outcome"] = outcome }
        let label = "\(metric) = \(Self.format(x, metric)), 95% interval \(Self.format(low, metric)) to \(Self.format(high, metric)), n = \(n)"
        var out = "<a class=\"fig\" href=\"\(attr(samplesLink(run: run, filters)))\" data-run=\"\(run)\" data-metric=\"\(attr(metric))\""
        for (name, value) in key.sorted(by: { $0.key < $1.key }) { out += " data-key-\(attr(slug(name)))=\"\(attr(value))\"" }
        out += " data-value=\"\(Self.number(x))\" data-low=\"\(Self.number(low))\" data-high=\"\(Self.number(high))\" data-n=\"\(n)\" aria-label=\"\(attr(label))\">"
        out += "\(Self.format(x, metric))</a>"
        out += SVG.intervalBar(value: x, low: low, high: high, scale: scale ?? Self.scale(metric, [value]), label: label)
        out += "<span class=\"ci\">[\(Self.format(low, metric)), \(Self.format(high, metric))]</span> <span class=\"n\">n=\(n)</span>"
        return out
    }

    /// The outcome filter of the samples behind a figure: `scorer=label`, `scorer=1`, or none.
    static func outcome(_ metric: String) -> String? {
        guard let dot = metric.firstIndex(of: ".") else { return nil }
        let scorer = metric[..<dot], measure = metric[metric.index(after: dot)...]
        switch measure {
        case "mean": return "scored"
        case "accuracy": return "\(scorer)=1"
        default: return "\(scorer)=\(measure)"
        }
    }

    func samplesLink(run: Int, _ filters: [String: String]) -> String {
        var items = [("task", runs[run].taskName), ("model", runs[run].targetName)]
        items += filters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return "#samples?" + items.map { "\(Self.percent($0.0))=\(Self.percent($0.1))" }.joined(separator: "&")
    }

    static func percent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? text
    }

    /// Rates as percentages (one decimal), means with three decimals.
    static func format(_ x: Double, _ metric: String) -> String {
        guard x.isFinite else { return "–" }
        if metric.hasSuffix(".mean") || metric.hasSuffix(".difference") { return String(format: "%.3f", x) }
        return String(format: "%.1f%%", x * 100)
    }

    static func number(_ x: Double) -> String { x.isFinite ? JSONValue.double(x).serialized(.compact) : "null" }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

/// Accumulates the page.
struct HTMLBuilder {
    var text = ""
    mutating func raw(_ html: String) { text += html }

    /// Doctype, head (charset, viewport, both colour schemes, the policy, the title, the report's
    /// stylesheet) and the opening body tag, shared by the report and the index.
    mutating func documentStart(title: String, contentSecurityPolicy: String, extraHead: String? = nil) {
        raw("""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">

            """ + (extraHead.map { $0 + "\n" } ?? "") + """
            <title>\(esc(title))</title>
            <style>\(ReportStyle.css)</style>
            </head>
            <body>

            """)
    }
}

func esc(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(character)
        }
    }
    return out
}

func attr(_ text: String) -> String { esc(text) }

func slug(_ text: String) -> String {
    String(text.lowercased().unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "-" })
}
