import Foundation
import Hummingbird
import JSON
import NIOCore

/// Reads the fields of a request object with their types checked, so that every wrong type or
/// out-of-range value becomes a 400 naming the field (`param`), as OpenAI's API does. A field that
/// is absent or `null` reads as nil: clients send `null` for "not given".
struct FieldReader {
    let object: JSONObject
    /// The path of this object inside the request, for nested fields ("stream_options.").
    let prefix: String

    init(_ object: JSONObject, prefix: String = "") {
        self.object = object
        self.prefix = prefix
    }

    /// A request's body, collected up to the size limit (beyond it a 413), as a JSON object.
    static func body(of request: Request, limits: RequestLimits) async throws -> FieldReader {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limits.maximumBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limits.maximumBodyBytes)
        }
        return try parseBody(Array(buffer.readableBytesView), maximumDepth: limits.maximumJSONDepth)
    }

    /// The body of a request: a JSON object, parsed with nesting bounded.
    static func parseBody(_ bytes: [UInt8], maximumDepth: Int) throws -> FieldReader {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes: bytes, maximumDepth: maximumDepth)
        } catch let error as JSONParseError {
            throw APIError.invalidJSON(error.description)
        }
        guard case .object(let object) = value else {
            throw APIError.invalidRequest("the request body must be a JSON object, got \(value.typeName)")
        }
        return FieldReader(object)
    }

    func name(_ key: String) -> String { prefix + key }

    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    func typeError(_ key: String, expected: String, got value: JSONValue) -> APIError {
        .invalidRequest("'\(name(key))' must be \(expected), got \(value.typeName)", param: name(key))
    }

    func rangeError(_ key: String, _ requirement: String, got value: CustomStringConvertible) -> APIError {
        .invalidRequest("'\(name(key))' must be \(requirement), got \(value)", param: name(key))
    }

    func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.stringValue else { throw typeError(key, expected: "a string", got: value) }
        return string
    }

    func requiredString(_ key: String) throws -> String {
        guard let string = try string(key) else {
            throw APIError.invalidRequest("'\(name(key))' is required", param: name(key))
        }
        return string
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard let bool = value.boolValue else { throw typeError(key, expected: "a boolean", got: value) }
        return bool
    }

    /// An integer within `range` (floats with no fractional part count, as in Python clients).
    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let int = value.intValue else { throw typeError(key, expected: "an integer", got: value) }
        guard range.contains(int) else {
            throw rangeError(key, "between \(range.lowerBound) and \(range.upperBound)", got: int)
        }
        return int
    }

    /// A finite number within `range`.
    func number(_ key: String, in range: ClosedRange<Double>) throws -> Float? {
        guard let value = value(key) else { return nil }
        guard let double = value.doubleValue else { throw typeError(key, expected: "a number", got: value) }
        guard double.isFinite, range.contains(double) else {
            throw rangeError(key, "between \(range.lowerBound) and \(range.upperBound)", got: double)
        }
        return Float(double)
    }

    func object(_ key: String) throws -> FieldReader? {
        guard let value = value(key) else { return nil }
        guard let object = value.objectValue else { throw typeError(key, expected: "an object", got: value) }
        return FieldReader(object, prefix: name(key) + ".")
    }

    func array(_ key: String) throws -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard let array = value.arrayValue else { throw typeError(key, expected: "an array", got: value) }
        return array
    }

    /// A seed: any integer, negative ones taken as their two's-complement bits (clients send both).
    func seed(_ key: String) throws -> UInt64? {
        guard let value = value(key) else { return nil }
        guard let int = value.intValue else { throw typeError(key, expected: "an integer", got: value) }
        return UInt64(bitPattern: Int64(int))
    }
}
