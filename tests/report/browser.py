"""Opens HTML files in headless Chromium and reports what a reader would see.

The report tests need a real browser engine: an HTML file that parses is not
yet a page that renders, and only a browser says whether a script threw,
whether a chart reached the screen, or whether the page asked the network
for something. This module drives Chromium through the DevTools protocol
over --remote-debugging-pipe (the browser reads commands on fd 3 and writes
replies and events on fd 4, each message JSON ended by a NUL byte), so it
needs nothing but the standard library and a chromium binary.

    from browser import Browser, find_chromium
    with Browser(width=1280, height=900) as b:
        info = b.open("report.html", screenshot="report.png")
        assert not info["errors"] and not info["requests"]
        print(info["dom"]["svg_count"], info["load_ms"], info["fcp_ms"])

Every wait has a timeout; a browser that is missing, fails to start, dies or
stops answering raises BrowserError (BrowserTimeout for a timeout) with the
tail of the browser's own log; the browser and its helper processes are
killed when the `with` block ends, whatever happened.
"""
import base64
import fcntl
import json
import os
import shutil
import signal
import struct
import tempfile
import threading
import time
import urllib.parse
import urllib.request

__all__ = ["Browser", "BrowserError", "BrowserTimeout", "find_chromium", "png_size", "DOM_SUMMARY"]

# Looked up in this order; CHROMIUM (a path or command name) overrides.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "chromium-headless-shell",
                  "google-chrome", "google-chrome-stable")


class BrowserError(RuntimeError):
    """The browser is missing, failed to start, died, or refused a command."""


class BrowserTimeout(BrowserError):
    """The browser did not answer or the page did not finish in time."""


def find_chromium():
    """Returns the path of a Chromium-family browser, or None.

    The environment variable CHROMIUM (a path or a command name) takes
    precedence; otherwise the first of CHROMIUM_NAMES found on PATH."""
    forced = os.environ.get("CHROMIUM")
    if forced:
        return shutil.which(forced)
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def png_size(path):
    """Returns (width, height) from a PNG file's IHDR chunk; raises ValueError
    when the file is not a PNG."""
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError("%s: not a PNG file" % path)
    return struct.unpack(">II", head[16:24])


# Evaluated in the page after the load event: what the tests assert on.
# An SVG counts as accessible when it has role="img", a non-empty
# aria-label and non-empty <title> and <desc> children of its own.
DOM_SUMMARY = r"""(() => {
  const own = (el, tag) => Array.from(el.children).find(c => c.localName === tag);
  const text = c => c ? c.textContent.trim() : "";
  const svgs = Array.from(document.querySelectorAll("svg")).map((s, i) => {
    const r = s.getBoundingClientRect();
    const title = own(s, "title"), desc = own(s, "desc");
    return {
      index: i,
      id: s.id || "",
      role: s.getAttribute("role") || "",
      aria_label: (s.getAttribute("aria-label") || "").trim(),
      title: text(title),
      desc: text(desc),
      has_title: !!title,
      has_desc: !!desc,
      width: r.width,
      height: r.height,
      elements: s.querySelectorAll("*").length,
    };
  });
  const accessible = svgs.filter(s => s.role === "img" && s.aria_label !== "" &&
                                      s.title !== "" && s.desc !== "");
  return {
    title: document.title,
    lang: document.documentElement.getAttribute("lang") || "",
    svg_count: svgs.length,
    svg_accessible_count: accessible.length,
    svgs: svgs,
    script_count: document.querySelectorAll("script").length,
    table_count: document.querySelectorAll("table").length,
    img_count: document.images.length,
    link_count: document.querySelectorAll("link").length,
    text: document.body ? document.body.innerText : "",
    html_chars: document.documentElement.outerHTML.length,
    scroll_width: document.documentElement.scrollWidth,
    scroll_height: document.documentElement.scrollHeight,
  };
})()"""

