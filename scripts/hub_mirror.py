#!/usr/bin/env python3
"""A minimal Hugging Face Hub mirror for an internal network: serves a directory of model files in
the Hub's protocol, so `HF_ENDPOINT=http://HOST:PORT hearth pull hf.co/ORG/REPO:QUANT` (and
`huggingface_hub`) pull from it as from huggingface.co.

    python3 scripts/hub_mirror.py MIRROR_DIR [--port 8089] [--host 127.0.0.1]

For tests: `--port 0` takes a free port (the `HF_ENDPOINT=…` line on standard error names it),
`--rate BYTES` limits each download to that many bytes a second, and `--log FILE` appends one JSON
line per file request (method, path, Range header, bytes sent).

MIRROR_DIR/ORG/REPO/... holds each repository's files. Served: the model API
(`/api/models/ORG/REPO[/revision/REV]`, with sizes and LFS SHA-256s), `/ORG/REPO/resolve/REV/PATH`
answering HEAD and GET with a redirect to `/blobs/SHA256` and the `X-Repo-Commit`, `X-Linked-Etag` and
`X-Linked-Size` headers, and `/blobs/SHA256` with `Range`. Every revision names the directory as it is
now; its "commit" is a hash of the file list, so a pull records what it got. Hashes are computed
once at start (and cached in MIRROR_DIR/.sha256-cache.json by size and modification time)."""
import argparse
import hashlib
import threading
import time
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


def scan(root):
    cache_path = root / ".sha256-cache.json"
    try:
        cache = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        cache = {}
    repos, blobs, fresh = {}, {}, {}
    for org in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for repo in sorted(p for p in org.iterdir() if p.is_dir()):
            files = []
            for path in sorted(p for p in repo.rglob("*") if p.is_file()):
                rel = path.relative_to(repo).as_posix()
                stat = path.stat()
                key = f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
                digest = cache.get(key)
                if digest is None:
                    print(f"hashing {org.name}/{repo.name}/{rel} …", file=sys.stderr)
                    h = hashlib.sha256()
                    with open(path, "rb") as f:
                        for chunk in iter(lambda: f.read(1 << 22), b""):
                            h.update(chunk)
                    digest = h.hexdigest()
                fresh[key] = digest
                files.append({"path": rel, "size": stat.st_size, "sha256": digest})
                blobs[digest] = path
            commit = hashlib.sha1(json.dumps(files, sort_keys=True).encode()).hexdigest()
            repos[f"{org.name}/{repo.name}"] = {"files": files, "commit": commit}
    try:
        cache_path.write_text(json.dumps(fresh))
    except OSError:
        pass
    return repos, blobs


class Mirror(BaseHTTPRequestHandler):
    repos, blobs = {}, {}
    rate, log_path, log_lock = None, None, threading.Lock()
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        print(f"{self.command} {self.path} {args[1] if len(args) > 1 else ''}", file=sys.stderr)

    def send(self, status, headers=(), body=b""):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message):
        body = json.dumps({"error": message}).encode()
        self.send(status, [("X-Error-Code", code), ("X-Error-Message", message), ("Content-Type", "application/json")], body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = unquote(urlsplit(self.path).path)
        api = re.fullmatch(r"/api/models/([^/]+/[^/]+)(?:/revision/(.+))?", path)
        if api:
            repo = self.repos.get(api.group(1))
            if repo is None:
                return self.error(404, "RepoNotFound", "Repository not found")
            siblings = [{"rfilename": f["path"], "size": f["size"],
                         "lfs": {"sha256": f["sha256"], "size": f["size"], "pointerSize": 134}} for f in repo["files"]]
            body = json.dumps({"id": api.group(1), "sha": repo["commit"], "siblings": siblings}).encode()
            return self.send(200, [("Content-Type", "application/json")], body)
        resolve = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
        if resolve:
            repo = self.repos.get(resolve.group(1))
            if repo is None:
                return self.error(404, "RepoNotFound", "Repository not found")
            entry = next((f for f in repo["files"] if f["path"] == resolve.group(3)), None)
            if entry is None:
                return self.error(404, "EntryNotFound", f"{resolve.group(3)} does not exist")
            return self.send(302, [("Location", f"/blobs/{entry['sha256']}"), ("X-Repo-Commit", repo["commit"]),
                                   ("X-Linked-Etag", f'"{entry["sha256"]}"'), ("X-Linked-Size", str(entry["size"]))])
        blob = re.fullmatch(r"/blobs/([0-9a-f]{64})", path)
        if blob and blob.group(1) in self.blobs:
            file = self.blobs[blob.group(1)]
            size = file.stat().st_size
            start, status, headers = 0, 200, [("Accept-Ranges", "bytes"), ("Content-Type", "application/octet-stream")]
            ranged = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
            if ranged:
                start = int(ranged.group(1))
                if start >= size:
                    return self.send(416, [("Content-Range", f"bytes */{size}")])
                status = 206
                headers.append(("Content-Range", f"bytes {start}-{size - 1}/{size}"))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(size - start))
            self.end_headers()
            if self.command == "HEAD":
                return
            sent, began = 0, time.monotonic()
            with open(file, "rb") as f:
                f.seek(start)
                try:
                    for chunk in iter(lambda: f.read(1 << 16), b""):
                        self.wfile.write(chunk)
                        sent += len(chunk)
                        if self.rate:
                            ahead = sent / self.rate - (time.monotonic() - began)
                            if ahead > 0:
                                time.sleep(ahead)
                except (BrokenPipeError, ConnectionResetError):
                    pass
            if self.log_path:
                entry = {"method": self.command, "path": path, "range": self.headers.get("Range"), "sent": sent}
                with self.log_lock, open(self.log_path, "a") as log:
                    log.write(json.dumps(entry) + "\n")
            return
        self.error(404, "EntryNotFound", f"no route for {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rate", type=float, help="bytes per second per download (for tests)")
    parser.add_argument("--log", help="append a JSON line per file request to this file")
    args = parser.parse_args()
    Mirror.repos, Mirror.blobs = scan(args.directory.resolve())
    Mirror.rate, Mirror.log_path = args.rate, args.log
    for name, repo in Mirror.repos.items():
        print(f"serving {name}: {len(repo['files'])} files", file=sys.stderr)
    server = ThreadingHTTPServer((args.host, args.port), Mirror)
    print(f"HF_ENDPOINT=http://{args.host}:{server.server_address[1]}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
