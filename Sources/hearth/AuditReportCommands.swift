import ArgumentParser
import AuditLog
import AuditReport
import Foundation
import Hummingbird
import Logging

struct AuditReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "One self-contained HTML page on one or more runs: figures with intervals, charts, every transcript.",
        discussion: """
        The page has everything inline (styles, script, charts, data) and requests nothing from any
        network, so it can be mailed, archived next to a decision and opened offline. Give several
        runs (the same suites on different models) to see them side by side.

        Examples:
          hearth audit report last -o report.html
          hearth audit report RUN_A RUN_B RUN_C -o models.html
        """
    )

    @Argument(help: ArgumentHelp("Runs: ids, unique parts of ids, or 'last'.", valueName: "run"))
    var runs: [String]

    @Option(name: [.short, .long], help: "The HTML file to write (default: standard output).")
    var output: String?

    @Option(name: .long, help: "A title for the page.")
    var title: String?

    @Option(name: .long, help: "Keep a sample's request and response bodies when they take at most this many bytes.")
    var requestBytes: Int = AuditReport.defaultRequestBytes

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("give at least one run") }
    }

    func run() throws {
        let database = try AuditDatabase()
        let report = try AuditReport(runs: runs, database: database, requestBytes: requestBytes, title: title)
        let html = report.html()
        if let output {
            do {
                try Data(html.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CLIError("cannot write \(output): \(error.localizedDescription)")
            }
            let samples = report.runs.reduce(0) { $0 + $1.samples.count }
            status("wrote \(output): \(report.runs.count) run\(report.runs.count == 1 ? "" : "s"), \(samples) samples, \(html.utf8.count / 1024) KiB")
        } else {
            FileHandle.standardOutput.write(Data(html.utf8))
        }
    }
}

struct AuditView: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Browse the audit database's runs and their reports in a browser (127.0.0.1 only).",
        discussion: """
        Serves an index of the runs at http://127.0.0.1:PORT/, each run's report at /run/RUN, and a
        report on several runs at /report?run=A&run=B. Reports are built from the database on each
        request, so a run in progress shows its samples so far. Stop with Ctrl-C.
        """
    )

    @Option(name: .long, help: "The port on 127.0.0.1 (0 picks a free one).")
    var port: Int = 8765

    func run() throws {
        let path = AuditDatabase.defaultPath
        _ = try AuditDatabase(path: path)
        let port = self.port
        try blockingAsync {
            let router = Router()
            router.get("/") { _, _ in
                try Self.page(ReportIndex.html(runs: AuditDatabase(path: path).runs(), databasePath: path))
            }
            router.get("/run/{id}") { _, context in
                try Self.report([context.parameters.get("id") ?? ""], path: path)
            }
            router.get("/report") { request, _ in
                let runs = request.uri.queryParameters[values: "run"].map(String.init)
                guard !runs.isEmpty else { return Self.page("<!doctype html><title>No runs</title><p>Select at least one run on the <a href=\"/\">index</a>.</p>", status: .badRequest) }
                return try Self.report(runs, path: path)
            }
            var logger = Logger(label: "hearth-audit-view")
            logger.logLevel = .warning
            let app = Application(
                router: router,
                configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "hearth"),
                onServerRunning: { channel in
                    status("serving the reports of \(path) at http://127.0.0.1:\(channel.localAddress?.port ?? port)/ (Ctrl-C stops)")
                },
                logger: logger)
            try await app.runService()
        }
    }

    static func report(_ runs: [String], path: String) throws -> Response {
        do {
            return page(try AuditReport(runs: runs, database: AuditDatabase(path: path)).html())
        } catch let error as AuditLogError {
            return page("<!doctype html><meta charset=\"utf-8\"><title>Not found</title><p>\(error.description.replacingOccurrences(of: "<", with: "&lt;"))</p><p><a href=\"/\">All runs</a></p>", status: .notFound)
        }
    }

    static func page(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
