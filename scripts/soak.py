#!/usr/bin/env python3
"""Soak test of `hearth serve` (#15 item 3): many clients, for many minutes, mixing well-behaved,
impatient, broken and hostile requests, while the server's memory and slots are watched.

Starts `hearth serve MODEL --parallel P --ctx-size C` on a free port, then runs --clients threads
for --minutes. Each thread loops, picking a behaviour with its own seeded random generator (the
sequence of behaviours and requests is the same on every run with the same --seed):

  stream_full     a streamed chat or completion read to its end: status 200, every event JSON, a
                  finish_reason, the usage chunk when asked for, `data: [DONE]` last
  stream_cancel   a streamed request closed (FIN) after a few events
  abrupt          half a request then close: headers only in part, a body shorter than its
                  Content-Length (closed with FIN or with RST, SO_LINGER 0), a streamed response
                  reset (RST) midway, a non-streamed request abandoned before its answer
  malformed       1 to 3 broken requests on one keep-alive connection (invalid JSON, wrong types,
                  values out of range, unknown model or route, ...): each a 4xx with a JSON `error`
                  object, never a 5xx, never a dropped connection
  oversized       a 9 MB body (over the 8 MB limit): 413 with a JSON error object, not a reset
  over_context    a ~30,000-token prompt against the context: 400 naming the context, never 200
  seeded          one of 8 fixed non-streamed requests (seeded sampling, or greedy): every answer
                  must equal the first answer to the same request

Every --sample-seconds the server's resident memory (VmRSS), open file descriptors, threads, and
the /metrics gauges (active slots, queue depth) are sampled. When the clients stop, the soak waits
for the server to go idle and reads /metrics: active slots then are slots leaked. A normal request
must still be answered, and the server must shut down cleanly on SIGTERM.

Printed, and written as JSON with --output: requests by kind, responses by status, errors by kind,
slots leaked, queue at the end, RSS after warm-up (the first 10% of the run) / peak / end, answers
changed, the server's exit status, and each invariant. Exits 1 when an invariant fails (a 5xx
seen by a client, a connection reset or dropped by the server, a bad stream, a timeout, an
unexpected status, slots leaked, a changed answer, an over-context prompt answered 200, the server
dead), 2 when the server does not start.

A request whose client hung up (mid-body, or with a reset while the answer was generated) is a 499
in /metrics, as a stream cut short is; any 5xx in /metrics fails the run. (Before the fix, Hearth
counted those as 500s: --allow-hangup-5xx accepts as many 5xx as such disconnects, to soak an older
binary.) Also reported: generations the server answered
200 that no client read in full (a non-streamed request whose client closed with FIN is not
cancelled, and runs to max_tokens).

    swift build -c release
    python3 scripts/soak.py --minutes 30 --clients 16 --output docs/soak/soak-30min.json
    python3 scripts/soak.py --minutes 0.5 --clients 8        # a short pass, for CI
"""
import argparse
import json
import os
import platform
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from server_process import ServerNotReady, free_port, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = Path.home() / ".cache" / "hearth" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"

WEIGHTS = {
    "stream_full": 24,
    "stream_cancel": 12,
    "abrupt": 12,
    "malformed": 16,
    "oversized": 3,
    "over_context": 4,
    "seeded": 29,
}

PROMPTS = [
    "Write a short story about a lighthouse keeper.",
    "Explain how a bicycle works.",
    "List some tips for learning a new language.",
    "Describe the water cycle.",
    "What makes a good cup of tea?",
    "Write a poem about the city at night.",
    "Explain why the sky is blue.",
    "Give advice to someone starting their first job.",
]

OVERSIZED_BYTES = 9 << 20
# About 30,000 tokens with SmolLM2's tokenizer ("hello" and " world" are a token each), ~180 KB.
OVER_CONTEXT_TEXT = "hello world " * 15_000


# MARK: - A small HTTP/1.1 client on raw sockets (abrupt closes need the socket itself)

class ClosedEarly(Exception):
    """The server closed the connection before the response was complete."""


class BadStream(Exception):
    """A 200 event stream that is not well formed."""


class UnexpectedStatus(Exception):
    def __init__(self, status, detail):
        super().__init__(f"status {status}: {detail}")
        self.status = status


