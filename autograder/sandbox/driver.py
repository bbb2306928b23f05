"""The parent's end of the channel to a harness: follows the markers and drives the timed probes.

Runs in the trusted grader, never in the sandbox. For a timed probe (see ``harness.serve_timed``)
the parent, not the probe, decides everything the verdict uses:

* how many calls: ``warmup`` untimed then ``calls`` timed, from the manifest;
* the inputs of every call: fresh arrays drawn here from ``secret`` (never sent to the sandbox; the
  reference gets the same stream in the same grading run), so nothing can be computed before the
  call, and remembering earlier calls' answers is useless;
* the measurement of every call, from outside the sandbox: the kernel's CPU time of the whole
  sandbox (every thread and child process; ``autograder.sandbox.cgroup``) between sending the
  inputs and receiving the output, the parent's wall clock over the same window, and for
  ``measure = "memory"`` the sandbox's peak memory above its level at the start of the call;
* every timed output is kept, and the verdict compares it with the reference's output for the same
  inputs (a fast wrong answer loses the speed points).

Fed probes (``feed = "<function>"`` in ``[tests.timing]``; convergence tests): instead of plain
normal draws, the parent calls the topic's own data function ``probes.<function>(rng)`` on the same
secret stream. It returns named arrays; those whose name starts with ``_`` (held-out inputs, their
labels, the true parameters) are never sent: the parent keeps them in ``TimedResult.kept`` for the
verdict, which scores what the submission returned (e.g. its trained parameters, run through the
reference's own forward on the held-out inputs). So the sandbox holds the training data and nothing
else: no frame, global or seed in its reach can give it the held-out answers or the optimum.

Protocol: markers ``cells-start``, ``cells-end``, then per probe ``start <id>`` ... ``end <id>`` in
the job's order, then ``done``; inside a timed probe ``ready`` then exactly one ``result n`` per
``call n``, in order. A marker that is missing, duplicated, out of order, or a result that answers
the wrong call fails that timed probe (``error``), and the parent aborts it; markers outside a timed
probe only affect the report (``protocol_errors``), since untimed verdicts do not use them.

Memory: ``peak - level at start`` from the kernel's peak counter (reset before each call), and,
against a submission that frees memory it held before the call to make room for what the call
needs, the largest rise above the running minimum seen by a poller that samples the sandbox's
current memory every ~0.5 ms during the call; the larger of the two counts. What stays possible:
freeing and re-allocating faster than the poller samples (a 64 MB matrix takes longer than that to
fill), noted in the docs.
"""
from __future__ import annotations

import queue
import threading
import time
import zlib
from dataclasses import dataclass, field

import numpy as np

from autograder.runtime import frames

MAX_MARKERS = 10_000
MAX_KEPT_OUTPUT = 96 << 20  # bytes of timed outputs kept per probe
GRACE_S = 3.0  # after a probe's time limit: the harness's own alarm fires first
_EOF = object()


@dataclass
class TimedPlan:
    """A timed probe as the trusted side runs it (from the manifest's ``[tests.timing]``)."""

    id: str
    inputs: dict  # name -> {"shape": [...], "dtype": "float32"|"float64", "scale": 1.0}
    warmup: int = 2
    calls: int = 7
    measure: str = "cpu"  # "cpu" (kernel CPU time), "wall" (GPU: parent's clock), "memory"
    time_limit: float = 60.0
    feed: str | None = None  # a data function in the topic's probes.py, run by the parent

    @classmethod
    def from_dict(cls, ident: str, d: dict, time_limit: float) -> "TimedPlan":
        return cls(id=ident, inputs=dict(d.get("inputs") or {}), warmup=int(d.get("warmup", 2)),
                   calls=int(d.get("calls", 7)), measure=str(d.get("measure", "cpu")),
                   time_limit=float(d.get("time_limit", time_limit)),
                   feed=str(d["feed"]) if d.get("feed") else None)


def draw_inputs(rng: np.random.Generator, plan: TimedPlan) -> dict[str, np.ndarray]:
    out = {}
    for name, spec in sorted(plan.inputs.items()):
        shape = tuple(int(s) for s in spec["shape"])
        arr = rng.standard_normal(shape) * float(spec.get("scale", 1.0))  # float64 draws
        out[name] = arr.astype(spec.get("dtype", "float64"))
    return out


_FEED_MODULES: dict[str, object] = {}
_FEED_LOCK = threading.Lock()
MAX_FEED_BYTES = 256 << 20


