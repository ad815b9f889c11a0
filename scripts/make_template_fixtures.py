#!/usr/bin/env python3
"""Golden fixtures for the ChatTemplates tests, rendered by jinja2 as Hugging Face renders chat templates.

Writes Tests/ChatTemplatesTests/Fixtures/:
  models.json    for each model with a `tokenizer.chat_template` in its GGUF: the template source,
                 BOS/EOS token text, and many conversations with their rendering (or "error": true
                 where jinja2 raises);
  snippets.json  small templates exercising each interpreter feature, with context and output.

The environment is transformers' `apply_chat_template` (chat_template_utils.py): an
ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks and loopcontrols, `tojson` as
json.dumps(ensure_ascii=False, ...), globals raise_exception and strftime_now, and render variables
messages, tools (None when absent), documents (None), add_generation_prompt, bos_token, eos_token.

Usage: python3 scripts/make_template_fixtures.py [--models DIR]   (needs jinja2 and gguf)
"""
import argparse
import json
import os
import sys
from datetime import datetime

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "ChatTemplatesTests", "Fixtures")
MODELS = {
    "smollm2-135m-instruct": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "qwen2.5-coder-0.5b-instruct": "qwen2.5-coder-0.5b-instruct-awq-q4_k_m.gguf",
    "gemma3-270m": "gemma-3-270m-q4_k_m.gguf",
}


def make_environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return datetime.now().strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


ENV = make_environment()


def render(source, context):
    """The rendering, or None when jinja2 raises (at parse or render time)."""
    try:
        return ENV.from_string(source).render(**context)
    except Exception:  # noqa: BLE001 - any failure is an expected error for the Swift side
        return None


def read_gguf_template(path):
    from gguf import GGUFReader

    reader = GGUFReader(path)

    def string_field(name):
        field = reader.fields.get(name)
        return None if field is None else bytes(field.parts[field.data[0]]).decode("utf-8")

    def token_text(name):
        field = reader.fields.get(name)
        if field is None:
            return ""
        token_id = int(field.parts[field.data[0]][0])
        tokens = reader.fields["tokenizer.ggml.tokens"]
        return bytes(tokens.parts[tokens.data[token_id]]).decode("utf-8")

    return (string_field("tokenizer.chat_template"), token_text("tokenizer.ggml.bos_token_id"),
            token_text("tokenizer.ggml.eos_token_id"))


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name, e.g. Zürich"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
}
SEARCH_TOOL = {
    "type": "function",
    "function": {
        "name": "search",
        "description": "Search the web — returns the top results.",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}, "limit": {"type": "integer", "default": 5}}},
    },
}


