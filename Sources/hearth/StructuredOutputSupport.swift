import Engine
import Foundation
import JSON
import Models
import StructuredOutput

/// `--json` and `--json-schema` for the commands that generate.
enum StructuredOutputSupport {
    static let maximumSchemaBytes = 1 << 20

    /// Reads and compiles a JSON Schema file, with errors naming the file.
    static func readSchema(_ path: String) throws -> JSONSchema {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read \(path)") }
        let data = handle.readData(ofLength: maximumSchemaBytes + 1)
        guard data.count <= maximumSchemaBytes else { throw CLIError("\(path) is larger than 1 MiB") }
        do {
            return try JSONSchema(try JSONParser.parse(bytes: Array(data)))
        } catch let error as JSONParseError {
            throw CLIError("\(path): \(error)")
        } catch let error as JSONSchemaError {
            throw CLIError("\(path): \(error)")
        }
    }

    /// The constraint for the flags given, or nil for free text. The value is closed within
    /// `maxTokens` (the generation's `--max-tokens`); a schema whose shortest value cannot fit
    /// them is an error here, before generating.
    static func constraint(model: LanguageModel, anyJSON: Bool, schema: JSONSchema?, maxTokens: Int) throws -> TokenConstraint? {
        guard let schema = schema ?? (anyJSON ? .anyJSON : nil) else { return nil }
        do {
            return try JSONConstraint.closingWhereItFits(schema: schema, tokenizer: model.tokenizer, tokenBudget: maxTokens)
        } catch let error as JSONConstraintError {
            throw CLIError("\(error)")
        }
    }
}
