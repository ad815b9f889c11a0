import StructuredOutput

/// A JSON-schema constraint masks tokens for the generator as any `TokenConstraint` does.
extension JSONConstraint: TokenConstraint {}
