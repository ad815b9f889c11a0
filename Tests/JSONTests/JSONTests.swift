import XCTest
import JSON

final class JSONTests: XCTestCase {
    func testParsesAndKeepsKeyOrder() throws {
        let value = try JSONParser.parse(#"{"b": 1, "a": [true, null, 2.5, "x"], "c": {"z": -3e2}}"#)
        XCTAssertEqual(value.objectValue?.keys, ["b", "a", "c"])
        XCTAssertEqual(value["a"], [true, nil, 2.5, "x"])
        XCTAssertEqual(value["c"]?["z"], .double(-300))
        XCTAssertEqual(value["b"], .int(1))
    }

    func testDuplicateKeysKeepFirstPositionAndLastValue() throws {
        let value = try JSONParser.parse(#"{"a": 1, "b": 2, "a": 3}"#)
        XCTAssertEqual(value.objectValue?.keys, ["a", "b"])
        XCTAssertEqual(value["a"], 3)
    }

    func testStringEscapes() throws {
        let value = try JSONParser.parse(#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#)
        XCTAssertEqual(value, .string("a\"\\/\u{8}\u{c}\n\r\té😀"))
    }

    func testRejectsMalformedInput() {
        let bad = ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"\\x\"", "\"a", "[1] 2",
                   "{'a': 1}", "\"\u{01}\"", "1e", "NaN", "1e400", "-2e308", "[" + String(repeating: "[", count: 300)]
        for text in bad {
            XCTAssertThrowsError(try JSONParser.parse(text), "accepted \(text.debugDescription)") { error in
                XCTAssertTrue(error is JSONParseError)
            }
        }
    }

    func testDepthIsBoundedWithoutCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try JSONParser.parse(deep))
        let ok = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        XCTAssertNoThrow(try JSONParser.parse(ok))
    }

    func testPythonDumpsFormatting() throws {
        // Expected strings are json.dumps(...) output from CPython 3.11.
        let value = try JSONParser.parse(#"{"name": "caf\u00e9 \"q\"", "n": [1, 2.0, 0.1, 1e16, 1e-05, 123.456, -0.0], "t": {}, "e": []}"#)
        XCTAssertEqual(value.serialized(.python),
                       #"{"name": "caf\u00e9 \"q\"", "n": [1, 2.0, 0.1, 1e+16, 1e-05, 123.456, -0.0], "t": {}, "e": []}"#)
        XCTAssertEqual(value.serialized(JSONFormat(asciiOnly: false)),
                       #"{"name": "café \"q\"", "n": [1, 2.0, 0.1, 1e+16, 1e-05, 123.456, -0.0], "t": {}, "e": []}"#)
        XCTAssertEqual(try JSONParser.parse(#"{"a": [1, {"b": null}]}"#).serialized(JSONFormat(indent: 2)),
                       "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ]\n}")
        XCTAssertEqual(try JSONParser.parse(#"{"b": 1, "a": 2}"#).serialized(JSONFormat(sortKeys: true)), #"{"a": 2, "b": 1}"#)
        XCTAssertEqual(JSONValue.string("😀\u{7f}\u{1}").serialized(.python), #""\ud83d\ude00\u007f\u0001""#)
    }

    func testPythonFloatRepr() {
        let cases: [(Double, String)] = [
            (1e15, "1000000000000000.0"), (1e16, "1e+16"), (0.0001, "0.0001"), (0.00001, "1e-05"),
            (123456789.125, "123456789.125"), (1.5e300, "1.5e+300"), (2.5e-300, "2.5e-300"),
            (-42.0, "-42.0"), (0.1 + 0.2, "0.30000000000000004"), (1.0 / 3.0, "0.3333333333333333"),
            (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(JSONValue.pythonRepr(value), expected, "\(value)")
        }
    }

    func testRoundTrip() throws {
        let text = #"{"a":[1,2.5,"x\ny",true,false,null],"b":{"c":"ü"}}"#
        XCTAssertEqual(try JSONParser.parse(text).serialized(.compact), text)
    }
}
