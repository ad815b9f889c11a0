import Engine
import Foundation
import Models

/// Where the server gets a model's chat format and structured-output constraints from.
public enum ServerChat {
    /// The model's chat prompt builder, nil when it has none.
    public static func builder(for model: LanguageModel) throws -> (any ChatPromptBuilder)? {
        nil
    }

    public static let constraints: (any OutputConstraintFactory)? = nil
}