def conversations(with_tools):
    user = {"role": "user", "content": "Hello! What can you do?"}
    system = {"role": "system", "content": "You are a terse assistant."}
    cases = [
        ("user only", [user], None),
        ("system and user", [system, user], None),
        ("several turns", [system, user, {"role": "assistant", "content": "I can answer questions."},
                           {"role": "user", "content": "Name three colors."},
                           {"role": "assistant", "content": "Red, green, blue."},
                           {"role": "user", "content": "Thanks"}], None),
        ("no system, two turns", [user, {"role": "assistant", "content": "Many things."}, {"role": "user", "content": "Like?"}], None),
        ("unicode", [{"role": "system", "content": "Réponds en français 🇫🇷"},
                     {"role": "user", "content": "日本語で答えて。e\u0301 \u200b tab\there"}], None),
        ("empty content", [{"role": "user", "content": ""}], None),
        ("whitespace and template text", [{"role": "user", "content": "  {{ not a tag }} {% if %}\n\n  trailing  \n"}], None),
        ("assistant last", [user, {"role": "assistant", "content": "Partial answer"}], None),
        ("extra fields", [{"role": "user", "content": "Hi", "name": "alice"}], None),
        ("system later", [user, {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Go"}], None),
        ("no messages", [], None),
        ("null user content", [{"role": "user", "content": None}], None),
    ]
    if with_tools:
        call = {"id": "call_1", "type": "function",
                "function": {"name": "get_weather", "arguments": {"city": "Zürich", "unit": "celsius"}}}
        cases += [
            ("tools, no system", [user], [WEATHER_TOOL]),
            ("tools with system", [system, user], [WEATHER_TOOL, SEARCH_TOOL]),
            ("tool call and result", [user, {"role": "assistant", "content": None, "tool_calls": [call]},
                                      {"role": "tool", "content": "{\"temperature\": 21.5}", "tool_call_id": "call_1"}],
             [WEATHER_TOOL]),
            ("two calls, two results, answer", [
                system, user,
                {"role": "assistant", "content": "Let me check.", "tool_calls": [
                    call, {"id": "call_2", "type": "function", "function": {"name": "search", "arguments": {
                        "query": "weather \"today\"", "limit": 3, "exact": True, "score": 0.5, "filters": None,
                        "nested": {"a": [1, 2.0, "三"]}}}}]},
                {"role": "tool", "content": "sunny", "tool_call_id": "call_1"},
                {"role": "tool", "content": "[]", "tool_call_id": "call_2"},
                {"role": "assistant", "content": "It is sunny."},
                {"role": "user", "content": "And tomorrow?"}],
             [WEATHER_TOOL, SEARCH_TOOL]),
            ("flat tool call", [user, {"role": "assistant", "content": "",
                                       "tool_calls": [{"name": "search", "arguments": {"query": "x"}}]}], [SEARCH_TOOL]),
            ("tool result first", [{"role": "tool", "content": "orphan"}], None),
            ("empty tools list", [user], []),
            ("tool call without tools", [user, {"role": "assistant", "tool_calls": [call]}], None),
        ]
    return cases


def model_fixtures(models_dir):
    result = []
    for name, filename in MODELS.items():
        path = os.path.join(models_dir, filename)
        if not os.path.exists(path):
            print(f"skipping {name}: {path} not found", file=sys.stderr)
            continue
        template, bos, eos = read_gguf_template(path)
        if template is None:
            print(f"{name}: no tokenizer.chat_template (raw completion)", file=sys.stderr)
            continue
        cases = []
        for case_name, messages, tools in conversations(with_tools="tools" in template):
            for agp in (True, False):
                context = {"messages": messages, "tools": tools, "documents": None, "add_generation_prompt": agp,
                           "bos_token": bos, "eos_token": eos}
                output = render(template, context)
                case = {"name": f"{case_name}, add_generation_prompt={agp}", "messages": messages,
                        "add_generation_prompt": agp}
                if tools is not None:
                    case["tools"] = tools
                if output is None:
                    case["error"] = True
                else:
                    case["expected"] = output
                cases.append(case)
        result.append({"model": name, "template": template, "bos_token": bos, "eos_token": eos, "cases": cases})
        print(f"{name}: {len(cases)} cases", file=sys.stderr)
    return result


# (template, context). Context values are JSON; the output is jinja2's, or an error.
SNIPPETS = [
    # Text, whitespace control, trim_blocks and lstrip_blocks.
    ("plain text\n", {}),
    ("a\r\nb\rc\n\n", {}),
    ("  {% if true %}\n  x\n  {% endif %}\n  y", {}),
    ("a  {%- if true -%}  b  {%- endif -%}  c", {}),
    ("a  {{- 'x' -}}  b", {}),
    ("line\n    {% if true %}  kept{% endif %}\n", {}),
    ("  {%+ if true %}x{% endif +%}\ny", {}),
    ("{% if true %}x{% endif %}  \nz", {}),
    ("a {# comment #} b\n  {# line comment #}\nc {#- strip -#}  d", {}),
    ("{% raw %}{{ not evaluated }}{% endraw %}", {}),
    ("  {%- raw -%}  {{ x }}  {%- endraw -%}  !", {}),
    ("{{ 'x' }}\n{{ 'y' }}\n", {}),
    ("{% for i in [1, 2] %}\n  {{ i }}\n{% endfor %}\n", {}),
    ("{% if true %}\t\t{% endif %}\t{% if true %}x{% endif %}", {}),
    ("{{ {'a': 1}['a'] }}", {}),
    # Literals and printing as Python's str().
    ("{{ true }} {{ True }} {{ none }} {{ None }} {{ false }}", {}),
    ("{{ 1 }} {{ -2 }} {{ 1.0 }} {{ 1.5e3 }} {{ 1e20 }} {{ 0.1 + 0.2 }} {{ 1_000 }} {{ 0x1F }}", {}),
    ("{{ [1, 'a', none, true, 1.5, [2], {'k': 'v'}] }}", {}),
    ("{{ ('a', 1) }} {{ ('a',) }} {{ () }}", {}),
    ("{{ \"it's\" }} {{ ['it\\'s', 'say \"hi\"', \"both ' \\\"\"] }}", {}),
    ("{{ 'tab\\there\\nnew \\u00e9 \\x41 \\101 \\q' }}", {}),
    ("{{ ['\\n', '\\t', '\\x00', 'é', '\\u200b', '😀'] }}", {}),
    ("{{ 'a' 'b' \"c\" }}", {}),
    ("{{ x }}", {"x": {"b": 1, "a": [True, None, 2.5]}}),
    ("[{{ missing }}] [{{ missing is defined }}] [{{ none.attr is defined }}]", {}),
    ("[{{ missing.attr is defined }}]", {}),
    # Operators.
    ("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 2 ** 3 ** 2 }} {{ 2 ** -1 }}", {}),
    ("{{ 1 + 2 * 3 - 4 }} {{ (1 + 2) * 3 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ true + 1 }}", {}),
    ("{{ 'ab' * 3 }} {{ [1] * 2 }} {{ 'a' + 'b' }} {{ [1] + [2] }} {{ 1 ~ 'x' ~ none ~ true }}", {}),
    ("{{ -x|abs }} {{ - 3 ** 2 }} {{ not true or true }} {{ not (true or true) }}", {"x": 5}),
    ("{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 1 == 1.0 }} {{ 1 != 'a' }}", {}),
    ("{{ 'a' in 'cat' }} {{ 'z' not in 'cat' }} {{ 1 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'x' in missing }}", {}),
    ("{{ 0 or 'default' }} {{ 'a' and 'b' }} {{ '' and 'b' }} {{ none or [] }}", {}),
    ("{{ 'yes' if x else 'no' }} {{ 'yes' if not x else 'no' }} [{{ 'only' if false }}]", {"x": 1}),
    ("{{ 'a' if false else 'b' if false else 'c' }}", {}),
    ("{{ x[0] }} {{ x[-1] }} {{ x[1:] }} {{ x[:-1] }} {{ x[::-1] }} {{ x[::2] }} {{ x[5:] }} [{{ x[10] }}]", {"x": [1, 2, 3, 4]}),
    ("{{ s[0] }} {{ s[-1] }} {{ s[1:3] }} {{ s[::-1] }}", {"s": "héllo😀"}),
    ("{{ d.a }} {{ d['a'] }} {{ d.items is defined }} [{{ d.missing }}] {{ d.get('a') }} {{ d.get('z', 'dflt') }} {{ d.get('z') }}", {"d": {"a": 1}}),
    ("{{ m.role }} {{ m['content'] }} {{ m.content.upper() }}", {"m": {"role": "user", "content": "hi"}}),
    # Statements.
    ("{% if x %}a{% elif y %}b{% else %}c{% endif %}", {"x": 0, "y": 1}),
    ("{% if x is defined and x %}a{% else %}b{% endif %}", {}),
    ("{% for x in items %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}", {"items": ["a", "b", "c"]}),
    ("{% for x in items %}{{ loop.previtem }}-{{ x }}-{{ loop.nextitem }};{% endfor %}", {"items": [1, 2, 3]}),
    ("{% for x in items %}{{ loop.cycle('odd', 'even') }}{% endfor %}", {"items": [1, 2, 3]}),
    ("{% for x in items if x > 1 %}{{ x }}{{ loop.length }}{% endfor %}", {"items": [1, 2, 3]}),
    ("{% for x in items %}{{ x }}{% else %}empty{% endfor %}", {"items": []}),
    ("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"b": 1, "a": 2}}),
    ("{% for k in d %}{{ k }}{% endfor %} {% for c in 'abc' %}{{ c }}.{% endfor %}", {"d": {"x": 1, "y": 2}}),
    ("{% for x in [1, 2, 3, 4] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}", {}),
    ("{% for row in [[1, 2], [3]] %}{% for x in row %}{{ loop.index }}:{{ x }} {% endfor %}/{{ loop.index }} {% endfor %}", {}),
    ("{% set x = 1 %}{% for i in [1, 2] %}{{ x }}{% set x = i * 10 %}{{ x }} {% endfor %}{{ x }}", {}),
    ("{% if true %}{% set y = 'set in if' %}{% endif %}{{ y }}", {}),
    ("{% set ns = namespace(count=0, found=false) %}{% for i in [1, 2, 3] %}{% set ns.count = ns.count + i %}{% endfor %}{{ ns.count }} {{ ns.found }}", {}),
    ("{% set a, b = 1, 2 %}{{ a }}{{ b }} {% set t = (1, 2) %}{{ t }}", {}),
    ("{% set block %}  inner {{ 1 + 1 }}  {% endset %}[{{ block }}]", {}),
    ("{% set block | upper | trim %}  shout  {% endset %}[{{ block }}]", {}),
    ("{% macro greet(name, punct='!') %}Hello {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bo', punct='?') }} {{ greet() }}", {}),
    ("{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1)|int }}{% endif %}{% endmacro %}{{ fact(5) }}", {}),
    ("{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inside{% endcall %}", {}),
    ("{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) each([1, 2]) %}[{{ x }}]{% endcall %}", {}),
    ("{% filter upper %}shout {{ 'me' }}{% endfilter %}", {}),
    ("{% for x in [[1, [2]], [3]] recursive %}({% if x is iterable %}{{ loop(x) }}{% else %}{{ x }}{% endif %}){% endfor %}", {}),
    ("{{ range(3)|list }} {{ range(1, 7, 2)|list }} {{ range(5, 0, -2)|list }} {% for i in range(2) %}{{ i }}{% endfor %}", {}),
    ("{{ dict(a=1, b='x') }} {{ namespace(a=1).a }}", {}),
    ("{% set j = joiner(', ') %}{% for x in [1, 2, 3] %}{{ j() }}{{ x }}{% endfor %}", {}),
    ("{% for x in [1, 1, 2] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}", {}),
    # Filters.
    ("[{{ '  pad \\n'|trim }}] [{{ 'xxhixx'|trim('x') }}] {{ 'abc'|length }} {{ [1, 2]|count }} {{ {'a': 1}|length }} {{ missing|length }}", {}),
    ("{{ x|tojson }} {{ x|tojson(indent=2) }}", {"x": {"name": "é\"\\", "n": [1, 2.5, None, True], "e": {}, "l": []}}),
    ("{{ x|tojson(separators=(',', ':'), sort_keys=true) }} {{ x|tojson(ensure_ascii=true) }}", {"x": {"b": "ü", "a": 1}}),
    ("{{ 'str'|tojson }} {{ 3|tojson }} {{ 1.0|tojson }} {{ none|tojson }}", {}),
    ("{% for k, v in d|items %}{{ k }}{{ v }}{% endfor %} {{ d|items|list }}", {"d": {"x": 1, "y": [2]}}),
    ("{{ [3, 1, 2]|first }} {{ [3, 1, 2]|last }} {{ 'abc'|first }} [{{ []|first }}]", {}),
    ("{{ ['a', 'b']|join }} {{ ['a', 'b']|join(', ') }} {{ [1, none]|join('-') }} {{ users|join(', ', attribute='name') }}", {"users": [{"name": "a"}, {"name": "b"}]}),
    ("{{ 'Hello World'|upper }} {{ 'Hello World'|lower }} {{ 'hello WORLD'|capitalize }} {{ 'hello big world'|title }}", {}),
    ("{{ missing|default('dflt') }} {{ ''|default('dflt') }} {{ ''|default('dflt', true) }} {{ none|d('n') }}", {}),
    ("{{ 42|string }} {{ none|string }} {{ [1]|string }} {{ '42'|int + 1 }} {{ '4.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ 3.9|int }} {{ true|int }}", {}),
    ("{{ '1.5'|float }} {{ 2|float }} {{ 'x'|float }} {{ 'ab'|list }} {{ {'k': 1}|list }}", {}),
    ("{{ users|map(attribute='name')|list }} {{ ['a', 'b']|map('upper')|list }} {{ users|map(attribute='age', default=0)|list }}", {"users": [{"name": "a", "age": 3}, {"name": "b"}]}),
    ("{{ users|selectattr('active')|map(attribute='name')|join }} {{ users|rejectattr('active')|map(attribute='name')|join }}", {"users": [{"name": "a", "active": True}, {"name": "b", "active": False}]}),
    ("{{ msgs|selectattr('role', 'equalto', 'user')|list|length }} {{ msgs|selectattr('role', '==', 'tool')|list }}", {"msgs": [{"role": "user"}, {"role": "assistant"}, {"role": "user"}]}),
    ("{{ [1, 2, 3, 4]|select('odd')|list }} {{ [1, 2, 3, 4]|reject('even')|list }} {{ [0, 1, '', 'a']|select|list }}", {}),
    ("{{ text|indent }}|{{ text|indent(2, true) }}|{{ text|indent('> ', blank=true) }}", {"text": "a\n\nb\n"}),
    ("{{ 'aXbX'|replace('X', '-') }} {{ 'aaa'|replace('a', 'b', 2) }} {{ [1, 2, 3]|reverse|list }} {{ 'abc'|reverse }}", {}),
    ("{{ ['a', 'A', 'b', 'a']|unique|list }} {{ ['a', 'A']|unique(case_sensitive=true)|list }}", {}),
    ("{{ [3, 1, 2]|sort }} {{ ['b', 'A', 'c']|sort }} {{ [3, 1, 2]|sort(reverse=true) }} {{ users|sort(attribute='n')|map(attribute='n')|list }}", {"users": [{"n": 2}, {"n": 1}]}),
    ("{{ [1, 2, 3]|sum }} {{ [1, 5, 3]|max }} {{ [4, 2, 8]|min }} {{ -3|abs }} {{ 2.5|round }} {{ 3.14159|round(2) }} {{ 2.7|round(method='floor') }}", {}),
    ("{{ {'b': 1, 'a': 2}|dictsort }} {{ [1, 2, 3, 4, 5]|batch(2)|list }} {{ 'a<b>&\"c\\''|e }} {{ 'two words here'|wordcount }}", {}),
    ("{{ 'x'|center(5) }}|{{ d|attr('a') }}|{{ 'abc'|safe }}", {"d": {"a": 1}}),
    # Tests.
    ("{{ x is defined }} {{ y is undefined }} {{ n is none }} {{ x is not none }} {{ s is string }} {{ x is string }}", {"x": 1, "n": None, "s": "s"}),
    ("{{ d is mapping }} {{ l is mapping }} {{ l is iterable }} {{ s is iterable }} {{ 1 is iterable }} {{ l is sequence }} {{ d is sequence }}", {"d": {}, "l": [], "s": ""}),
    ("{{ 1 is number }} {{ 1.5 is number }} {{ true is number }} {{ 's' is number }} {{ 1 is integer }} {{ true is integer }} {{ 1.0 is float }}", {}),
    ("{{ true is boolean }} {{ 1 is boolean }} {{ true is true }} {{ 1 is true }} {{ false is false }} {{ 0 is false }}", {}),
    ("{{ 3 is odd }} {{ 3 is even }} {{ 9 is divisibleby 3 }} {{ 'a' is equalto 'a' }} {{ 1 is eq 2 }} {{ 2 is gt 1 }} {{ 'ab' is lower }} {{ 'AB' is upper }}", {}),
    ("{{ 'a' is in 'cat' }} {{ none is sameas none }} {{ range is callable }} {{ 'upper' is filter }} {{ 'odd' is test }}", {}),
    # String methods.
    ("[{{ '  x  '.strip() }}] [{{ '  x  '.lstrip() }}] [{{ '  x  '.rstrip() }}] [{{ 'xxaxx'.strip('x') }}]", {}),
    ("{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a b c'.rsplit(' ', 1) }} {{ 'a\\nb\\r\\nc'.splitlines() }}", {}),
    ("{{ 'hello'.startswith('he') }} {{ 'hello'.endswith('lo') }} {{ 'hello'.startswith(('x', 'h')) }} {{ 'Hi'.upper() }} {{ 'Hi'.lower() }}", {}),
    ("{{ 'a-b-c'.replace('-', '+') }} {{ 'hello'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'hello'.find('z') }} {{ 'hello'.count('l') }} {{ ', '.join(['a', 'b']) }}", {}),
    ("{{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ '123'.isdigit() }} {{ 'abc'.isalpha() }} {{ ' '.isspace() }}", {}),
    ("{{ [1, 2, 1].count(1) }} {{ [1, 2].index(2) }} {{ d.keys()|list }} {{ d.values()|list }}", {"d": {"a": 1, "b": 2}}),
    # Errors.
    ("{{ raise_exception('Only user and assistant roles are supported!') }}", {}),
    ("{{ x.append(1) }}", {"x": []}),
    ("{{ missing.attr }}", {}),
    ("{{ missing + 1 }}", {}),
    ("{{ 'a' + 1 }}", {}),
    ("{{ 1 / 0 }}", {}),
    ("{{ 'a' < 1 }}", {}),
    ("{{ range(100001)|length }}", {}),
    ("{{ x|tojson }}", {}),
    ("{{ 1 in none }}", {}),
    ("{% for x in 5 %}{% endfor %}", {}),
    ("{% set x.y = 1 %}", {"x": {}}),
    ("{{ d|items|list }}", {"d": [1]}),
    ("{{ 'x'|nosuchfilter }}", {}),
    ("{{ 1 is nosuchtest }}", {}),
    ("{% if true %}unclosed", {}),
    ("{% for %}{% endfor %}", {}),
    ("{{ 1 + }}", {}),
    ("{{ 'unterminated }}", {}),
    ("{% endif %}", {}),
    ("{% unknowntag %}", {}),
    ("{{ (1 }}", {}),
    ("{# never closed", {}),
    ("{% raw %}never closed", {}),
    ("{% macro m(a=1, b) %}{% endmacro %}", {}),
    ("{{ 1 is defined is defined }}", {}),
]


def snippet_fixtures():
    result = []
    for template, context in SNIPPETS:
        output = render(template, context)
        entry = {"template": template, "context": context}
        if output is None:
            entry["error"] = True
        else:
            entry["expected"] = output
        result.append(entry)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=os.path.expanduser("~/.cache/hearth/models"))
    args = parser.parse_args()
    print(f"jinja2 {jinja2.__version__}", file=sys.stderr)
    os.makedirs(FIXTURES, exist_ok=True)
    outputs = {"models.json": model_fixtures(args.models), "snippets.json": snippet_fixtures()}
    for name, content in outputs.items():
        with open(os.path.join(FIXTURES, name), "w", encoding="utf-8") as f:
            json.dump(content, f, ensure_ascii=False, indent=1)
            f.write("\n")
    print(f"wrote {len(outputs['snippets.json'])} snippets to {FIXTURES}", file=sys.stderr)


if __name__ == "__main__":
    main()