def feed_module(source: str):
    """The topic's probes.py (trusted text from the job, never from the sandbox) as a module of
    this process, loaded once per distinct source."""
    import hashlib
    import types

    key = hashlib.sha256(source.encode()).hexdigest()
    with _FEED_LOCK:
        mod = _FEED_MODULES.get(key)
        if mod is None:
            mod = types.ModuleType(f"ag_feed_{key[:12]}")
            exec(compile(source, f"<probes {key[:12]}>", "exec"), mod.__dict__)  # noqa: S102 - staff's file
            _FEED_MODULES[key] = mod
        return mod


def feed_data(rng: np.random.Generator, plan: TimedPlan, source: str | None) -> tuple[dict, dict]:
    """(sent, kept): a fed probe's arrays for the sandbox, and the held-out ones the parent keeps."""
    if not source:
        raise LookupError("no probes source to run the feed function from")
    fn = getattr(feed_module(source), plan.feed or "", None)
    if not callable(fn):
        raise LookupError(f"feed function {plan.feed!r} is not defined in probes.py")
    data = fn(rng)
    if not isinstance(data, dict):
        raise TypeError(f"feed function {plan.feed!r} must return a dict of arrays")
    sent, kept, total = {}, {}, 0
    for name, value in data.items():
        arr = np.asarray(value)
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            raise TypeError(f"feed {plan.feed!r}: {name!r} is not a numeric array")
        total += arr.nbytes
        if str(name).startswith("_"):
            kept[str(name)[1:]] = arr
        else:
            sent[str(name)] = arr
    if total > MAX_FEED_BYTES:
        raise ValueError(f"feed {plan.feed!r} returned {total} bytes")
    return sent, kept


def input_stream(secret: int, ident: str) -> np.random.Generator:
    return np.random.default_rng([int(secret), zlib.crc32(ident.encode()), 0x71AED])


@dataclass
class TimedResult:
    """What the parent measured for one timed probe (plain data and arrays)."""

    meter: str
    warmup: int
    calls: int
    cpu_s: list[float] = field(default_factory=list)
    wall_s: list[float] = field(default_factory=list)
    peak_bytes: list[float] = field(default_factory=list)
    outputs: list[dict] = field(default_factory=list)
    error: str | None = None
    measure: str = "cpu"
    kept: list[dict] = field(default_factory=list)  # a fed probe's held-out arrays per timed call


class _Poller:
    """Samples the sandbox's current memory; keeps the largest rise above the running minimum."""

    def __init__(self, meter, interval=0.0005):
        self.meter, self.interval = meter, interval
        self.rise = 0
        self._stop = threading.Event()
        self._thread = None

    def start(self, base: int | None):
        self.low = base if base is not None else (self.meter.mem_current() or 0)
        self.rise = 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            cur = self.meter.mem_current()
            if cur is not None:
                self.low = min(self.low, cur)
                self.rise = max(self.rise, cur - self.low)
            time.sleep(self.interval)

    def stop(self) -> int:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)
        return self.rise


