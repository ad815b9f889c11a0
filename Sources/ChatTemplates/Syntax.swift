/// The parsed form of a template. Every node keeps the source offset of its first token so that
/// runtime errors can name a line and column.
struct Expr {
    indirect enum Kind {
        case literal(TemplateValue)
        case name(String)
        case list([Expr])
        case tuple([Expr])
        case dict([(key: Expr, value: Expr)])
        /// `a.b`: jinja2 tries the Python attribute first, then the item.
        case attribute(Expr, String)
        /// `a[b]`: jinja2 tries the item first, then the attribute.
        case item(Expr, Expr)
        /// `a[start:stop:step]`.
        case slice(Expr, start: Expr?, stop: Expr?, step: Expr?)
        case call(Expr, CallArguments)
        /// `value | name(args)`.
        case filter(Expr, name: String, CallArguments)
        /// `value is [not] name(args)` (negation is a separate `not`).
        case test(Expr, name: String, CallArguments)
        case not(Expr)
        case negate(Expr)
        case plus(Expr)
        /// Arithmetic `+ - * / // % **`, and `and`, `or` (which short-circuit).
        case binary(String, Expr, Expr)
        /// `a < b <= c`, `in`, `not in`, chained as Python chains them.
        case compare(Expr, [(op: String, operand: Expr)])
        /// `a ~ b ~ c`: string concatenation of each operand's `str()`.
        case concat([Expr])
        /// `a if cond else b`; without `else` the result is undefined when `cond` is false.
        case conditional(test: Expr, then: Expr, otherwise: Expr?)
    }

    var kind: Kind
    var offset: Int
}

struct CallArguments {
    var positional: [Expr] = []
    var keywords: [(name: String, value: Expr)] = []
}

/// Where a `for` or `set` stores values.
indirect enum AssignTarget {
    case name(String)
    case tuple([AssignTarget])
    /// `set ns.attr = value`, allowed only on namespaces.
    case namespaceAttribute(String, String)
}

struct MacroDefinition {
    var name: String
    var parameters: [(name: String, defaultValue: Expr?)]
    var body: [Statement]
    var offset: Int
}

struct Statement {
    indirect enum Kind {
        case text(String)
        case output(Expr)
        case ifChain(branches: [(test: Expr, body: [Statement])], otherwise: [Statement])
        case forLoop(target: AssignTarget, iterable: Expr, filter: Expr?, body: [Statement], otherwise: [Statement], recursive: Bool)
        case set(AssignTarget, Expr)
        /// `{% set x %}...{% endset %}`, optionally through filters (`{% set x | trim %}`).
        case setBlock(AssignTarget, filters: [(name: String, arguments: CallArguments)], body: [Statement])
        case macro(MacroDefinition)
        /// `{% call(params) macro(args) %}body{% endcall %}`: the body becomes `caller`.
        case callBlock(call: Expr, callerParameters: [(name: String, defaultValue: Expr?)], body: [Statement])
        /// `{% filter name %}body{% endfilter %}`.
        case filterBlock(filters: [(name: String, arguments: CallArguments)], body: [Statement])
        case breakLoop
        case continueLoop
        /// `{% generation %}...{% endgeneration %}`: Hugging Face's marker for assistant tokens;
        /// it renders its body unchanged.
        case generation([Statement])
    }

    var kind: Kind
    var offset: Int
}
