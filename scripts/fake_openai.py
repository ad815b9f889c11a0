#!/usr/bin/env python3
"""A minimal OpenAI-compatible endpoint that answers at once, for tests where the model is not the point.

`POST /v1/chat/completions` answers "You said: " and the last message's text; `GET /v1/models`
lists one model, `fake`. No sampling, no streaming. Used by the test that kills `hearth audit run`
during its database writes: with answers this cheap, the run's time goes to recording them.

    python3 scripts/fake_openai.py --port 0      # prints "listening on PORT"
"""
import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.rstrip("/").endswith("/models"):
            self.reply(200, {"object": "list", "data": [{"id": "fake", "object": "model", "owned_by": "test"}]})
        else:
            self.reply(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
            text = request["messages"][-1]["content"]
            if isinstance(text, list):
                text = "".join(part.get("text", "") for part in text)
        except (ValueError, KeyError, IndexError, TypeError) as error:
            self.reply(400, {"error": {"message": f"bad request: {error}", "type": "invalid_request_error"}})
            return
        content = f"You said: {text}"
        self.reply(200, {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": request.get("model", "fake"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(text.split()), "completion_tokens": len(content.split()),
                      "total_tokens": len(text.split()) + len(content.split())},
        })


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