class Channel:
    """One run's channel. ``feed`` gets the bytes the harness wrote (any chunking); ``send`` writes
    to the harness's stdin. ``close()`` after the harness's output ended, then read the results."""

    def __init__(self, *, send, meter, plans: dict[str, TimedPlan], secret: int | None,
                 probe_order: list[str], t0: float, probes_source: str | None = None):
        self._send_raw = send
        self.meter = meter
        self.plans = plans
        self.secret = secret
        self.probes_source = probes_source
        self.order = list(probe_order)
        self.t0 = t0
        self.parser = frames.Parser()
        self.markers: list[tuple[str, str, float]] = []
        self.protocol_errors: list[str] = []
        self.timed: dict[str, TimedResult] = {}
        self._q: queue.Queue = queue.Queue()
        self._expect = self._expected()
        self._current: str | None = None
        self.cpu_ns_at_done: int | None = None  # a container's cgroup is gone once it exits
        self._send_lock = threading.Lock()
        self._thread = threading.Thread(target=self._drive, daemon=True, name="ag-channel")
        self._thread.start()

    def _expected(self):
        seq = [("cells-start", ""), ("cells-end", "")]
        for ident in self.order:
            seq += [("start", ident), ("end", ident)]
        return seq + [("done", "")]

    # --- reader side (called from the thread that reads the harness's output) -----------------
    def feed(self, data: bytes) -> None:
        now = time.monotonic()
        for head, arrays in self.parser.feed(data):
            ev = head.get("ev")
            cpu = self.meter.cpu_ns() if ev in ("result", "done") and self.meter is not None else None
            if ev == "done" and cpu is not None:
                self.cpu_ns_at_done = cpu
            self._q.put((head, arrays, now - self.t0, cpu))
        if self.parser.broken:
            self._q.put(({"ev": "broken", "id": self.parser.broken}, {}, now - self.t0, None))

    def close(self, timeout: float = 5.0) -> None:
        self._q.put(_EOF)
        self._thread.join(timeout)

    def send(self, header: dict, arrays: dict | None = None) -> bool:
        try:
            with self._send_lock:
                self._send_raw(frames.encode(header, arrays))
            return True
        except (OSError, ValueError):
            return False

    # --- driver --------------------------------------------------------------------------------
    def _marker(self, ev: str, ident: str, t: float) -> None:
        if len(self.markers) >= MAX_MARKERS:
            return
        self.markers.append((ev, ident, t))
        if ev in ("ready", "result", "broken"):
            return
        if self._expect and self._expect[0] == (ev, ident):
            self._expect.pop(0)
            if ev == "start":
                self._current = ident
            elif ev == "end":
                self._current = None
            return
        self.protocol_errors.append(f"unexpected marker {ev!r} {ident[:60]!r}")
        for key in {ident, self._current} - {None, ""}:
            res = self.timed.get(key)
            if res is not None and res.error is None:
                res.error = "the grading protocol was broken during this test (a marker was forged or missing)"
                res.outputs.clear()

    def _drive(self) -> None:
        while True:
            item = self._q.get()
            if item is _EOF:
                break
            head, _arrays, t, _cpu = item
            ev, ident = str(head.get("ev", "")), str(head.get("id", ""))[:200]
            self._marker(ev, ident, t)
            if ev == "broken":
                self.protocol_errors.append(f"unreadable channel: {ident}")
                if self._current in self.plans and self._current not in self.timed:
                    self.timed[self._current] = self._failed(self._current, "the grading channel was broken")
                continue
            if ev == "ready":
                plan = self.plans.get(ident)
                if plan is None or ident != self._current or ident in self.timed:
                    self.protocol_errors.append(f"unexpected ready {ident[:60]!r}")
                    if ident in self.timed and self.timed[ident].error is None:
                        self.timed[ident].error = "the grading protocol was broken (duplicated ready)"
                        self.timed[ident].outputs.clear()
                    continue
                self.timed[ident] = self._run_timed(plan)
            elif ev == "result":
                self.protocol_errors.append(f"unexpected result {ident[:60]!r}")
                res = self.timed.get(ident)
                if res is not None and res.error is None:
                    res.error = "the grading protocol was broken (an answer nobody asked for)"
                    res.outputs.clear()
        # A timed probe that started but never said ready (or whose harness died) has no result.
        for ident in self.plans:
            if ident not in self.timed:
                self.timed[ident] = self._failed(ident, "the timed calls never started")

    def _failed(self, ident: str, why: str) -> TimedResult:
        plan = self.plans[ident]
        return TimedResult(meter=self._meter_kind(plan), warmup=plan.warmup, calls=plan.calls,
                           error=why, measure=plan.measure)

    def _meter_kind(self, plan: TimedPlan) -> str:
        if plan.measure == "wall" or self.meter is None:
            return "parent wall clock"
        return getattr(self.meter, "kind", "unknown")

    def _run_timed(self, plan: TimedPlan) -> TimedResult:
        res = TimedResult(meter=self._meter_kind(plan), warmup=plan.warmup, calls=plan.calls,
                          measure=plan.measure)
        problem = None
        if self.secret is None:
            problem = "grader error: no secret input stream for the timed calls"
        elif plan.measure not in ("cpu", "wall", "memory"):
            problem = f"grader error: {plan.measure!r} cannot be measured from outside the sandbox yet"
        elif plan.measure == "memory" and (self.meter is None or self.meter.mem_current() is None):
            problem = "grader error: this host gives no reading of the sandbox's memory"
        if problem:
            res.error = problem
            self.send({"op": "abort", "id": plan.id, "why": problem})
            return res
        rng = input_stream(self.secret, plan.id)
        # The time limit is spent only while the sandbox holds a call (from sending its inputs to
        # its answer): the parent's own work between calls (a fed probe's data, first importing the
        # topic's probes.py on a loaded machine) is not the submission's time.
        budget = plan.time_limit + GRACE_S
        poller = _Poller(self.meter) if plan.measure == "memory" and self.meter is not None else None
        kept = 0
        for n in range(plan.warmup + plan.calls):
            if plan.feed:
                try:
                    inputs, held = feed_data(rng, plan, self.probes_source)
                except Exception as exc:  # noqa: BLE001 - the topic's data function: a grader error
                    res.error = f"grader error: the feed for this test failed: {type(exc).__name__}: {exc}"[:500]
                    self.send({"op": "abort", "id": plan.id, "why": "grader error"})
                    break
                if n >= plan.warmup:
                    res.kept.append(held)
            else:
                inputs = draw_inputs(rng, plan)
            timed = n >= plan.warmup
            base = None
            if poller is not None and timed:
                self.meter.reset_peak()
                base = self.meter.mem_current()
                poller.start(base)
            c0 = self.meter.cpu_ns() if self.meter is not None else None
            sent_at = time.monotonic()
            w0 = sent_at - self.t0
            if not self.send({"op": "call", "id": plan.id, "n": n}, inputs):
                res.error = "the process under test stopped reading its inputs"
                break
            try:
                item = self._q.get(timeout=max(0.0, budget - (time.monotonic() - sent_at)))
            except queue.Empty:
                item = None
            budget -= time.monotonic() - sent_at
            rise = poller.stop() if poller is not None and timed else 0
            if item is None:
                res.error = f"took too long: stopped after {plan.time_limit:g} s (the time limit)"
                self.send({"op": "abort", "id": plan.id, "why": "time limit"})
                break
            if item is _EOF:
                self._q.put(_EOF)  # let the main loop see it too
                res.error = "the process under test ended during the timed calls"
                break
            head, arrays, t1, c1 = item
            ev, ident = head.get("ev"), head.get("id")
            if ev != "result" or ident != plan.id or head.get("n") != n:
                self._marker(str(ev), str(ident)[:200], t1)
                if ev == "start" or ev == "end":
                    # the harness gave up on this probe (its own time limit, or an error)
                    res.error = res.error or "the timed call did not return"
                else:
                    res.error = "the grading protocol was broken (a missing, duplicated or out-of-order answer)"
                    self.protocol_errors.append(f"bad answer to call {n} of {plan.id}: {str(ev)[:30]}")
                self.send({"op": "abort", "id": plan.id, "why": "protocol"})
                break
            self.markers.append(("result", plan.id, t1)) if len(self.markers) < MAX_MARKERS else None
            if not timed:
                continue
            kept += sum(int(a.nbytes) for a in arrays.values())
            if kept > MAX_KEPT_OUTPUT:
                res.error = "the timed calls returned far too much data"
                self.send({"op": "abort", "id": plan.id, "why": "output too large"})
                break
            res.outputs.append(arrays)
            res.wall_s.append(t1 - w0)
            if c0 is not None and c1 is not None and plan.measure != "wall":
                res.cpu_s.append((c1 - c0) / 1e9)
            if poller is not None:
                peak = self.meter.mem_peak()
                grow = (peak - base) if (peak is not None and base is not None) else 0
                res.peak_bytes.append(float(max(grow, rise, 0)))
        else:
            self.send({"op": "end", "id": plan.id})
        if res.error:
            res.outputs.clear()
            res.kept.clear()
        return res


