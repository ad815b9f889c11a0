/// A chat template known byte for byte: what a family's reference model ships. A template that
/// matches one exactly is that model's own; one that differs from every known template of its
/// family has been edited, and the difference is worth reading.
public struct KnownChatTemplate: Sendable, Equatable {
    public let name: String
    /// Where the text comes from.
    public let origin: String
    public let source: String

    public var family: String? { ChatTemplateFamily.detect(source)?.name }

    /// The known templates: those of the catalog's models (gemma3-270m, a base model, has none).
    public static let all: [KnownChatTemplate] = [smolLM2, qwen25Coder]

    public static let smolLM2 = KnownChatTemplate(
        name: "SmolLM2 Instruct",
        origin: "tokenizer.chat_template of the catalog's smollm2-135m-instruct (HuggingFaceTB/SmolLM2-135M-Instruct)",
        source: smolLM2Source)

    public static let qwen25Coder = KnownChatTemplate(
        name: "Qwen2.5-Coder Instruct",
        origin: "tokenizer.chat_template of the catalog's qwen2.5-coder-0.5b-instruct (Qwen/Qwen2.5-Coder-0.5B-Instruct)",
        source: qwen25CoderSource)

    /// How `source` stands against the known templates of its family: equal to one, or different
    /// from the closest of them (the one sharing the longest beginning and end with it).
    public static func compare(_ source: String, known: [KnownChatTemplate] = all) -> KnownTemplateMatch {
        if let same = known.first(where: { $0.source == source }) { return .matches(same.name) }
        guard let family = ChatTemplateFamily.detect(source)?.name else { return .noKnownTemplate }
        let text = Array(source.unicodeScalars)
        let candidates = known.filter { $0.family == family }.map { (template: $0, text: Array($0.source.unicodeScalars)) }
        guard let closest = candidates.max(by: { sharedEnds(text, $0.text) < sharedEnds(text, $1.text) }) else {
            return .noKnownTemplate
        }
        return .differs(from: closest.template.name, firstDifference: firstDifference(text, closest.text, knownName: closest.template.name))
    }

    private static func commonPrefix(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        var count = 0
        while count < a.count && count < b.count && a[count] == b[count] { count += 1 }
        return count
    }

    private static func sharedEnds(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        let prefix = commonPrefix(a, b)
        var suffix = 0
        while suffix < min(a.count, b.count) - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        return prefix + suffix
    }

    /// "first difference at line L, column C: this template has "…", the known one has "…"", each
    /// excerpt starting a few characters before the difference.
    private static func firstDifference(_ text: [Unicode.Scalar], _ known: [Unicode.Scalar], knownName: String) -> String {
        let offset = commonPrefix(text, known)
        let before = text[..<offset]
        let line = before.filter { $0 == "\n" }.count + 1
        let column = offset - (before.lastIndex(of: "\n").map { $0 + 1 } ?? 0) + 1
        func excerpt(_ scalars: [Unicode.Scalar]) -> String {
            let start = max(0, offset - 20)
            let end = min(scalars.count, offset + 40)
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[start..<end])
            let text = (start > 0 ? "…" : "") + String(view) + (end < scalars.count ? "…" : "")
            return TemplateReport.quoted(text)
        }
        return "first difference at line \(line), column \(column): this template has \(excerpt(text)), \(knownName) has \(excerpt(known))"
    }
}

/// How a template compares with the known templates.
public enum KnownTemplateMatch: Sendable, Equatable {
    /// Byte for byte the known template of this name.
    case matches(String)
    /// Of a family with known templates, but equal to none: the closest one's name and where the
    /// two first part.
    case differs(from: String, firstDifference: String)
    /// Its family has no known template, or its family is not recognised.
    case noKnownTemplate
}

/// A family of chat templates, told by the turn markers its templates write.
public struct ChatTemplateFamily: Sendable, Equatable {
    public let name: String
    public let marker: String

    /// In the order they are tried: the first family whose marker the template contains.
    public static let all = [
        ChatTemplateFamily(name: "Llama 3", marker: "<|start_header_id|>"),
        ChatTemplateFamily(name: "Llama 4", marker: "<|header_start|>"),
        ChatTemplateFamily(name: "Gemma", marker: "<start_of_turn>"),
        ChatTemplateFamily(name: "DeepSeek", marker: "<｜User｜>"),
        ChatTemplateFamily(name: "Command R", marker: "<|START_OF_TURN_TOKEN|>"),
        ChatTemplateFamily(name: "ChatML", marker: "<|im_start|>"),
        ChatTemplateFamily(name: "Phi-3 / Zephyr", marker: "<|user|>"),
        ChatTemplateFamily(name: "Mistral / Llama 2", marker: "[INST]"),
    ]

    public static func detect(_ source: String) -> ChatTemplateFamily? {
        all.first { source.contains($0.marker) }
    }
}

// The known templates' text, byte for byte as in the catalog's GGUF files (a test compares them).
// Raw literals at column 0: `\n` in them is a backslash and an n, as in the template source, and
// a literal's last newline (before its closing delimiter) is not part of its value.
extension KnownChatTemplate {
    static let smolLM2Source = #"""
{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system
You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
' }}{% endif %}{{'<|im_start|>' + message['role'] + '
' + message['content'] + '<|im_end|>' + '
'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant
' }}{% endif %}
"""#

    static let qwen25CoderSource = #"""
{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
    {%- endif %}
    {{- "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
    {%- else %}
        {{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- if message.content %}
            {{- '\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\n<tool_call>\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- message.content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
{%- endif %}

"""#
}
