import Audit
import Foundation
import GRDB
import JSON

// Withholding a run's outputs. The answers a model gives to harmful-compliance probes are the
// one thing this project never stores: a run of that suite is scored, then its words are
// replaced, everywhere the database holds them, by their length and SHA-256. The scores stay;
// anyone who runs the same command on the same file can check that they got the same bytes.

extension AuditDatabase {
    /// The marker that stands where a withheld answer was.
    public static func withheldMarker(for text: String) -> String {
        "[withheld: \(text.count) characters, SHA-256 \(text.sha256Hex)]"
    }

    /// Replaces the model's words in one run — each assistant message (answer and thoughts) and the final output in
    /// the transcripts, the responses in the request log, and the cached responses those
    /// requests left — with `withheldMarker`, and marks the run, so it is never re-scored from
    /// markers. Returns the number of samples changed. Idempotent.
    @discardableResult
    public func withholdOutputs(run reference: String) throws -> Int {
        let id = try run(reference).id
        return try write { db in
            var changed = 0
            for row in try Row.fetchAll(db, sql: "SELECT sample_id, transcript FROM sample WHERE run_id = ? AND transcript IS NOT NULL", arguments: [id]) {
                guard let transcript = try? JSONParser.parse(row["transcript"] as String) else { continue }
                let withheld = Self.withholdTranscript(transcript)
                if withheld != transcript {
                    try db.execute(sql: "UPDATE sample SET transcript = ? WHERE run_id = ? AND sample_id = ?",
                                   arguments: [withheld.serialized(.compact), id, row["sample_id"] as String])
                    changed += 1
                }
            }
            for row in try Row.fetchAll(db, sql: "SELECT sample_id, seq, response FROM request WHERE run_id = ? AND response IS NOT NULL", arguments: [id]) {
                let text: String = row["response"]
                guard let response = try? JSONParser.parse(text) else { continue }
                let withheld = Self.withholdResponse(response)
                guard withheld != response else { continue }
                // The cache holds the same response under the request's key: drop it.
                try db.execute(sql: "DELETE FROM response_cache WHERE response = ?", arguments: [text])
                try db.execute(sql: "UPDATE request SET response = ? WHERE run_id = ? AND sample_id = ? AND seq = ?",
                               arguments: [withheld.serialized(.compact), id, row["sample_id"] as String, row["seq"] as Int])
            }
            try db.execute(sql: "UPDATE run SET outputs_withheld = 1 WHERE id = ?", arguments: [id])
            return changed
        }
    }

    /// Copies the write-ahead log into the database file and truncates it, so the file alone
    /// holds everything (before committing it, or checking what it contains). Freed pages are
    /// reclaimed (VACUUM), so withheld text does not linger in them.
    public func checkpoint() throws {
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "VACUUM")
            try db.checkpoint(.truncate)
        }
    }

    public func outputsWithheld(run reference: String) throws -> Bool {
        let id = try run(reference).id
        return try read { db in try Bool.fetchOne(db, sql: "SELECT outputs_withheld FROM run WHERE id = ?", arguments: [id]) ?? false }
    }

    static func withholdTranscript(_ transcript: JSONValue) -> JSONValue {
        guard var object = transcript.objectValue else { return transcript }
        if let messages = object["messages"]?.arrayValue {
            object["messages"] = .array(messages.map(withholdMessage))
        }
        // A reasoning model's thoughts are its words too.
        for key in ["output", "reasoning"] {
            if let text = object[key]?.stringValue, !isWithheld(text) { object[key] = .string(withheldMarker(for: text)) }
        }
        if let calls = object["tool_calls"]?.arrayValue {
            object["tool_calls"] = .array(calls.map(withholdArguments))
        }
        return .object(object)
    }

    /// An OpenAI-style response (`message`, or `choices[].message`).
    static func withholdResponse(_ response: JSONValue) -> JSONValue {
        guard var object = response.objectValue else { return response }
        if let message = object["message"] { object["message"] = withholdMessage(message) }
        if let choices = object["choices"]?.arrayValue {
            object["choices"] = .array(choices.map { choice in
                guard var c = choice.objectValue else { return choice }
                if let message = c["message"] { c["message"] = withholdMessage(message) }
                if let text = c["text"]?.stringValue, !isWithheld(text) { c["text"] = .string(withheldMarker(for: text)) }
                return .object(c)
            })
        }
        return .object(object)
    }

    private static func withholdMessage(_ message: JSONValue) -> JSONValue {
        guard var m = message.objectValue, m["role"]?.stringValue == "assistant" else { return message }
        for key in ["content", "reasoning_content", "reasoning"] {
            if let text = m[key]?.stringValue, !isWithheld(text) { m[key] = .string(withheldMarker(for: text)) }
        }
        if let calls = m["tool_calls"]?.arrayValue { m["tool_calls"] = .array(calls.map(withholdArguments)) }
        return .object(m)
    }

    /// Tool calls keep their names (what the model did) and lose their arguments (what it wrote).
    private static func withholdArguments(_ call: JSONValue) -> JSONValue {
        guard var c = call.objectValue else { return call }
        if let arguments = c["arguments"]?.stringValue, !isWithheld(arguments) { c["arguments"] = .string(withheldMarker(for: arguments)) }
        if var function = c["function"]?.objectValue, let arguments = function["arguments"]?.stringValue, !isWithheld(arguments) {
            function["arguments"] = .string(withheldMarker(for: arguments))
            c["function"] = .object(function)
        }
        return .object(c)
    }

    private static func isWithheld(_ text: String) -> Bool { text.hasPrefix("[withheld: ") }
}
