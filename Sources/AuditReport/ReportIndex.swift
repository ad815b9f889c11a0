import AuditLog
import Foundation

/// The index page `hearth audit view` serves: every run in the database, each linking to its
/// report, with checkboxes to open several runs side by side. No script needed.
public enum ReportIndex {
    public static func html(runs: [RunRow], databasePath: String) -> String {
        let formatter = ISO8601DateFormatter()
        var page = HTMLBuilder()
        page.documentStart(title: "Hearth audit runs", contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
        page.raw("""
            <header class="top"><div class="wrap"><h1>Hearth audit runs</h1><p class="sub">\(runs.count) run\(runs.count == 1 ? "" : "s") in <code>\(esc(databasePath))</code></p></div></header>
            <main id="main" class="wrap">
            """)
        if runs.isEmpty {
            page.raw("<p>No runs yet: <code>hearth audit run</code> makes one.</p>")
        } else {
            page.raw("<form method=\"get\" action=\"/report\"><p class=\"note\">Open one run, or tick several (the same suites on different models, say) and compare them in one report.</p>")
            page.raw("<div class=\"scroll\"><table class=\"grid\"><caption class=\"sr\">Runs</caption><thead><tr><th scope=\"col\">Select</th><th scope=\"col\">Run</th><th scope=\"col\">Created</th><th scope=\"col\">Task</th><th scope=\"col\">Model</th><th scope=\"col\">Done</th><th scope=\"col\">Errors</th></tr></thead><tbody>")
            for run in runs.reversed() {
                page.raw("<tr><td><input type=\"checkbox\" name=\"run\" value=\"\(attr(run.id))\" id=\"r-\(attr(run.id))\" aria-label=\"select run \(attr(run.id))\"></td>")
                page.raw("<td><a href=\"/run/\(attr(run.id))\">\(esc(run.id))</a></td><td>\(esc(formatter.string(from: run.createdAt)))</td>")
                page.raw("<td>\(esc(run.taskName)) <span class=\"muted\">v\(esc(run.taskVersion))</span></td><td>\(esc(run.targetName))</td>")
                page.raw("<td>\(run.done) / \(run.sampleCount)</td><td>\(run.errors)</td></tr>")
            }
            page.raw("</tbody></table></div><p><button type=\"submit\">Report on the selected runs</button></p></form>")
        }
        page.raw("</main>\n</body>\n</html>\n")
        return page.text
    }
}