def timed_to_dict(res: TimedResult, npy) -> dict:
    """Plain data for a result bundle (``npy``: array -> text)."""
    return {"meter": res.meter, "warmup": res.warmup, "calls": res.calls, "measure": res.measure,
            "cpu_s": list(map(float, res.cpu_s)), "wall_s": list(map(float, res.wall_s)),
            "peak_bytes": list(map(float, res.peak_bytes)), "error": res.error,
            "outputs": [{k: npy(v) for k, v in out.items()} for out in res.outputs],
            "kept": [{k: npy(v) for k, v in held.items()} for held in res.kept]}


def timed_from_dict(doc: dict, from_npy) -> TimedResult:
    def nums(key):
        return [float(x) for x in (doc.get(key) or [])]

    error = doc.get("error")
    return TimedResult(meter=str(doc.get("meter", "")), warmup=int(doc.get("warmup", 0)),
                       calls=int(doc.get("calls", 0)), measure=str(doc.get("measure", "cpu")),
                       cpu_s=nums("cpu_s"), wall_s=nums("wall_s"), peak_bytes=nums("peak_bytes"),
                       error=str(error) if error is not None else None,
                       outputs=[{str(k): from_npy(v) for k, v in out.items()}
                                for out in (doc.get("outputs") or [])],
                       kept=[{str(k): from_npy(v) for k, v in held.items()}
                             for held in (doc.get("kept") or []) if isinstance(held, dict)])
