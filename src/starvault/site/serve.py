"""``starvault serve``: build, serve OUT on 127.0.0.1, rebuild on save, reload open pages.

The standard library's ThreadingHTTPServer serves the built folder; watchfiles watches the
vault (and the templates); each change reloads the vault (the parse cache keeps that
cheap) and runs the incremental build. Pages built in serve mode carry a small script
that polls ``/_starvault/version`` and reloads when the number changes.
"""

from __future__ import annotations

import os
import threading
import time
import webbrowser
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..report import _plural
from ..resources import templates_dir
from .build import build
from .safety import BuildError, check_output

VERSION_PATH = "/_starvault/version"


class _State:
    def __init__(self) -> None:
        self.version = 0
        self.lock = threading.Lock()

    def bump(self) -> None:
        with self.lock:
            self.version += 1


class _Handler(SimpleHTTPRequestHandler):
    def _refused(self) -> bool:
        """Answer and return True for a request this server must not serve.

        Only its own address in the Host header (a page on another site that rebinds its
        DNS name to 127.0.0.1 sends its own name), and only files that really lie in OUT
        (no NUL, no symbolic link out of the site)."""
        port = self.server.server_address[1]
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in {f"127.0.0.1:{port}", f"localhost:{port}"}:
            self.send_error(421, "Misdirected Request: use the address serve printed")
            return True
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if "\0" in unquote(path) or "%00" in path:
            self.send_error(400, "Bad Request")
            return True
        if path == VERSION_PATH:
            return False
        root = os.path.realpath(self.directory)
        real = os.path.realpath(self.translate_path(path))
        if real != root and not real.startswith(root + os.sep):
            self.send_error(404, "File not found")
            return True
        return False

    def do_HEAD(self) -> None:
        if not self._refused():
            super().do_HEAD()

    def do_GET(self) -> None:
        if self._refused():
            return
        if self.path.split("?", 1)[0] == VERSION_PATH:
            body = str(self.server.state.version).encode()  # type: ignore[attr-defined]
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        # Always fresh: pages change under the server on every rebuild.
        if not self.path.startswith(VERSION_PATH):
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the CLI reports builds
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up or sends garbage is its own problem: no traceback."""


def make_server(out: Path, port: int) -> ThreadingHTTPServer:
    """An HTTP server for the folder ``out`` on 127.0.0.1 (``port`` 0 picks a free one)."""
    handler = partial(_Handler, directory=str(out))
    server = _Server(("127.0.0.1", port), handler)
    server.daemon_threads = True
    server.state = _State()  # type: ignore[attr-defined]
    return server


def _watch_filter(root: Path, out: Path) -> Callable[[Any, str], bool]:
    """Changes that matter: not dot-folders (.git, .obsidian, caches), not the site itself."""
    root_s = str(root)
    out_s = str(out)

    def keep(_change: Any, path: str) -> bool:
        if path == out_s or path.startswith(out_s + "/"):
            return False
        rel = path[len(root_s) + 1 :] if path.startswith(root_s + "/") else Path(path).name
        parts = rel.split("/")
        if any(p.startswith(".") for p in parts):
            return False
        return not parts[-1].endswith(("~", ".swp", ".tmp"))

    return keep


def rebuild(root: Path, out: Path) -> Any:
    from ..vault import load

    return build(load(root), out, live_reload=True)


def serve(
    root: Path,
    out: Path,
    *,
    port: int = 8000,
    open_browser: bool = False,
    echo: Callable[[str], Any] = print,
    stop: threading.Event | None = None,
) -> None:
    """Serve ``root``'s site from ``out`` until Ctrl-C (or ``stop`` is set)."""
    import watchfiles

    root = root.resolve()
    out = check_output(root, out)
    # File times come from a coarse clock: allow for it (a spare rebuild costs little).
    started_ns = time.time_ns() - 50_000_000
    result = rebuild(root, out)
    _report_problems(result, echo)
    echo(f"Built {_plural(result.pages, 'page')} into {out} in {result.seconds:.2f}s")
    try:
        server = make_server(out, port)
    except OSError as exc:
        raise BuildError(
            f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); "
            "choose another port with --port"
        ) from None
    host, real_port = server.server_address[:2]
    url = f"http://{host}:{real_port}/"
    thread = threading.Thread(target=server.serve_forever, name="starvault-http", daemon=True)
    thread.start()
    watched = [root]
    packaged = templates_dir()
    if packaged.is_dir() and not packaged.is_relative_to(root):
        watched.append(packaged)
    keep = _watch_filter(root, out)

    def rebuild_after(names: list[str]) -> None:
        try:
            result = rebuild(root, out)
        except BuildError as exc:
            echo(f"Build failed: {exc}")
            return
        except Exception as exc:  # keep serving the last good site
            echo(f"Build failed ({type(exc).__name__}: {exc}); serving the last good site")
            return
        server.state.bump()  # type: ignore[attr-defined]
        _report_problems(result, echo)
        echo(
            f"Rebuilt after {', '.join(names[:3])}{'…' if len(names) > 3 else ''}: "
            f"{_plural(len(result.rendered), 'page')} rendered in {result.seconds:.2f}s"
        )

    watching = False
    try:
        # The watcher starts with the first iteration; a timeout tick tells us it is live.
        for changes in watchfiles.watch(
            *watched,
            watch_filter=keep,
            stop_event=stop,
            debounce=200,
            rust_timeout=1000,
            yield_on_timeout=True,
            raise_interrupt=True,
        ):
            if not watching:
                watching = True
                # Saves made while the first build ran were not seen by the watcher.
                missed = _changed_since(watched, keep, started_ns)
                if missed:
                    rebuild_after(missed)
                echo(f"Serving {out} on {url} (Ctrl-C to stop)")
                if open_browser:
                    webbrowser.open(url)
            if changes:
                rebuild_after(sorted({Path(p).name for _, p in changes}))
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        echo("Stopped.")


def _report_problems(result: Any, echo: Callable[[str], Any]) -> None:
    for line in result.problems:
        echo(f"warning: {line}")


def _changed_since(
    folders: list[Path], keep: Callable[[Any, str], bool], since_ns: int
) -> list[str]:
    """Names of watched files modified at or after ``since_ns``."""
    out: list[str] = []
    for folder in folders:
        for dirpath, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if keep(None, os.path.join(dirpath, d))]
            for name in files:
                full = os.path.join(dirpath, name)
                try:
                    if keep(None, full) and os.stat(full).st_mtime_ns >= since_ns:
                        out.append(name)
                except OSError:
                    continue
    return sorted(out)