class Connection:
    def __init__(self, port, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ClosedEarly("the server closed the connection")
        self.buffer += data

    def read_line(self):
        while True:
            end = self.buffer.find(b"\r\n")
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[:end + 2]
                return line
            if len(self.buffer) > 1 << 20:
                raise BadStream("a line over 1 MB")
            self._fill()

    def read_exact(self, count):
        while len(self.buffer) < count:
            self._fill()
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def read_head(self):
        """The status and headers (names lowercased) of the next response."""
        line = self.read_line().decode("latin-1")
        parts = line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise BadStream(f"not an HTTP status line: {line!r}")
        headers = {}
        while True:
            line = self.read_line()
            if not line:
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(parts[1]), headers

    def body_pieces(self, headers):
        """The body, piece by piece, as it arrives (chunked, Content-Length, or until close)."""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            while True:
                size_line = self.read_line().split(b";")[0].strip()
                try:
                    size = int(size_line, 16)
                except ValueError:
                    raise BadStream(f"bad chunk size line {size_line!r}")
                if size == 0:
                    while self.read_line():  # trailers
                        pass
                    return
                yield self.read_exact(size)
                if self.read_exact(2) != b"\r\n":
                    raise BadStream("a chunk not followed by CRLF")
        elif "content-length" in headers:
            length = int(headers["content-length"])
            if length:
                yield self.read_exact(length)
        else:
            yield bytes(self.buffer)
            self.buffer.clear()
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return
                yield data

    def read_response(self):
        status, headers = self.read_head()
        return status, headers, b"".join(self.body_pieces(headers))

    def close(self, reset=False):
        try:
            if reset:
                # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.sock.close()
        except OSError:
            pass


def request_bytes(method, path, body=b"", content_length=None, extra_headers=()):
    if isinstance(body, str):
        body = body.encode()
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "User-Agent: hearth-soak"]
    if body or content_length is not None or method == "POST":
        lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(body) if content_length is None else content_length}")
    lines += list(extra_headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def error_object(body):
    """The `error` object of a JSON error response, or None."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    error = value.get("error") if isinstance(value, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error
    return None


class SSEReader:
    """Server-sent events of a 200 response, one `data:` payload at a time."""

    def __init__(self, connection, headers):
        self.pieces = connection.body_pieces(headers)
        self.text = b""

    def events(self):
        for piece in self.pieces:
            self.text += piece
            while b"\n\n" in self.text:
                event, self.text = self.text.split(b"\n\n", 1)
                data = [line[5:].strip() for line in event.split(b"\n") if line.startswith(b"data:")]
                if data:
                    yield b"\n".join(data).decode()
        if self.text.strip():
            raise BadStream(f"the stream ends inside an event: {self.text[:200]!r}")


# MARK: - What the clients send

def malformed_cases(model):
    """(name, method, path, body bytes, acceptable statuses): each must get a 4xx with an error object."""
    def chat(**fields):
        body = {"model": model, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 8}
        body.update(fields)
        return json.dumps(body).encode()
    bad_request = {400}
    return [
        ("invalid_json", "POST", "/v1/chat/completions", b'{"model": "x", "messages": [', bad_request),
        ("not_json", "POST", "/v1/chat/completions", b"hello there", bad_request),
        ("empty_body", "POST", "/v1/chat/completions", b"", bad_request),
        ("body_is_array", "POST", "/v1/chat/completions", b"[1, 2, 3]", bad_request),
        ("invalid_utf8", "POST", "/v1/chat/completions", b'{"model": "\xff\xfe", "messages": []}', bad_request),
        ("deep_nesting", "POST", "/v1/chat/completions", b"[" * 5000 + b"]" * 5000, bad_request),
        ("messages_int", "POST", "/v1/chat/completions", chat(messages=5), bad_request),
        ("messages_empty", "POST", "/v1/chat/completions", chat(messages=[]), bad_request),
        ("message_not_object", "POST", "/v1/chat/completions", chat(messages=["hi"]), bad_request),
        ("bad_role", "POST", "/v1/chat/completions", chat(messages=[{"role": "wizard", "content": "hi"}]), bad_request),
        ("content_int", "POST", "/v1/chat/completions", chat(messages=[{"role": "user", "content": 7}]), bad_request),
        ("max_tokens_negative", "POST", "/v1/chat/completions", chat(max_tokens=-1), bad_request),
        ("max_tokens_string", "POST", "/v1/chat/completions", chat(max_tokens="lots"), bad_request),
        ("max_tokens_huge", "POST", "/v1/chat/completions", chat(max_tokens=10 ** 30), bad_request),
        ("temperature_string", "POST", "/v1/chat/completions", chat(temperature="hot"), bad_request),
        ("temperature_out_of_range", "POST", "/v1/chat/completions", chat(temperature=7), bad_request),
        ("top_p_zero", "POST", "/v1/chat/completions", chat(top_p=0), bad_request),
        ("n_too_many", "POST", "/v1/chat/completions", chat(n=1000), bad_request),
        ("seed_string", "POST", "/v1/chat/completions", chat(seed="abc"), bad_request),
        ("stream_string", "POST", "/v1/chat/completions", chat(stream="yes"), bad_request),
        ("stop_object", "POST", "/v1/chat/completions", chat(stop={"a": 1}), bad_request),
        ("logit_bias_bad", "POST", "/v1/chat/completions", chat(logit_bias={"abc": 5}), bad_request),
        ("response_format_bad", "POST", "/v1/chat/completions", chat(response_format={"type": "yaml"}), bad_request),
        ("unknown_model", "POST", "/v1/chat/completions", chat(model="no-such-model"), {404}),
        ("model_missing", "POST", "/v1/chat/completions",
         json.dumps({"messages": [{"role": "user", "content": "Hi"}]}).encode(), bad_request),
        ("completion_prompt_object", "POST", "/v1/completions",
         json.dumps({"model": model, "prompt": {"a": 1}, "max_tokens": 4}).encode(), bad_request),
        ("completion_token_out_of_vocab", "POST", "/v1/completions",
         json.dumps({"model": model, "prompt": [1, 2, 99_999_999], "max_tokens": 4}).encode(), bad_request),
        ("completion_no_prompt", "POST", "/v1/completions", json.dumps({"model": model}).encode(), bad_request),
        ("tokenize_prompt_int", "POST", "/tokenize", json.dumps({"prompt": 7}).encode(), bad_request),
        ("detokenize_bad_tokens", "POST", "/detokenize", json.dumps({"tokens": "abc"}).encode(), bad_request),
        ("unknown_route", "GET", "/v1/no-such-route", b"", {404}),
        ("unknown_route_post", "POST", "/v1/chat/completions/extra", chat(), {404}),
        ("unknown_model_get", "GET", "/v1/models/no-such-model", b"", {404}),
        ("wrong_method", "DELETE", "/v1/chat/completions", b"", {404, 405}),
    ]


def seeded_requests(model):
    """The fixed requests whose answers must never change: seeded sampling and greedy, both endpoints."""
    requests = []
    for index, prompt in enumerate(PROMPTS[:4]):
        requests.append(("/v1/chat/completions", {"model": model, "messages": [{"role": "user", "content": prompt}],
                                                  "max_tokens": 32, "temperature": 0.8, "seed": 1000 + index}))
    for prompt in PROMPTS[4:6]:
        requests.append(("/v1/chat/completions", {"model": model, "messages": [{"role": "user", "content": prompt}],
                                                  "max_tokens": 32, "temperature": 0}))
    requests.append(("/v1/completions", {"model": model, "prompt": "The three most important inventions are",
                                         "max_tokens": 32, "temperature": 1.0, "top_p": 0.9, "seed": 77}))
    requests.append(("/v1/completions", {"model": model, "prompt": "Once upon a time, in a small village,",
                                         "max_tokens": 32, "temperature": 0}))
    return requests


def generation_body(rng, model, stream):
    """A random well-formed generation request: (path, body)."""
    body = {"model": model, "max_tokens": rng.randint(16, 48), "stream": stream,
            "temperature": rng.choice([0, 0.7, 1.0])}
    if stream and rng.random() < 0.5:
        body["stream_options"] = {"include_usage": True}
    if rng.random() < 0.7:
        body["messages"] = [{"role": "user", "content": rng.choice(PROMPTS)}]
        return "/v1/chat/completions", body
    body["prompt"] = rng.choice(PROMPTS)
    return "/v1/completions", body


# MARK: - The soak

class Tally:
    """What the clients saw, shared by every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.behaviours = Counter()     # behaviours run, by kind
        self.requests = Counter()       # HTTP requests sent (in whole or in part), by kind
        self.variants = Counter()       # abrupt variants and malformed cases, by name
        self.statuses = Counter()       # responses by status
        self.errors = Counter()         # failures, by kind
        self.errors_by_behaviour = Counter()
        self.error_samples = []
        self.over_context_200 = 0
        self.answers_received = 0      # generation answers read in full (streams to [DONE], seeded)
        self.streams_completed = 0
        self.stream_tokens = 0
        self.seeded_answers = {}        # index -> first answer
        self.seeded_checks = Counter()  # index -> times compared
        self.answers_changed = 0
        self.changed_samples = []

    def count(self, counter, key, amount=1):
        with self.lock:
            counter[key] += amount

    def error(self, behaviour, kind, detail):
        with self.lock:
            self.errors[kind] += 1
            self.errors_by_behaviour[f"{behaviour}:{kind}"] += 1
            if len(self.error_samples) < 50:
                self.error_samples.append({"time": round(time.time(), 3), "behaviour": behaviour, "kind": kind,
                                           "detail": str(detail)[:500]})


def classify(exception):
    if isinstance(exception, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(exception, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return "connection_reset_by_server"
    if isinstance(exception, ClosedEarly):
        return "connection_dropped_by_server"
    if isinstance(exception, ConnectionRefusedError):
        return "connection_refused"
    if isinstance(exception, BadStream):
        return "bad_stream"
    if isinstance(exception, UnexpectedStatus):
        return "unexpected_status"
    return "other:" + type(exception).__name__


class Client(threading.Thread):
    def __init__(self, index, soak):
        super().__init__(name=f"client-{index}", daemon=True)
        self.soak = soak
        self.rng = random.Random(soak.args.seed * 1_000_003 + index)

    def connect(self):
        return Connection(self.soak.port, self.soak.args.request_timeout)

    def run(self):
        soak = self.soak
        kinds = list(WEIGHTS)
        weights = [WEIGHTS[k] for k in kinds]
        while time.time() < soak.deadline and not soak.stop.is_set():
            kind = self.rng.choices(kinds, weights)[0]
            soak.tally.count(soak.tally.behaviours, kind)
            try:
                getattr(self, kind)()
            except Exception as exception:  # noqa: BLE001 - every failure is counted, none ends the client
                soak.tally.error(kind, classify(exception), repr(exception))

    def respond(self, connection, kind):
        status, headers, body = connection.read_response()
        self.soak.tally.count(self.soak.tally.statuses, status)
        return status, headers, body

    # 1. A stream read to the end.
    def stream_full(self):
        tally = self.soak.tally
        path, body = generation_body(self.rng, self.soak.model_id, stream=True)
        connection = self.connect()
        try:
            tally.count(tally.requests, "stream_full")
            connection.send(request_bytes("POST", path, json.dumps(body)))
            status, headers = connection.read_head()
            tally.count(tally.statuses, status)
            if status != 200:
                raise UnexpectedStatus(status, b"".join(connection.body_pieces(headers))[:300])
            if not headers.get("content-type", "").startswith("text/event-stream"):
                raise BadStream(f"content-type {headers.get('content-type')!r}")
            events = list(SSEReader(connection, headers).events())
        finally:
            connection.close()
        if not events or events[-1] != "[DONE]":
            raise BadStream(f"the stream does not end with [DONE]: last events {events[-2:]!r}")
        if "[DONE]" in events[:-1]:
            raise BadStream("[DONE] before the end of the stream")
        finish_reasons, usage, tokens = [], None, 0
        for event in events[:-1]:
            try:
                chunk = json.loads(event)
            except ValueError:
                raise BadStream(f"an event that is not JSON: {event[:200]!r}")
            if "error" in chunk:
                raise BadStream(f"an error event: {event[:300]}")
            for choice in chunk.get("choices") or []:
                if choice.get("finish_reason"):
                    finish_reasons.append(choice["finish_reason"])
                delta = choice.get("delta", {}).get("content") if "delta" in choice else choice.get("text")
                if delta:
                    tokens += 1
            if chunk.get("usage"):
                usage = chunk["usage"]
        if finish_reasons not in (["length"], ["stop"]):
            raise BadStream(f"finish reasons {finish_reasons!r}")
        if body.get("stream_options") and not usage:
            raise BadStream("include_usage was asked for and no usage chunk came")
        with tally.lock:
            tally.answers_received += 1
            tally.streams_completed += 1
            tally.stream_tokens += usage["completion_tokens"] if usage else tokens

    # 2. A stream cancelled by the client (FIN) after a few events.
    def stream_cancel(self):
        tally = self.soak.tally
        path, body = generation_body(self.rng, self.soak.model_id, stream=True)
        keep = self.rng.randint(1, 4)
        connection = self.connect()
        try:
            tally.count(tally.requests, "stream_cancel")
            connection.send(request_bytes("POST", path, json.dumps(body)))
            status, headers = connection.read_head()
            tally.count(tally.statuses, status)
            if status != 200:
                raise UnexpectedStatus(status, b"".join(connection.body_pieces(headers))[:300])
            for seen, event in enumerate(SSEReader(connection, headers).events(), start=1):
                if event == "[DONE]":  # a short answer, ended before the client meant to leave
                    tally.count(tally.variants, "stream_cancel:ended_first")
                    with tally.lock:
                        tally.answers_received += 1
                if seen >= keep:
                    break
        finally:
            connection.close()

    # 3. Half a request, or a reset mid-response.
    def abrupt(self):
        tally = self.soak.tally
        variant = self.rng.choice(["partial_headers", "partial_body", "partial_body_rst", "rst_midstream",
                                   "abandon_nonstream", "abandon_nonstream_rst"])
        tally.count(tally.variants, "abrupt:" + variant)
        tally.count(tally.requests, "abrupt")
        stream = variant == "rst_midstream"
        path, body = generation_body(self.rng, self.soak.model_id, stream=stream)
        payload = json.dumps(body).encode()
        connection = self.connect()
        try:
            if variant == "partial_headers":
                whole = request_bytes("POST", path, payload)
                cut = whole.index(b"\r\n\r\n")
                connection.send(whole[:self.rng.randint(5, cut)])
                time.sleep(self.rng.uniform(0, 0.5))
                connection.close()
            elif variant in ("partial_body", "partial_body_rst"):
                head = request_bytes("POST", path, content_length=len(payload) + self.rng.randint(0, 5000))
                connection.send(head + payload[:self.rng.randint(0, len(payload) - 1)])
                time.sleep(self.rng.uniform(0, 0.5))
                connection.close(reset=variant.endswith("_rst"))
            elif variant == "rst_midstream":
                connection.send(request_bytes("POST", path, payload))
                status, headers = connection.read_head()
                tally.count(tally.statuses, status)
                if status != 200:
                    raise UnexpectedStatus(status, b"".join(connection.body_pieces(headers))[:300])
                keep = self.rng.randint(1, 3)
                for seen, _ in enumerate(SSEReader(connection, headers).events(), start=1):
                    if seen >= keep:
                        break
                connection.close(reset=True)
            else:
                connection.send(request_bytes("POST", path, payload))
                time.sleep(self.rng.uniform(0, 0.5))
                connection.close(reset=variant.endswith("_rst"))
        finally:
            connection.close()

    # 4. Broken requests on one keep-alive connection.
    def malformed(self):
        tally = self.soak.tally
        cases = self.rng.sample(self.soak.malformed, self.rng.randint(1, 3))
        connection = self.connect()
        try:
            for number, (name, method, path, body, acceptable) in enumerate(cases):
                tally.count(tally.variants, "malformed:" + name)
                tally.count(tally.requests, "malformed")
                try:
                    connection.send(request_bytes(method, path, body))
                    status, headers, response = self.respond(connection, "malformed")
                except (ClosedEarly, ConnectionResetError, BrokenPipeError) as exception:
                    # A keep-alive connection the server dropped between requests shows as a
                    # failure of the next request: counted, as a client would see it.
                    raise type(exception)(f"{name} (request {number + 1} on the connection): {exception}")
                if status not in acceptable or error_object(response) is None:
                    raise UnexpectedStatus(status, f"{name}: expected {sorted(acceptable)} with an error object, "
                                                   f"got {response[:300]!r}")
                if headers.get("connection", "").lower() == "close":
                    connection.close()
                    connection = self.connect()
        finally:
            connection.close()

    # 5. A body over the limit: 413 with an error object, read while the body is still being sent.
    def oversized(self):
        tally = self.soak.tally
        tally.count(tally.requests, "oversized")
        connection = self.connect()
        send_error = []

        def sender():
            try:
                connection.send(self.soak.oversized_request)
            except OSError as exception:  # the server may stop reading once it has answered
                send_error.append(exception)

        thread = threading.Thread(target=sender, daemon=True)
        try:
            thread.start()
            status, headers, response = self.respond(connection, "oversized")
        finally:
            connection.close()
            thread.join(timeout=5)
        if status != 413 or error_object(response) is None:
            raise UnexpectedStatus(status, f"oversized: expected 413 with an error object, got {response[:300]!r}")

    # 6. A prompt longer than the context: 400 naming the context, never an answer.
    def over_context(self):
        tally = self.soak.tally
        tally.count(tally.requests, "over_context")
        body = {"model": self.soak.model_id, "max_tokens": 8, "temperature": 0}
        if self.rng.random() < 0.5:
            path, body["messages"] = "/v1/chat/completions", [{"role": "user", "content": OVER_CONTEXT_TEXT}]
        else:
            path, body["prompt"] = "/v1/completions", OVER_CONTEXT_TEXT
        connection = self.connect()
        try:
            connection.send(request_bytes("POST", path, json.dumps(body)))
            status, headers, response = self.respond(connection, "over_context")
        finally:
            connection.close()
        if status == 200:
            with tally.lock:
                tally.over_context_200 += 1
        error = error_object(response)
        if status != 400 or error is None or "context" not in error["message"]:
            raise UnexpectedStatus(status, f"over_context: expected 400 naming the context, got {response[:300]!r}")

    # 7. A fixed request whose answer must not change.
    def seeded(self):
        tally = self.soak.tally
        tally.count(tally.requests, "seeded")
        index = self.rng.randrange(len(self.soak.seeded))
        path, body = self.soak.seeded[index]
        connection = self.connect()
        try:
            connection.send(request_bytes("POST", path, json.dumps(body)))
            status, headers, response = self.respond(connection, "seeded")
        finally:
            connection.close()
        if status != 200:
            raise UnexpectedStatus(status, response[:300])
        choice = json.loads(response)["choices"][0]
        text = choice["message"]["content"] if "message" in choice else choice["text"]
        answer = [text, choice["finish_reason"]]
        with tally.lock:
            tally.answers_received += 1
            first = tally.seeded_answers.setdefault(index, answer)
            tally.seeded_checks[index] += 1
            if answer != first:
                tally.answers_changed += 1
                if len(tally.changed_samples) < 20:
                    tally.changed_samples.append({"request": index, "path": path, "body": body,
                                                  "first": first, "now": answer})


# MARK: - The server and its figures

def read_proc(pid):
    """VmRSS (KiB), threads and open file descriptors of a process, or None once it is gone."""
    try:
        fields = {}
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name, _, value = line.partition(":")
                fields[name] = value.strip()
        return {"rss_kib": int(fields["VmRSS"].split()[0]), "threads": int(fields["Threads"]),
                "fds": len(os.listdir(f"/proc/{pid}/fd"))}
    except (OSError, KeyError, ValueError):
        return None


def read_metrics(port, timeout=30):
    """The /metrics gauges summed over models, and requests answered by status."""
    connection = Connection(port, timeout)
    try:
        connection.send(request_bytes("GET", "/metrics"))
        status, headers, body = connection.read_response()
    finally:
        connection.close()
    if status != 200:
        raise UnexpectedStatus(status, body[:200])
    gauges, by_status, generated = Counter(), Counter(), Counter()
    for line in body.decode().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name_labels, _, value = line.rpartition(" ")
        name = name_labels.split("{")[0]
        if name in ("hearth_active_slots", "hearth_queue_depth", "hearth_slots"):
            gauges[name] += int(float(value))
        elif name == "hearth_requests_total":
            code = name_labels.split('status="')[1].split('"')[0]
            endpoint = name_labels.split('endpoint="')[1].split('"')[0]
            by_status[code] += int(float(value))
            if endpoint in ("/v1/chat/completions", "/v1/completions"):
                generated[code] += int(float(value))
    return {"active_slots": gauges["hearth_active_slots"], "queue_depth": gauges["hearth_queue_depth"],
            "slots": gauges["hearth_slots"], "requests_by_status": dict(sorted(by_status.items())),
            "generation_requests_by_status": dict(sorted(generated.items()))}


class Soak:
    def __init__(self, args):
        self.args = args
        self.tally = Tally()
        self.stop = threading.Event()
        self.samples = []
        self.sample_errors = Counter()
        self.idle_before = self.idle_after = None

    def start_server(self):
        args = self.args
        self.port = free_port()
        self.command = [args.hearth, "serve", str(args.model), "--port", str(self.port),
                        "--parallel", str(args.parallel), "--ctx-size", str(args.ctx_size)]
        if args.queue_size:
            self.command += ["--queue-size", str(args.queue_size)]
        if args.threads:
            self.command += ["--threads", str(args.threads)]
        self.log_path = args.server_log or tempfile.mkstemp(prefix="hearth-soak-", suffix=".log")[1]
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.command, stdout=self.log, stderr=subprocess.STDOUT)
        wait_until_ready(f"http://127.0.0.1:{self.port}/health", self.process, timeout=180)
        with urllib_open(f"http://127.0.0.1:{self.port}/v1/models") as models:
            self.model_id = json.load(models)["data"][0]["id"]

    def sampler(self):
        start = self.started
        while not self.stop.wait(self.args.sample_seconds):
            self.take_sample(start)

    def take_sample(self, start):
        sample = {"t": round(time.time() - start, 1)}
        proc = read_proc(self.process.pid)
        if proc is None or self.process.poll() is not None:
            sample["server_exited"] = self.process.poll()
            self.samples.append(sample)
            return
        sample.update(proc)
        try:
            metrics = read_metrics(self.port)
            sample["active_slots"] = metrics["active_slots"]
            sample["queue_depth"] = metrics["queue_depth"]
        except Exception as exception:  # noqa: BLE001
            self.sample_errors[classify(exception)] += 1
        self.samples.append(sample)

    def run(self):
        args = self.args
        self.malformed = malformed_cases(self.model_id)
        self.seeded = seeded_requests(self.model_id)
        payload = json.dumps({"model": self.model_id, "max_tokens": 8,
                              "messages": [{"role": "user", "content": "a" * OVERSIZED_BYTES}]}).encode()
        self.oversized_request = request_bytes("POST", "/v1/chat/completions", payload)

        self.idle_before = read_proc(self.process.pid)
        self.started = time.time()
        self.deadline = self.started + args.minutes * 60
        sampler = threading.Thread(target=self.sampler, name="sampler", daemon=True)
        sampler.start()
        clients = [Client(index, self) for index in range(args.clients)]
        for client in clients:
            client.start()
        last_report = self.started
        while any(client.is_alive() for client in clients):
            time.sleep(1)
            if self.process.poll() is not None:
                print(f"the server exited with status {self.process.returncode} during the run", file=sys.stderr)
                self.stop.set()
            if time.time() - last_report >= args.report_seconds:
                last_report = time.time()
                self.progress()
        self.load_seconds = time.time() - self.started
        self.stop.set()
        sampler.join()

    def progress(self):
        tally, last = self.tally, (self.samples[-1] if self.samples else {})
        with tally.lock:
            done = sum(tally.behaviours.values())
            errors = sum(tally.errors.values())
            changed = tally.answers_changed
        print(f"[{time.time() - self.started:7.0f} s] behaviours {done}, errors {errors}, answers changed {changed}, "
              f"rss {last.get('rss_kib', 0) / 1024:.1f} MiB, active {last.get('active_slots')}, "
              f"queue {last.get('queue_depth')}, fds {last.get('fds')}", flush=True)

    def wait_idle(self):
        """Waits until no slot is busy and nothing is queued (two reads in a row), at most --idle-timeout."""
        start = time.time()
        quiet, metrics = 0, None
        while time.time() - start < self.args.idle_timeout and self.process.poll() is None:
            try:
                metrics = read_metrics(self.port)
            except Exception:  # noqa: BLE001
                metrics = None
            if metrics and metrics["active_slots"] == 0 and metrics["queue_depth"] == 0:
                quiet += 1
                if quiet >= 2:
                    break
            else:
                quiet = 0
            time.sleep(1)
        return metrics, time.time() - start

    def final_request(self):
        body = {"model": self.model_id, "max_tokens": 8, "temperature": 0,
                "messages": [{"role": "user", "content": "Say hello."}]}
        try:
            connection = Connection(self.port, self.args.request_timeout)
            try:
                connection.send(request_bytes("POST", "/v1/chat/completions", json.dumps(body)))
                status, _, response = connection.read_response()
            finally:
                connection.close()
            ok = status == 200 and bool(json.loads(response)["choices"][0]["message"]["content"] is not None)
            return {"status": status, "ok": ok}
        except Exception as exception:  # noqa: BLE001
            return {"status": None, "ok": False, "error": repr(exception)}

    def shut_down(self):
        """SIGTERM, then the exit status (0 expected); SIGKILL after 60 s."""
        if self.process.poll() is not None:
            return self.process.returncode, True
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return self.process.returncode, False
        return self.process.returncode, True


def urllib_open(url):
    import urllib.request
    return urllib.request.urlopen(url, timeout=30)


def figures(soak, idle_metrics, idle_seconds, final, exit_status, exited_in_time, died_during_run):
    args, tally = soak.args, soak.tally
    live = [s for s in soak.samples if "rss_kib" in s]
    warmup = args.minutes * 60 * args.warmup_fraction
    after_warmup = [s for s in live if s["t"] >= warmup] or live
    mib = lambda kib: round(kib / 1024, 1) if kib is not None else None  # noqa: E731
    rss_start = after_warmup[0]["rss_kib"] if after_warmup else None
    rss_peak = max((s["rss_kib"] for s in live), default=None)
    rss_end = soak.idle_after["rss_kib"] if soak.idle_after else (live[-1]["rss_kib"] if live else None)
    # Growth per minute after warm-up (least squares over the samples), to tell a leak from a plateau.
    slope = None
    if len(after_warmup) >= 3:
        ts = [s["t"] / 60 for s in after_warmup]
        rs = [s["rss_kib"] / 1024 for s in after_warmup]
        mean_t, mean_r = sum(ts) / len(ts), sum(rs) / len(rs)
        denominator = sum((t - mean_t) ** 2 for t in ts)
        if denominator:
            slope = round(sum((t - mean_t) * (r - mean_r) for t, r in zip(ts, rs)) / denominator, 3)
    half = [s for s in live if s["t"] >= args.minutes * 30]
    server_5xx = sum(count for code, count in (idle_metrics or {}).get("requests_by_status", {}).items()
                     if code.startswith("5"))
    # Hearth counts a client that left mid-body, or reset its connection while a non-streamed answer
    # was generated, as a 500 (a stream cut short is a 499): at most one per such disconnect.
    hung_up = sum(tally.variants[f"abrupt:{v}"] for v in ("partial_body", "partial_body_rst", "abandon_nonstream_rst"))
    server_200 = (idle_metrics or {}).get("generation_requests_by_status", {}).get("200", 0)
    client_5xx = sum(count for code, count in tally.statuses.items() if code >= 500)
    slots_leaked = idle_metrics["active_slots"] if idle_metrics else None
    queue_end = idle_metrics["queue_depth"] if idle_metrics else None
    errors = dict(sorted(tally.errors.items()))
    invariants = {
        "no 5xx (client side)": client_5xx == 0,
        ("5xx in the server's /metrics only for clients that hung up" if args.allow_hangup_5xx else
         "no 5xx in the server's /metrics"): server_5xx <= (hung_up if args.allow_hangup_5xx else 0),
        "no connection reset or dropped by the server": errors.get("connection_reset_by_server", 0) == 0
        and errors.get("connection_dropped_by_server", 0) == 0,
        "no unexpected status": errors.get("unexpected_status", 0) == 0,
        "no bad stream": errors.get("bad_stream", 0) == 0,
        "no timeout": errors.get("timeout", 0) == 0,
        "no other client error": not any(kind.startswith("other") or kind == "connection_refused" for kind in errors),
        "no slot leaked": slots_leaked == 0,
        "queue empty at the end": queue_end == 0,
        "no answer changed": tally.answers_changed == 0,
        "no over-context prompt answered 200": tally.over_context_200 == 0,
        "server alive through the run": not died_during_run,
        "server answers a normal request at the end": final["ok"],
        "server exits 0 on SIGTERM": exit_status == 0 and exited_in_time,
    }
    return {
        "duration_s": round(soak.load_seconds, 1),
        "minutes_asked": args.minutes,
        "clients": args.clients,
        "parallel": args.parallel,
        "ctx_size": args.ctx_size,
        "seed": args.seed,
        "behaviours_run": dict(sorted(tally.behaviours.items())),
        "requests_sent_by_kind": dict(sorted(tally.requests.items())),
        "requests_sent_total": sum(tally.requests.values()),
        "variants": dict(sorted(tally.variants.items())),
        "responses_by_status": {str(code): count for code, count in sorted(tally.statuses.items())},
        "server_requests_by_status": (idle_metrics or {}).get("requests_by_status"),
        "server_5xx": server_5xx,
        "client_disconnects_that_may_count_as_500": hung_up,
        "generation_answers_received_in_full": tally.answers_received,
        "server_generation_200s": server_200,
        "server_200s_not_received_in_full": server_200 - tally.answers_received,
        "errors_by_kind": errors,
        "errors_by_behaviour": dict(sorted(tally.errors_by_behaviour.items())),
        "error_samples": tally.error_samples,
        "streams_completed": tally.streams_completed,
        "stream_completion_tokens": tally.stream_tokens,
        "slots_leaked": slots_leaked,
        "queue_depth_at_end": queue_end,
        "seconds_to_idle": round(idle_seconds, 1),
        "peak_active_slots": max((s.get("active_slots") or 0 for s in live), default=None),
        "peak_queue_depth": max((s.get("queue_depth") or 0 for s in live), default=None),
        "rss_mib": {
            "idle_before_load": mib(soak.idle_before["rss_kib"]) if soak.idle_before else None,
            "start_after_warmup": mib(rss_start),
            "warmup_s": round(warmup, 1),
            "peak": mib(rss_peak),
            "end_idle": mib(rss_end),
            "growth_start_to_end": mib(rss_end - rss_start) if rss_start is not None and rss_end is not None else None,
            "second_half_growth": mib(half[-1]["rss_kib"] - half[0]["rss_kib"]) if len(half) >= 2 else None,
            "slope_after_warmup_mib_per_min": slope,
        },
        "fds": {"idle_before_load": soak.idle_before and soak.idle_before["fds"],
                "peak": max((s["fds"] for s in live), default=None),
                "end_idle": soak.idle_after and soak.idle_after["fds"]},
        "threads": {"idle_before_load": soak.idle_before and soak.idle_before["threads"],
                    "end_idle": soak.idle_after and soak.idle_after["threads"]},
        "answers_changed": tally.answers_changed,
        "seeded_requests_checked": sum(tally.seeded_checks.values()),
        "seeded_checks_by_request": {str(k): v for k, v in sorted(tally.seeded_checks.items())},
        "changed_samples": tally.changed_samples,
        "over_context_answered_200": tally.over_context_200,
        "final_request": final,
        "server_died_during_run": died_during_run,
        "server_exit_status": exit_status,
        "metrics_sample_failures": dict(soak.sample_errors),
        "invariants": invariants,
        "passed": all(invariants.values()),
    }


def print_figures(result):
    rss = result["rss_mib"]
    print()
    print(f"soak: {result['duration_s']} s, {result['clients']} clients, --parallel {result['parallel']}, "
          f"--ctx-size {result['ctx_size']}, seed {result['seed']}")
    print(f"  requests sent        {result['requests_sent_total']}  {result['requests_sent_by_kind']}")
    print(f"  responses by status  {result['responses_by_status']}")
    print(f"  server's counts      {result['server_requests_by_status']}")
    print(f"  server 5xx           {result['server_5xx']} (client disconnects that may count as 500: "
          f"{result['client_disconnects_that_may_count_as_500']})")
    print(f"  server 200s not received in full by a client: {result['server_200s_not_received_in_full']} "
          f"(abandoned non-streamed requests closed with FIN: {result['variants'].get('abrupt:abandon_nonstream', 0)})")
    print(f"  errors by kind       {result['errors_by_kind'] or 'none'}")
    print(f"  streams completed    {result['streams_completed']} ({result['stream_completion_tokens']} tokens)")
    print(f"  slots leaked         {result['slots_leaked']}   queue at end {result['queue_depth_at_end']}   "
          f"(idle after {result['seconds_to_idle']} s; peak active {result['peak_active_slots']}, "
          f"peak queue {result['peak_queue_depth']})")
    print(f"  RSS MiB              before load {rss['idle_before_load']}, after warm-up {rss['start_after_warmup']}, "
          f"peak {rss['peak']}, end {rss['end_idle']}, growth {rss['growth_start_to_end']} "
          f"(second half {rss['second_half_growth']}, slope {rss['slope_after_warmup_mib_per_min']} MiB/min)")
    print(f"  fds                  {result['fds']}   threads {result['threads']}")
    print(f"  answers changed      {result['answers_changed']} of {result['seeded_requests_checked']} seeded requests")
    print(f"  over-context 200     {result['over_context_answered_200']}")
    print(f"  final request        {result['final_request']}")
    print(f"  server exit status   {result['server_exit_status']}"
          f"{' (died during the run)' if result['server_died_during_run'] else ''}")
    for name, ok in result["invariants"].items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    for sample in result["error_samples"][:10]:
        print(f"  error: {sample['behaviour']} {sample['kind']}: {sample['detail'][:200]}")
    for sample in result["changed_samples"][:3]:
        print(f"  changed answer to request {sample['request']}: {sample['first']!r} then {sample['now']!r}")
    print("PASSED" if result["passed"] else "FAILED")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=1.0, help="minutes of load")
    parser.add_argument("--clients", type=int, default=16, help="client threads")
    parser.add_argument("--hearth", default=os.environ.get("HEARTH_BIN", str(ROOT / ".build" / "release" / "hearth")))
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="GGUF file or catalog name")
    parser.add_argument("--parallel", type=int, default=16, help="the server's slots")
    parser.add_argument("--ctx-size", type=int, default=8192, help="the server's context per slot")
    parser.add_argument("--queue-size", type=int, help="the server's queue (default: its own)")
    parser.add_argument("--threads", type=int, help="the server's threads (default: its own)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the clients' choices")
    parser.add_argument("--request-timeout", type=float, default=300, help="seconds a socket may wait")
    parser.add_argument("--idle-timeout", type=float, default=180, help="seconds to wait for the server to go idle")
    parser.add_argument("--sample-seconds", type=float, default=5)
    parser.add_argument("--report-seconds", type=float, default=60, help="progress line interval")
    parser.add_argument("--warmup-fraction", type=float, default=0.1,
                        help="part of the run before the RSS baseline is taken")
    parser.add_argument("--server-log", help="where the server's output goes (default: a temporary file)")
    parser.add_argument("--output", help="write the figures as JSON here")
    parser.add_argument("--allow-hangup-5xx", action="store_true",
                        help="accept as many 5xx in /metrics as clients hung up (binaries before the 499 fix)")
    args = parser.parse_args()

    soak = Soak(args)
    try:
        soak.start_server()
    except (ServerNotReady, OSError) as error:
        print(f"the server did not start: {error}", file=sys.stderr)
        if getattr(soak, "process", None) and soak.process.poll() is None:
            soak.process.kill()
        return 2
    print(f"soak: {' '.join(soak.command)}\n  server log {soak.log_path}", flush=True)
    died_during_run = False
    try:
        soak.run()
        died_during_run = soak.process.poll() is not None
        idle_metrics, idle_seconds = soak.wait_idle() if not died_during_run else (None, 0.0)
        soak.idle_after = read_proc(soak.process.pid)
        final = soak.final_request() if not died_during_run else {"status": None, "ok": False}
    finally:
        exit_status, exited_in_time = soak.shut_down()
        soak.log.close()
    result = figures(soak, idle_metrics, idle_seconds, final, exit_status, exited_in_time, died_during_run)
    result["command"] = " ".join([Path(sys.executable).name] + sys.argv)
    result["server_command"] = " ".join(soak.command)
    result["server_log"] = soak.log_path
    result["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(), "cpu_model": cpu_model()}
    result["samples"] = soak.samples
    print_figures(result)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(result, indent=1) + "\n")
    return 0 if result["passed"] else 1


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


if __name__ == "__main__":
    sys.exit(main())
