/// Why a template could not be parsed or rendered. Every failure of a template, including a
/// malformed or hostile one, ends here: the interpreter never traps and never runs unbounded.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The source is not a template this interpreter can parse (unbalanced tags, bad tokens...).
        case syntax
        /// Rendering failed as jinja2 would fail: a type error, an undefined value used, a
        /// security-blocked attribute, a division by zero...
        case runtime
        /// The template called `raise_exception(message)`, as chat templates do to reject a
        /// conversation they cannot format (e.g. roles that do not alternate).
        case raised
        /// A work, output or nesting bound was exceeded (see `RenderLimits`).
        case limitExceeded
        /// The template uses a jinja2 feature this interpreter does not implement.
        case unsupported
    }

    public let kind: Kind
    public let message: String
    /// 1-based source position of the token where the problem was found, when known.
    public let line: Int?
    public let column: Int?

    public init(_ kind: Kind, _ message: String, line: Int? = nil, column: Int? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        let prefix: String
        switch kind {
        case .syntax: prefix = "template syntax error"
        case .runtime: prefix = "template error"
        case .raised: prefix = "template raised an exception"
        case .limitExceeded: prefix = "template exceeded a limit"
        case .unsupported: prefix = "unsupported template feature"
        }
        if let line, let column { return "\(prefix) at line \(line), column \(column): \(message)" }
        return "\(prefix): \(message)"
    }

    func at(_ position: SourcePosition) -> TemplateError {
        guard line == nil else { return self }
        return TemplateError(kind, message, line: position.line, column: position.column)
    }
}

/// A 1-based line and column in the template source.
struct SourcePosition: Sendable, Equatable {
    var line: Int
    var column: Int
}
