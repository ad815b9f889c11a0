#!/usr/bin/env python3
"""Drives `hearth serve` with the official `openai` Python package, as applications do.

Self-contained: starts the server on a free port (and a second, deliberately tiny one for the
429 test), waits for /health, runs the tests, then stops both with SIGTERM and checks that they
shut down cleanly. Needs `pip install openai` and a built binary:

    swift build -c release && python3 scripts/test_openai_client.py
    HEARTH_BIN=path/to/hearth HEARTH_TEST_MODEL=smollm2-135m-instruct python3 scripts/test_openai_client.py
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai

from server_process import free_port

ROOT = Path(__file__).resolve().parent.parent
BINARY = os.environ.get("HEARTH_BIN", str(ROOT / ".build" / "release" / "hearth"))
MODEL = os.environ.get("HEARTH_TEST_MODEL", "smollm2-135m-instruct")
API_KEY = "test-key-123"


class Server:
    """A `hearth serve` process on a free port, stopped with SIGTERM."""

    def __init__(self, *arguments, model=MODEL):
        self.port = free_port()
        self.log = open(f"/tmp/hearth-serve-{self.port}.log", "w+")
        self.process = subprocess.Popen(
            [BINARY, "serve", model, "--port", str(self.port), *arguments],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"hearth serve exited early:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.time() > deadline:
                self.stop()
                raise RuntimeError(f"hearth serve did not become healthy:\n{self.output()}")
            time.sleep(0.2)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def output(self):
        self.log.flush()
        self.log.seek(0)
        text = self.log.read()
        self.log.seek(0, 2)
        return text

    def get(self, path, key=API_KEY):
        request = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": f"Bearer {key}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read().decode()

    def stop(self, timeout=30):
        """SIGTERM, then the exit status (None if it had to be killed)."""
        status = self.process.returncode
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                status = self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                status = None
        self.log.flush()
        return status

    def metric(self, name):
        for line in self.get("/metrics").splitlines():
            if line.startswith(name + "{") or line.startswith(name + " "):
                return float(line.rsplit(" ", 1)[1])
        return None


SERVER = None


def client(**options):
    options.setdefault("max_retries", 0)
    return openai.OpenAI(base_url=f"{SERVER.url}/v1", api_key=API_KEY, **options)


class OpenAIClientTests(unittest.TestCase):
    def test_models(self):
        ids = [model.id for model in client().models.list()]
        self.assertEqual(ids, [MODEL])

    def test_completion(self):
        response = client().completions.create(model=MODEL, prompt="The capital of France is", max_tokens=8, temperature=0)
        self.assertEqual(response.object, "text_completion")
        self.assertTrue(response.choices[0].text)
        self.assertEqual(response.choices[0].finish_reason, "length")
        self.assertEqual(response.usage.completion_tokens, 8)
        self.assertEqual(response.usage.total_tokens, response.usage.prompt_tokens + 8)

    def test_chat_and_its_stream_agree(self):
        messages = [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "Name three colours."}]
        whole = client().chat.completions.create(model=MODEL, messages=messages, max_tokens=24, temperature=0)
        text = whole.choices[0].message.content
        self.assertEqual(whole.choices[0].message.role, "assistant")
        self.assertTrue(text)
        pieces, usage, finish = [], None, None
        stream = client().chat.completions.create(model=MODEL, messages=messages, max_tokens=24, temperature=0,
                                                  stream=True, stream_options={"include_usage": True})
        for chunk in stream:
            if chunk.usage is not None:
                usage = chunk.usage
            for choice in chunk.choices:
                pieces.append(choice.delta.content or "")
                finish = choice.finish_reason or finish
        self.assertEqual("".join(pieces), text)
        self.assertEqual(finish, whole.choices[0].finish_reason)
        self.assertEqual(usage.completion_tokens, whole.usage.completion_tokens)
        self.assertEqual(usage.prompt_tokens, whole.usage.prompt_tokens)

    def test_streamed_completion(self):
        stream = client().completions.create(model=MODEL, prompt="Once upon a time", max_tokens=10, temperature=0, stream=True)
        text = "".join(choice.text for chunk in stream for choice in chunk.choices)
        whole = client().completions.create(model=MODEL, prompt="Once upon a time", max_tokens=10, temperature=0)
        self.assertEqual(text, whole.choices[0].text)

    def test_json_schema_output_parses_and_validates(self):
        # Strings and arrays are bounded so every value fits max_tokens (the automaton does not steer towards an end).
        schema = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 40}, "age": {"type": "integer"},
                                                    "colours": {"type": "array", "maxItems": 5, "items": {"type": "string", "enum": ["red", "green", "blue"]}}},
                  "required": ["name", "age", "colours"], "additionalProperties": False}
        for seed in range(3):
            response = client().chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "Describe a person as JSON."}], max_tokens=200,
                temperature=0.8, seed=seed,
                response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": schema, "strict": True}})
            self.assertEqual(response.choices[0].finish_reason, "stop", response.choices[0].message.content)
            value = json.loads(response.choices[0].message.content)
            self.assertEqual(set(value), {"name", "age", "colours"})
            self.assertIsInstance(value["name"], str)
            self.assertIsInstance(value["age"], int)
            self.assertTrue(all(colour in ("red", "green", "blue") for colour in value["colours"]))
        # Any object has no bounds, and a 135M model asked for "some JSON" at temperature 1 can ramble
        # past any max_tokens inside one string; a concrete request, greedy, ends on its own.
        anything = client().chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Give a small JSON object with your name and age."}],
            max_tokens=120, temperature=0, response_format={"type": "json_object"})
        self.assertEqual(anything.choices[0].finish_reason, "stop", anything.choices[0].message.content)
        self.assertIsInstance(json.loads(anything.choices[0].message.content), dict)

    def test_errors_are_the_clients_own_exceptions(self):
        with self.assertRaises(openai.NotFoundError) as caught:
            client().completions.create(model="no-such-model", prompt="hi")
        self.assertEqual(caught.exception.code, "model_not_found")
        with self.assertRaises(openai.BadRequestError) as caught:
            client().completions.create(model=MODEL, prompt="hi", temperature="hot")
        self.assertEqual(caught.exception.param, "temperature")
        with self.assertRaises(openai.BadRequestError) as caught:
            client().chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "word " * 5000}])
        self.assertEqual(caught.exception.code, "context_length_exceeded")
        with self.assertRaises(openai.BadRequestError):
            client().chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "x"}],
                response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "nonsense"}}})
        with self.assertRaises(openai.AuthenticationError):
            openai.OpenAI(base_url=f"{SERVER.url}/v1", api_key="wrong", max_retries=0).models.list()
        # /health needs no key; everything else does.
        with urllib.request.urlopen(f"{SERVER.url}/health") as response:
            self.assertEqual(response.status, 200)

    def test_echo_logprobs_for_evaluation_harnesses(self):
        prompt = "The quick brown fox jumps over the lazy dog"
        response = client().completions.create(model=MODEL, prompt=prompt, max_tokens=0, echo=True, logprobs=1, temperature=0)
        choice = response.choices[0]
        self.assertEqual(choice.text, prompt)
        values = choice.logprobs.token_logprobs
        self.assertEqual(len(values), response.usage.prompt_tokens)
        self.assertIsNone(values[0])
        self.assertTrue(all(value <= 0 for value in values[1:]))
        self.assertEqual("".join(choice.logprobs.tokens), prompt)
        # lm-evaluation-harness's form: token ids, max_tokens 1, the generated token dropped after.
        ids = client().completions.create(model=MODEL, prompt=[1, 504, 2365, 6354], max_tokens=1, echo=True, logprobs=1, temperature=0)
        self.assertEqual(len(ids.choices[0].logprobs.token_logprobs), 4 + ids.usage.completion_tokens)
        self.assertIsNone(ids.choices[0].logprobs.token_logprobs[0])

    def test_seeded_choices_are_reproducible(self):
        def sample():
            response = client().completions.create(model=MODEL, prompt="My favourite animal is", max_tokens=12, n=2,
                                                   temperature=1.0, seed=42)
            return [choice.text for choice in response.choices]
        first = sample()
        self.assertEqual(len(first), 2)
        self.assertEqual(sample(), first)

    def test_seeded_request_alone_and_among_fifteen_others(self):
        request = dict(model=MODEL, messages=[{"role": "user", "content": "Write a haiku about autumn."}],
                       max_tokens=40, temperature=0.9, seed=7)
        alone = client().chat.completions.create(**request).choices[0].message.content

        def other(i):
            return client().chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": f"Tell me fact number {i} about space."}],
                max_tokens=20 + i, temperature=0.7, seed=i).choices[0].message.content

        with ThreadPoolExecutor(max_workers=16) as pool:
            futures = [pool.submit(other, i) for i in range(8)]
            target = pool.submit(lambda: client().chat.completions.create(**request).choices[0].message.content)
            futures += [pool.submit(other, i) for i in range(8, 15)]
            together = target.result()
            for future in futures:
                future.result()
        self.assertEqual(together, alone)

    def test_disconnect_frees_the_slot(self):
        stream = client().completions.create(model=MODEL, prompt="Count to a thousand: 1, 2, 3,", max_tokens=2000,
                                             temperature=0, stream=True)
        for index, _ in enumerate(stream):
            if index == 3:
                break
        stream.close()
        deadline = time.time() + 10
        while SERVER.metric("hearth_active_slots") != 0 and time.time() < deadline:
            time.sleep(0.1)
        self.assertEqual(SERVER.metric("hearth_active_slots"), 0)

    def test_metrics(self):
        client().completions.create(model=MODEL, prompt="Hello", max_tokens=3)
        text = SERVER.get("/metrics")
        for name in ["hearth_requests_total", "hearth_prompt_tokens_total", "hearth_completion_tokens_total",
                     "hearth_queue_depth", "hearth_time_to_first_token_seconds_bucket", "hearth_tokens_per_second_count"]:
            self.assertIn(name, text)


class ToolCallTests(unittest.TestCase):
    """Tool calls on a model whose template teaches them (Qwen2.5: `<tool_call>` JSON), as an agent
    loop drives them: the call comes back as `tool_calls`, the result goes back as a `tool` message."""

    TOOL_MODEL = "qwen2.5-coder-0.5b-instruct"
    TOOLS = [{"type": "function", "function": {
        "name": "get_weather", "description": "Current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    QUESTION = [{"role": "user", "content": "What is the weather in Paris right now?"}]

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--parallel", "2", model=cls.TOOL_MODEL)
        cls.client = openai.OpenAI(base_url=f"{cls.server.url}/v1", api_key="unused", max_retries=0)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_call_then_result_then_answer(self):
        first = self.client.chat.completions.create(model=self.TOOL_MODEL, messages=self.QUESTION, tools=self.TOOLS,
                                                    temperature=0, max_tokens=64)
        choice = first.choices[0]
        self.assertEqual(choice.finish_reason, "tool_calls", choice.message)
        call = choice.message.tool_calls[0]
        self.assertEqual(call.type, "function")
        self.assertEqual(call.function.name, "get_weather")
        self.assertEqual(json.loads(call.function.arguments), {"city": "Paris"})
        messages = self.QUESTION + [choice.message.model_dump(exclude_none=True),
                                    {"role": "tool", "tool_call_id": call.id, "content": "18 C and sunny"}]
        second = self.client.chat.completions.create(model=self.TOOL_MODEL, messages=messages, tools=self.TOOLS,
                                                     temperature=0, max_tokens=40)
        self.assertTrue(second.choices[0].message.content)

    def test_streamed_call(self):
        stream = self.client.chat.completions.create(model=self.TOOL_MODEL, messages=self.QUESTION, tools=self.TOOLS,
                                                     temperature=0, max_tokens=64, stream=True)
        calls, finish = [], None
        for chunk in stream:
            for choice in chunk.choices:
                calls += choice.delta.tool_calls or []
                finish = choice.finish_reason or finish
        self.assertEqual(finish, "tool_calls")
        self.assertEqual([c.function.name for c in calls], ["get_weather"])
        self.assertEqual(json.loads(calls[0].function.arguments), {"city": "Paris"})

    def test_tool_choice_none_answers_in_text(self):
        response = self.client.chat.completions.create(model=self.TOOL_MODEL, messages=self.QUESTION, tools=self.TOOLS,
                                                       tool_choice="none", temperature=0, max_tokens=16)
        self.assertIsNone(response.choices[0].message.tool_calls)


class ReasoningServerTests(unittest.TestCase):
    """A reasoning template (it opens `<think>` in the generation prompt, as DeepSeek-R1's distills
    do) served with a budget: the client reads the thoughts as `reasoning_content`, apart from the
    answer, streamed and not, as it reads them from DeepSeek's API or vLLM."""

    TEMPLATE = str(ROOT / "scripts" / "fixtures" / "think-template.jinja")
    QUESTION = [{"role": "user", "content": "What is the capital of France?"}]

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--parallel", "2", "--chat-template-file", cls.TEMPLATE, "--reasoning-budget", "4")
        cls.client = openai.OpenAI(base_url=f"{cls.server.url}/v1", api_key="unused", max_retries=0)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def ask(self, **options):
        return self.client.chat.completions.create(model=MODEL, messages=self.QUESTION, temperature=0, max_tokens=40, **options)

    def test_reasoning_content_apart_from_the_answer_streamed_and_not(self):
        message = self.ask().choices[0].message
        reasoning = getattr(message, "reasoning_content", None)
        self.assertTrue(reasoning, message)
        self.assertTrue(message.content, message)
        self.assertNotIn("</think>", reasoning + message.content)
        streamed_reasoning, streamed_content = "", ""
        for chunk in self.ask(stream=True):
            for choice in chunk.choices:
                streamed_reasoning += getattr(choice.delta, "reasoning_content", None) or ""
                text = choice.delta.content or ""
                if text:
                    self.assertEqual(streamed_reasoning, reasoning, "the thoughts come whole before the answer")
                streamed_content += text
        self.assertEqual(streamed_reasoning, reasoning)
        self.assertEqual(streamed_content, message.content)

    def test_json_schema_after_the_thoughts(self):
        schema = {"type": "object", "properties": {"capital": {"type": "string"}}, "required": ["capital"]}
        response = self.client.chat.completions.create(
            model=MODEL, messages=self.QUESTION, temperature=0, max_tokens=80,
            response_format={"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}})
        message = response.choices[0].message
        self.assertTrue(getattr(message, "reasoning_content", None), message)
        self.assertIsInstance(json.loads(message.content)["capital"], str)

    def test_thinking_switched_off_through_the_template(self):
        response = self.ask(extra_body={"chat_template_kwargs": {"enable_thinking": False}})
        self.assertIsNone(getattr(response.choices[0].message, "reasoning_content", None))
        self.assertTrue(response.choices[0].message.content)


class BusyServerTests(unittest.TestCase):
    """A server with one slot and no queue: a second concurrent request is refused with 429."""

    def test_full_queue_is_a_rate_limit_error(self):
        busy = Server("--parallel", "1", "--queue-size", "0")
        try:
            busy_client = openai.OpenAI(base_url=f"{busy.url}/v1", api_key="unused", max_retries=0)
            stream = busy_client.completions.create(model=MODEL, prompt="Count: 1, 2,", max_tokens=500, temperature=0, stream=True)
            next(iter(stream))  # the slot is now taken
            with self.assertRaises(openai.RateLimitError) as caught:
                busy_client.completions.create(model=MODEL, prompt="hi", max_tokens=2)
            self.assertIsNotNone(caught.exception.response.headers.get("retry-after"))
            stream.close()
        finally:
            status = busy.stop()
            output = busy.output()
            busy.log.close()
        self.assertEqual(status, 0, output)


def main():
    global SERVER
    SERVER = Server("--parallel", "4", "--api-key", API_KEY)
    try:
        result = unittest.main(exit=False, verbosity=2).result
    finally:
        status = SERVER.stop()
    if status != 0:
        print(f"hearth serve did not shut down cleanly on SIGTERM (status {status}):\n{SERVER.output()[-3000:]}")
        sys.exit(1)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