# Resolves, after the load event, with the navigation timing and the first
# contentful paint (null when the page paints nothing within the wait).
TIMING = r"""new Promise(resolve => {
  const started = performance.now();
  const done = fcp => {
    const nav = performance.getEntriesByType("navigation")[0];
    resolve({
      load_ms: nav ? (nav.loadEventEnd || nav.loadEventStart) - nav.startTime : null,
      dom_content_loaded_ms: nav ? nav.domContentLoadedEventEnd - nav.startTime : null,
      transfer_size: nav ? nav.transferSize : null,
      fcp_ms: fcp,
    });
  };
  const poll = () => {
    const nav = performance.getEntriesByType("navigation")[0];
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    const loaded = nav && nav.loadEventEnd > 0;
    if (loaded && paint) return done(paint.startTime);
    if (performance.now() - started > %d) return done(paint ? paint.startTime : null);
    setTimeout(poll, 10);
  };
  poll();
})"""


def _console_text(args):
    """Renders the arguments of a console call roughly as DevTools shows them."""
    parts = []
    for a in args:
        if "value" in a:
            v = a["value"]
            parts.append(v if isinstance(v, str) else json.dumps(v))
        elif "unserializableValue" in a:
            parts.append(a["unserializableValue"])
        else:
            parts.append(a.get("description", a.get("type", "?")))
    return " ".join(parts)


