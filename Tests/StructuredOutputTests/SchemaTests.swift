import JSON
import StructuredOutput
import XCTest

/// Compilation errors, and the validator on its own.
final class SchemaTests: XCTestCase {
    private func compileError(_ schema: String) -> JSONSchemaError? {
        do {
            _ = try JSONSchema(json: schema)
            return nil
        } catch {
            return error as? JSONSchemaError
        }
    }

    func testUnsupportedKeywordsAreNamed() {
        XCTAssertEqual(compileError(##"{"type": "string", "pattern": "^a+$"}"##), .unsupportedKeyword("pattern", path: "#"))
        XCTAssertEqual(compileError(#"{"properties": {"a": {"not": {"type": "null"}}}}"#),
                       .unsupportedKeyword("not", path: "#/properties/a"))
        XCTAssertEqual(compileError(##"{"type": "array", "uniqueItems": true}"##), .unsupportedKeyword("uniqueItems", path: "#"))
        XCTAssertEqual(compileError(##"{"type": "number", "multipleOf": 2}"##), .unsupportedKeyword("multipleOf", path: "#"))
        XCTAssertEqual(compileError(#"{"allOf": [{"type": "string"}, {"maxLength": 3}]}"#),
                       .unsupportedKeyword("allOf", path: "# (only a one-element allOf is supported)"))
        XCTAssertEqual(compileError(#"{"type": "object", "anyOf": [{"required": ["a"]}]}"#),
                       .unsupportedKeyword("type", path: "# (beside anyOf)"))
        XCTAssertEqual(compileError(#"{"type": "array", "items": [{"type": "string"}]}"#),
                       .unsupportedKeyword("items", path: "# (tuple form)"))
        XCTAssertTrue(JSONSchemaError.unsupportedKeyword("pattern", path: "#").description.contains("'pattern'"))
    }

    func testMalformedAndUnsatisfiableSchemas() {
        XCTAssertEqual(compileError(##"{"type": "text"}"##), .invalidKeyword("type", path: "#", reason: "unknown type 'text'"))
        XCTAssertEqual(compileError(#"{"type": "object", "required": "a"}"#),
                       .invalidKeyword("required", path: "#", reason: "must be an array of strings"))
        XCTAssertEqual(compileError(#"{"type": "string", "maxLength": -1}"#),
                       .invalidKeyword("maxLength", path: "#", reason: "must be a non-negative integer"))
        XCTAssertEqual(compileError("3"), .invalidKeyword("schema", path: "#", reason: "a schema must be an object or a boolean"))
        XCTAssertEqual(compileError(#"{"$ref": "http://example.com/s.json"}"#),
                       .unresolvableReference("http://example.com/s.json", path: "#"))
        XCTAssertEqual(compileError(##"{"$ref": "#/$defs/missing"}"##), .unresolvableReference("#/$defs/missing", path: "#"))
        XCTAssertEqual(compileError(#"{"type": "string", "minLength": 5, "maxLength": 2}"#),
                       .unsatisfiable(path: "#", reason: "minLength 5 exceeds maxLength 2"))
        XCTAssertEqual(compileError(#"{"type": "string", "enum": [1, 2]}"#),
                       .unsatisfiable(path: "#", reason: "no value of 'enum'/'const' satisfies the other keywords"))
        XCTAssertEqual(compileError(#"{"type": "integer", "minimum": 0.5, "maximum": 0.7}"#),
                       .unsatisfiable(path: "#", reason: "no integer of at most 15 digits lies within the bounds"))
        XCTAssertEqual(compileError(#"{"type": "object", "required": ["a"], "additionalProperties": false}"#),
                       .unsatisfiable(path: "#", reason: "required property 'a' is forbidden by additionalProperties: false"))
        // A required property that needs itself forever has no finite value.
        XCTAssertNotNil(compileError(##"{"$defs": {"n": {"type": "object", "properties": {"next": {"$ref": "#/$defs/n"}}, "required": ["next"]}}, "$ref": "#/$defs/n"}"##))
        XCTAssertNotNil(compileError(##"{"$ref": "#"}"##))
        XCTAssertNotNil(compileError(#"{"type": "object", "properties": {"a": false}, "required": ["a"]}"#))
    }

    func testAnnotationsAndUnknownKeywordsAreIgnored() throws {
        let schema = try JSONSchema(json: #"""
        {"title": "T", "description": "d", "examples": [1], "default": {}, "$schema": "x", "x-custom": 1,
         "type": "object", "properties": {"when": {"type": "string", "format": "date-time"}}}
        """#)
        XCTAssertEqual(JSONSchemaValidator.validate(["when": "yesterday"], against: schema), [])
    }

    func testValidatorFollowsJSONSchema() throws {
        let schema = try JSONSchema(json: #"""
        {"type": "object",
         "properties": {"id": {"type": "integer", "minimum": 1},
                        "tag": {"enum": ["a", "b", 3]},
                        "score": {"type": "number", "exclusiveMaximum": 1},
                        "items": {"type": "array", "items": {"type": "string", "maxLength": 2}, "maxItems": 2},
                        "either": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]},
                        "maybe": {"type": ["string", "null"]}},
         "required": ["id"], "additionalProperties": {"type": "boolean"}}
        """#)
        func errors(_ text: String) throws -> [String] {
            JSONSchemaValidator.validate(try JSONParser.parse(text), against: schema)
        }
        XCTAssertEqual(try errors(#"{"id": 1.0, "tag": 3.0, "score": 0.5, "extra": true, "maybe": null, "items": ["ab"]}"#), [])
        XCTAssertEqual(try errors(#"{"tag": "a", "id": 2}"#), [], "keys in any order")
        XCTAssertEqual(try errors(#"{}"#).count, 1)
        XCTAssertEqual(try errors(#"{"id": 0}"#).count, 1)
        XCTAssertEqual(try errors(#"{"id": 1.5}"#).count, 1)
        XCTAssertEqual(try errors(#"{"id": 1, "tag": "c"}"#).count, 1)
        XCTAssertEqual(try errors(#"{"id": 1, "score": 1}"#).count, 1)
        XCTAssertEqual(try errors(#"{"id": 1, "items": ["abc", "a", "b"]}"#).count, 2)
        XCTAssertEqual(try errors(#"{"id": 1, "extra": 1}"#).count, 1)
        XCTAssertEqual(try errors(#"{"id": 1, "either": 12}"#).count, 1, "oneOf: both branches match")
        XCTAssertEqual(try errors(#"{"id": 1, "either": 12.5}"#), [])
        XCTAssertEqual(try errors(#"{"id": 1, "maybe": 3}"#).count, 1)
    }
}
