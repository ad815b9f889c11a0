import JSON
import StructuredOutput
import XCTest

/// The byte-level automaton against the parser and the validator.
final class AutomatonTests: XCTestCase {
    static let productSchema = #"""
    {"type": "object",
     "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 12},
        "kind": {"type": "string", "enum": ["fruit", "vegetable", "grain"]},
        "count": {"type": "integer", "minimum": -5, "maximum": 120},
        "price": {"type": "number", "minimum": 0.5, "exclusiveMaximum": 99.5},
        "organic": {"type": "boolean"},
        "note": {"type": ["string", "null"], "maxLength": 4},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 6}, "minItems": 1, "maxItems": 3},
        "size": {"type": "object", "properties": {"w": {"type": "number"}, "h": {"type": "integer"}}, "required": ["h"]}
     },
     "required": ["name", "kind", "count", "organic", "tags"],
     "additionalProperties": false}
    """#

    static let schemas: [String] = [
        productSchema,
        "true",
        #"{"type": "object"}"#,
        #"{"type": "array", "items": {"anyOf": [{"type": "integer", "maximum": -3}, {"type": "string"}, {"const": {"a": [1, null]}}]}}"#,
        ##"{"$defs": {"node": {"type": "object", "properties": {"v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2}}, "required": ["v"]}}, "$ref": "#/$defs/node"}"##,
        #"{"type": "number", "minimum": -2.25, "maximum": 3.125}"#,
        #"{"enum": ["é", "\u0000", 1.5, 15, true]}"#,
    ]

    private func matcher(_ schema: String, _ options: JSONGenerationOptions = JSONGenerationOptions()) throws -> JSONByteMatcher {
        try JSONByteMatcher(schema: JSONSchema(json: schema), options: options)
    }

    /// Feeds all of `text`; nil if some byte is refused, else whether the result is complete.
    private func run(_ schema: String, _ text: String, _ options: JSONGenerationOptions = JSONGenerationOptions()) throws -> Bool? {
        var matcher = try matcher(schema, options)
        guard matcher.advance(Array(text.utf8)) else { return nil }
        return matcher.canEnd
    }

    func testAcceptsValidTexts() throws {
        let schema = Self.productSchema
        let valid = [
            #"{"name": "Apple", "kind": "fruit", "count": 3, "price": 1.25, "organic": true, "tags": ["red"]}"#,
            #"{"name":"é\u00e9\n","kind":"grain","count":-5,"organic":false,"note":null,"tags":["a","b","c"],"size":{"h":0}}"#,
            "{\n  \"name\": \"x\",\n  \"kind\": \"vegetable\",\n  \"count\": 120,\n  \"organic\": false,\n  \"tags\": [\"\"]\n}",
            #"{"name":"😀","kind":"fruit","count":0,"price":99.49,"organic":true,"note":"abcd","tags":["\"\\"],"size":{"w":-1.5e-7,"h":7}}"#,
        ]
        for text in valid {
            XCTAssertEqual(try run(schema, text), true, text)
            XCTAssertEqual(JSONSchemaValidator.validate(try JSONParser.parse(text), against: try JSONSchema(json: schema)), [])
        }
        XCTAssertEqual(try run("true", #" [1, {"a": {}}, "x", -0.5E+2, null] "#.trimmingCharacters(in: .init(charactersIn: " "))), true)
        XCTAssertEqual(try run(#"{"type": "number", "minimum": -2.25, "maximum": 3.125}"#, "3.125"), true)
        XCTAssertEqual(try run(#"{"type": "number", "minimum": -2.25, "maximum": 3.125}"#, "-2.25"), true)
    }

    func testRefusesInvalidTexts() throws {
        let schema = Self.productSchema
        let prefix = #"{"name": "A", "kind": "fruit", "count": 3, "organic": true, "#
        let refused = [
            #"{"kind": "fruit"}"#,                                   // out of listed order (name first)
            prefix + #""tags": []}"#,                                // minItems 1
            prefix + #""tags": ["a","b","c","d"]}"#,                 // maxItems 3
            prefix + #""tags": ["toolong"]}"#,                       // maxLength 6
            #"{"name": "", "kind": "fruit""#,                         // minLength 1
            #"{"name": "A", "kind": "fruits""#,                       // not in enum
            #"{"name": "A", "kind": "fruit", "count": 121"#,          // maximum
            #"{"name": "A", "kind": "fruit", "count": -6"#,           // minimum
            #"{"name": "A", "kind": "fruit", "count": 1.0"#,          // integers have no fraction
            #"{"name": "A", "kind": "fruit", "count": 01"#,           // leading zero
            #"{"name": "A", "kind": "fruit", "count": 1, "price": 99.5"#,  // exclusive maximum
            #"{"name": "A", "kind": "fruit", "count": 1, "price": 0.4"#,   // below minimum
            #"{"name": "A\u0000"#,                                       // fine so far: escapes are allowed
            "{\"name\": \"A\tB\"",                                       // raw control character
            #"{"name": "\ud800"#,                                        // surrogate escape
            #"{"name": "A", "colour": "red"}"#,                          // not a listed property
            prefix + #""tags": ["a"], "extra": 1}"#,
            prefix + #""tags": ["a"]} "#,                                // nothing after the value
            "{" + String(repeating: " ", count: 2),                      // a run is one space, or a newline and indentation
        ]
        for text in refused {
            let outcome = try run(schema, text)
            if text.hasSuffix(#"\u0000"#) {
                XCTAssertEqual(outcome, false, text)
            } else {
                XCTAssertNotEqual(outcome, true, text)
                XCTAssertNil(outcome, "expected a refused byte: \(text)")
            }
        }
        // Invalid UTF-8 inside strings: overlong, surrogate, beyond U+10FFFF, stray continuation.
        for bytes: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x28]] {
            var matcher = try matcher("true")
            XCTAssertTrue(matcher.advance(Array(#"""#.utf8)))
            XCTAssertFalse(matcher.advance(bytes + [0x22]), "\(bytes)")
        }
        XCTAssertNil(try run(Self.productSchema, "{ }", JSONGenerationOptions(maximumWhitespaceRun: 0)))
    }

    /// Random walks through the automaton: every state it reaches can be completed, and every
    /// text it calls complete parses and validates.
    func testRandomWalksProduceValidValues() throws {
        var random = SplitMix(seed: 7)
        for source in Self.schemas {
            let schema = try JSONSchema(json: source)
            var completed = 0
            for _ in 0..<150 {
                var matcher = try JSONByteMatcher(schema: schema, options: JSONGenerationOptions(maximumWhitespaceRun: 2, maximumDepth: 6))
                var text: [UInt8] = []
                for _ in 0..<400 {
                    if matcher.canEnd {
                        if random.next() % 4 == 0 || text.count > 300 { break }
                    }
                    let allowed = matcher.allowedBytes
                    if allowed.isEmpty { break }
                    let byte = Self.pick(allowed, &random)
                    XCTAssertTrue(matcher.advance(byte))
                    text.append(byte)
                }
                let allowed = matcher.allowedBytes
                XCTAssertTrue(matcher.canEnd || !allowed.isEmpty, "stuck after \(String(decoding: text, as: UTF8.self))")
                guard matcher.canEnd else { continue }
                completed += 1
                do {
                    let value = try JSONParser.parse(bytes: text)
                    XCTAssertEqual(JSONSchemaValidator.validate(value, against: schema), [], String(decoding: text, as: UTF8.self))
                } catch {
                    XCTFail("\(error): \(String(decoding: text, as: UTF8.self))")
                }
            }
            XCTAssertGreaterThan(completed, 50, source)
        }
    }

    /// Picks a class of bytes uniformly, then a byte in it, so that structure (quotes, brackets,
    /// commas) is as likely as any one of the many bytes that continue a string.
    static func pick(_ allowed: [UInt8], _ random: inout SplitMix) -> UInt8 {
        func kind(_ byte: UInt8) -> Int {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"),
                 UInt8(ascii: ","), UInt8(ascii: ":"): return Int(byte)
            case UInt8(ascii: "\\"): return 1
            case 0x20, 0x0A, 0x0D, 0x09: return 2
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"),
                 UInt8(ascii: "E"), UInt8(ascii: "+"): return 3
            case 0x80...0xFF: return 4
            default: return 5
            }
        }
        let groups = Dictionary(grouping: allowed, by: kind)
        let keys = groups.keys.sorted()
        let group = groups[keys[Int(random.next() % UInt64(keys.count))]]!
        return group[Int(random.next() % UInt64(group.count))]
    }
}

/// A tiny deterministic generator for tests.
struct SplitMix {
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