class Browser:
    """One headless Chromium process; open() loads a file in a fresh tab.

    width, height: the viewport in CSS pixels (device scale factor 1, so
    screenshots have exactly this size). timeout: seconds allowed for any
    one protocol command and for a page to load. chromium: the browser's
    path (default find_chromium()). extra_args: more command-line flags.
    """

    def __init__(self, width=1280, height=900, timeout=30.0, chromium=None, extra_args=()):
        self.width = int(width)
        self.height = int(height)
        self.timeout = float(timeout)
        self.path = chromium or find_chromium()
        self.extra_args = list(extra_args)
        self.version = None      # Browser.getVersion: product, protocolVersion, ...
        self._proc = None
        self._profile = None
        self._log = None
        self._wfd = None
        self._rfd = None
        self._reader = None
        self._lock = threading.Condition()
        self._wlock = threading.Lock()
        self._next_id = 0
        self._replies = {}
        self._unawaited = set()  # ids of commands whose replies are dropped
        self._events = []        # (sessionId, method, params), in arrival order
        self._closed = False     # the browser's pipe reached end of file
        self._read_error = None

    # -- process ------------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def start(self):
        if self.path is None:
            raise BrowserError("chromium not found (looked for %s on PATH; set CHROMIUM to "
                               "its path, or apt-get install chromium)" % ", ".join(CHROMIUM_NAMES))
        if not os.access(self.path, os.X_OK):
            raise BrowserError("%s: not an executable file" % self.path)
        self._profile = tempfile.mkdtemp(prefix="mlops-chromium-")
        self._log = open(os.path.join(self._profile, "chromium.log"), "w+b")
        # cmd_r/cmd_w: our commands to the browser's fd 3; evt_r/evt_w: its
        # replies from fd 4. Every descriptor the child receives is first
        # moved to 10 or above, so that placing them on 0-4 in the child
        # cannot overwrite one that is still to be placed.
        cmd_r, cmd_w = os.pipe()
        evt_r, evt_w = os.pipe()
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
                for fd in (cmd_r, evt_w, self._log.fileno())]
        os.close(cmd_r)
        os.close(evt_w)
        child_cmd, child_evt, child_log = high
        args = [self.path,
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--remote-debugging-pipe",
                "--user-data-dir=" + os.path.join(self._profile, "profile"),
                "--disable-dev-shm-usage", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--mute-audio",
                "--hide-scrollbars", "--force-device-scale-factor=1",
                "--window-size=%d,%d" % (self.width, self.height),
                "--force-color-profile=srgb", "--font-render-hinting=none",
                ] + self.extra_args + ["about:blank"]
        try:
            # setsid: the browser leads its own process group, which close()
            # kills as a whole (renderer, GPU and zygote helpers included).
            self._proc = _Process(os.posix_spawn(self.path, args, os.environ, file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, child_log, 1),
                (os.POSIX_SPAWN_DUP2, child_log, 2),
                (os.POSIX_SPAWN_DUP2, child_cmd, 3),
                (os.POSIX_SPAWN_DUP2, child_evt, 4),
            ], setsid=True))
        except OSError as e:
            for fd in high + [cmd_w, evt_r]:
                os.close(fd)
            self._cleanup_files()
            raise BrowserError("%s: cannot start: %s" % (self.path, e)) from e
        for fd in high:
            os.close(fd)
        self._wfd, self._rfd = cmd_w, evt_r
        self._reader = threading.Thread(target=self._read_loop, name="chromium-pipe", daemon=True)
        self._reader.start()
        try:
            self.version = self.send("Browser.getVersion")
        except BrowserError:
            self.close()
            raise
        return self

    def close(self):
        """Closes the browser (politely, then by force) and removes its profile."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None and not self._closed:
                try:
                    self._post("Browser.close")
                except (BrowserError, OSError):
                    pass
                try:
                    proc.wait(timeout=5)
                except BrowserTimeout:
                    pass
            # The helper processes share the session and die with the group.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.wait(timeout=10)
            except BrowserTimeout:
                pass
        # The reader sees end of file once the browser is gone; its fd is
        # closed after it stops, never under a read in progress.
        if self._reader is not None:
            self._reader.join(timeout=5)
            if not self._reader.is_alive():
                self._reader = None
        for attr in ("_wfd", "_rfd"):
            fd = getattr(self, attr)
            if fd is not None and (attr == "_wfd" or self._reader is None):
                try:
                    os.close(fd)
                except OSError:
                    pass
                setattr(self, attr, None)
        self._cleanup_files()

    def _cleanup_files(self):
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    def log_tail(self, limit=2000):
        """The end of the browser's stdout and stderr, for error messages,
        without the D-Bus complaints every start in a container makes."""
        if self._log is None:
            return ""
        try:
            self._log.flush()
            self._log.seek(0)
            lines = self._log.read().decode("utf-8", "replace").splitlines()
        except (OSError, ValueError):
            return ""
        lines = [ln for ln in lines if ":ERROR:dbus/" not in ln]
        return "\n".join(lines)[-limit:]

    def _died(self, what):
        status = self._proc.poll() if self._proc is not None else None
        tail = self.log_tail().strip()
        return BrowserError("%s: chromium %s%s%s" % (
            what, "exited with status %s" % status if status is not None else "closed its pipe",
            "; its log ends:\n" if tail else "", tail))

    # -- protocol -----------------------------------------------------------

    def _read_loop(self):
        buf = b""
        try:
            while True:
                chunk = os.read(self._rfd, 1 << 16)
                if not chunk:
                    break
                buf += chunk
                while True:
                    end = buf.find(b"\0")
                    if end < 0:
                        break
                    raw, buf = buf[:end], buf[end + 1:]
                    msg = json.loads(raw.decode("utf-8"))
                    with self._lock:
                        if "id" in msg:
                            if msg["id"] in self._unawaited:
                                self._unawaited.discard(msg["id"])
                            else:
                                self._replies[msg["id"]] = msg
                        else:
                            self._events.append((msg.get("sessionId"), msg.get("method"),
                                                 msg.get("params", {})))
                        self._lock.notify_all()
                    # An alert() would hold the page (and its load event)
                    # until someone answers it.
                    if msg.get("method") == "Page.javascriptDialogOpening":
                        mid = self._post("Page.handleJavaScriptDialog", {"accept": False},
                                         msg.get("sessionId"))
                        with self._lock:
                            if mid in self._replies:
                                del self._replies[mid]
                            else:
                                self._unawaited.add(mid)
        except (OSError, ValueError, TypeError, BrowserError) as e:
            self._read_error = e
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    def _post(self, method, params=None, session=None):
        with self._lock:
            if self._closed:
                raise self._died(method)
            self._next_id += 1
            mid = self._next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode("utf-8") + b"\0"
        try:
            # The reader thread answers dialogs: whole messages only.
            with self._wlock:
                while data:
                    n = os.write(self._wfd, data)
                    data = data[n:]
        except (BrokenPipeError, OSError):
            raise self._died(method) from None
        return mid

    def send(self, method, params=None, session=None, timeout=None):
        """Sends one DevTools command and returns its result; raises
        BrowserError with the protocol's message when the command fails."""
        mid = self._post(method, params, session)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        with self._lock:
            while mid not in self._replies:
                if self._closed:
                    raise self._died(method)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BrowserTimeout("%s: no answer from chromium within %.0f s"
                                         % (method, self.timeout if timeout is None else timeout))
                self._lock.wait(min(left, 0.5))
            reply = self._replies.pop(mid)
        if "error" in reply:
            err = reply["error"]
            raise BrowserError("%s: %s (%s)" % (method, err.get("message"), err.get("data", err.get("code"))))
        return reply.get("result", {})

    def _wait_event(self, session, method, start, timeout, what):
        """Waits for event `method` of `session` at or after index `start` of
        the event list; returns its index."""
        deadline = time.monotonic() + timeout
        with self._lock:
            i = start
            while True:
                while i < len(self._events):
                    s, m, p = self._events[i]
                    if s == session and m in ("Inspector.targetCrashed",):
                        raise BrowserError("%s: the page crashed" % what)
                    if s == session and m == method:
                        return i
                    i += 1
                if self._closed:
                    raise self._died(what)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BrowserTimeout("%s: no %s within %.0f s" % (what, method, timeout))
                self._lock.wait(min(left, 0.5))

    def evaluate(self, session, expression, await_promise=False, timeout=None):
        """Evaluates a JavaScript expression in the page of `session` and
        returns its value (JSON-serializable); a thrown exception raises
        BrowserError with its description."""
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                           "awaitPromise": await_promise},
                      session=session, timeout=timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            desc = d.get("exception", {}).get("description") or d.get("text")
            raise BrowserError("evaluating %r: %s" % (expression[:60], desc))
        return r.get("result", {}).get("value")

    # -- pages --------------------------------------------------------------

    def open(self, path, screenshot=None, full_page=False, evaluate=None, fcp_wait_ms=2000):
        """Loads the file `path` in a new tab of the viewport's size and
        returns a dict:

          url             the file:// URL loaded
          bytes           the file's size in bytes
          console         [{level, text, source, url, line}] from console.*
                          calls (Runtime.consoleAPICalled) and browser-side
                          log entries (Log.entryAdded: failed loads,
                          deprecations, security messages); level is one of
                          log, debug, info, warning, error, ...
          exceptions      [{text, description, url, line, column}] uncaught
                          exceptions (Runtime.exceptionThrown)
          errors          console entries of level error, then exceptions,
                          as strings: what a clean page must not have
          dialogs         [{type, message}] alert/confirm/prompt, dismissed
          requests        [{url, method, type, scheme}] every request other
                          than the document itself (Network.requestWillBeSent),
                          data: URLs included; a self-contained page has none
          load_ms         navigation start to the end of the load event
          dom_content_loaded_ms
          fcp_ms          first contentful paint, or None if the page painted
                          no content within fcp_wait_ms of its load event
          open_ms         wall time of open() up to the screenshot
          dom             DOM_SUMMARY's result (svg counts and details,
                          script_count, table_count, text, ...)
          eval            the value of `evaluate` (a JS expression), or a
                          dict of values when `evaluate` is a dict
                          name -> expression; None without `evaluate`
          screenshot      the PNG path written, or None

        screenshot: a path for a PNG of the viewport (width x height), or of
        the whole page when full_page is true.
        """
        t0 = time.monotonic()
        path = os.path.abspath(path)
        if not os.path.isfile(path):
            raise BrowserError("%s: no such file" % path)
        url = "file://" + urllib.request.pathname2url(path)
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = None
        try:
            session = self.send("Target.attachToTarget",
                                {"targetId": target, "flatten": True})["sessionId"]
            with self._lock:
                start = len(self._events)
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.send(domain + ".enable", session=session)
            self.send("Emulation.setDeviceMetricsOverride",
                      {"width": self.width, "height": self.height,
                       "deviceScaleFactor": 1, "mobile": False}, session=session)
            nav = self.send("Page.navigate", {"url": url}, session=session)
            if nav.get("errorText"):
                raise BrowserError("%s: navigation failed: %s" % (path, nav["errorText"]))
            self._wait_event(session, "Page.loadEventFired", start, self.timeout, path)
            timing = self.evaluate(session, TIMING % int(fcp_wait_ms), await_promise=True,
                                   timeout=self.timeout + fcp_wait_ms / 1000.0)
            dom = self.evaluate(session, DOM_SUMMARY)
            if isinstance(evaluate, dict):
                extra = {k: self.evaluate(session, v) for k, v in evaluate.items()}
            elif evaluate is not None:
                extra = self.evaluate(session, evaluate)
            else:
                extra = None
            open_ms = (time.monotonic() - t0) * 1000.0
            shot = None
            if screenshot is not None:
                self._screenshot(session, screenshot, full_page)
                shot = screenshot
            # Messages still in flight (a console call from the load handler
            # reaches us after the load event) arrive before a round trip.
            self.send("Runtime.evaluate", {"expression": "0"}, session=session)
            info = self._collect(session, start, url)
        finally:
            try:
                self.send("Target.closeTarget", {"targetId": target}, timeout=10)
            except BrowserError:
                pass
            with self._lock:
                # Drop this tab's events so that a long run does not keep them.
                self._events = [e for e in self._events if e[0] != session]
        info.update({
            "url": url,
            "bytes": os.path.getsize(path),
            "load_ms": timing["load_ms"],
            "dom_content_loaded_ms": timing["dom_content_loaded_ms"],
            "fcp_ms": timing["fcp_ms"],
            "open_ms": open_ms,
            "dom": dom,
            "eval": extra,
            "screenshot": shot,
        })
        return info

    def _screenshot(self, session, out, full_page):
        params = {"format": "png", "fromSurface": True}
        if full_page:
            m = self.send("Page.getLayoutMetrics", session=session)
            size = m.get("cssContentSize") or m["contentSize"]
            params["captureBeyondViewport"] = True
            params["clip"] = {"x": 0, "y": 0, "width": max(self.width, size["width"]),
                              "height": size["height"], "scale": 1}
        data = self.send("Page.captureScreenshot", params, session=session)["data"]
        d = os.path.dirname(os.path.abspath(out))
        os.makedirs(d, exist_ok=True)
        with open(out, "wb") as f:
            f.write(base64.b64decode(data))

    def _collect(self, session, start, url):
        console, exceptions, requests, dialogs = [], [], [], []
        with self._lock:
            events = [e for e in self._events[start:] if e[0] == session]
        for _, method, p in events:
            if method == "Runtime.consoleAPICalled":
                frame = (p.get("stackTrace") or {}).get("callFrames") or [{}]
                console.append({"level": {"warn": "warning"}.get(p.get("type"), p.get("type")),
                                "text": _console_text(p.get("args", [])),
                                "source": "console-api",
                                "url": frame[0].get("url", ""),
                                "line": frame[0].get("lineNumber")})
            elif method == "Log.entryAdded":
                e = p.get("entry", {})
                console.append({"level": e.get("level"), "text": e.get("text", ""),
                                "source": e.get("source", ""), "url": e.get("url", ""),
                                "line": e.get("lineNumber")})
            elif method == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                exceptions.append({"text": d.get("text", ""),
                                   "description": d.get("exception", {}).get("description", ""),
                                   "url": d.get("url", ""), "line": d.get("lineNumber"),
                                   "column": d.get("columnNumber")})
            elif method == "Network.requestWillBeSent":
                req = p.get("request", {})
                u = req.get("url", "")
                if p.get("type") == "Document" and _same_document(u, url):
                    continue
                requests.append({"url": u if len(u) < 200 else u[:200] + "...",
                                 "method": req.get("method"),
                                 "type": p.get("type"),
                                 "scheme": urllib.parse.urlsplit(u).scheme})
            elif method == "Page.javascriptDialogOpening":
                dialogs.append({"type": p.get("type"), "message": p.get("message")})
        errors = ["console.%s: %s" % (c["level"], c["text"]) if c["source"] == "console-api"
                  else "%s %s: %s" % (c["source"], c["level"], c["text"])
                  for c in console if c["level"] == "error"]
        errors += ["uncaught %s%s" % (x["description"] or x["text"],
                                      " (line %s)" % (x["line"] + 1) if x["line"] is not None else "")
                   for x in exceptions]
        return {"console": console, "exceptions": exceptions, "errors": errors,
                "requests": requests, "dialogs": dialogs}


def _same_document(a, b):
    return a.split("#", 1)[0] == b.split("#", 1)[0]


class _Process:
    """The little of subprocess.Popen that close() needs, for a pid from
    os.posix_spawn."""

    def __init__(self, pid):
        self.pid = pid
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -1
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise BrowserTimeout("chromium (pid %d) still running after %.0f s" % (self.pid, timeout))
            time.sleep(0.02)
        return self.returncode
