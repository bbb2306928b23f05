"""Frames on the channel between the trusted parent and the harness (stdlib + NumPy only).

A frame is ``MAGIC`` (4 bytes), the length of a JSON header (4 bytes, big-endian), the header, then
the arrays the header lists (``"arrays": [[name, nbytes], ...]``), each as a ``.npy`` document read
back with ``allow_pickle=False``. Everything is bounded: a header over ``MAX_HEADER`` or arrays over
``MAX_ARRAYS`` bytes, a wrong magic, or a malformed header is a :class:`FrameError`, and the reader
that raised it reads nothing more (the channel is broken; the parent fails what was in flight).

Both sides import this module; the parent's copy is its own (the sandbox's copy can be patched by
the code under test, which changes nothing the parent decides).
"""
from __future__ import annotations

import io
import json
import struct

MAGIC = b"AGF1"
MAX_HEADER = 64 << 10
MAX_ARRAYS = 64 << 20
MAX_ARRAY_COUNT = 16


class FrameError(ValueError):
    pass


def encode(header: dict, arrays: dict | None = None) -> bytes:
    import numpy as np

    blobs = []
    for name, arr in (arrays or {}).items():
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.ascontiguousarray(arr), allow_pickle=False)
        blobs.append((str(name), buf.getvalue()))
    head = dict(header)
    if blobs:
        head["arrays"] = [[n, len(b)] for n, b in blobs]
    raw = json.dumps(head).encode()
    return MAGIC + struct.pack(">I", len(raw)) + raw + b"".join(b for _, b in blobs)


def _decode_arrays(head: dict, body: bytes) -> dict:
    import numpy as np

    out, pos = {}, 0
    for name, size in head.get("arrays") or []:
        arr = np.lib.format.read_array(io.BytesIO(body[pos:pos + size]), allow_pickle=False)
        out[name] = arr
        pos += size
    return out


def _check_header(raw: bytes) -> dict:
    try:
        head = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FrameError("unreadable frame header") from exc
    if not isinstance(head, dict):
        raise FrameError("frame header is not an object")
    arrays = head.get("arrays") or []
    if not isinstance(arrays, list) or len(arrays) > MAX_ARRAY_COUNT:
        raise FrameError("bad array list")
    total = 0
    for item in arrays:
        if (not isinstance(item, list) or len(item) != 2 or not isinstance(item[0], str)
                or not isinstance(item[1], int) or isinstance(item[1], bool) or item[1] < 0):
            raise FrameError("bad array entry")
        total += item[1]
    if total > MAX_ARRAYS:
        raise FrameError("frame arrays too large")
    head["_body"] = total
    return head


class Parser:
    """Incremental: ``feed(bytes)`` returns the complete frames as ``(header, arrays)`` pairs."""

    def __init__(self):
        self.buf = bytearray()
        self.need: dict | None = None  # a header whose arrays have not all arrived
        self.broken: str | None = None

    def feed(self, data: bytes) -> list[tuple[dict, dict]]:
        if self.broken:
            return []
        self.buf += data
        frames = []
        try:
            while True:
                if self.need is None:
                    if len(self.buf) < 8:
                        break
                    if bytes(self.buf[:4]) != MAGIC:
                        raise FrameError("bad frame magic")
                    size = struct.unpack(">I", bytes(self.buf[4:8]))[0]
                    if size > MAX_HEADER:
                        raise FrameError("frame header too large")
                    if len(self.buf) < 8 + size:
                        break
                    self.need = _check_header(bytes(self.buf[8:8 + size]))
                    del self.buf[:8 + size]
                body = self.need["_body"]
                if len(self.buf) < body:
                    break
                head, self.need = self.need, None
                try:
                    arrays = _decode_arrays(head, bytes(self.buf[:body]))
                except Exception as exc:  # noqa: BLE001 - any malformed .npy breaks the channel
                    raise FrameError(f"unreadable array ({type(exc).__name__})") from exc
                del self.buf[:body]
                head.pop("_body", None)
                head.pop("arrays", None)
                frames.append((head, arrays))
        except FrameError as exc:
            self.broken = str(exc)
            self.buf.clear()
        return frames


def read_frame(stream, max_header: int = MAX_HEADER) -> tuple[dict, dict] | None:
    """Blocking read of one frame from a binary stream (the harness's side); None at end of input.
    (The job frame comes from the trusted parent and may be larger: ``max_header``.)"""
    head8 = _read_exact(stream, 8)
    if head8 is None:
        return None
    if head8[:4] != MAGIC:
        raise FrameError("bad frame magic")
    size = struct.unpack(">I", head8[4:])[0]
    if size > max_header:
        raise FrameError("frame header too large")
    raw = _read_exact(stream, size)
    if raw is None:
        return None
    head = _check_header(raw)
    body = _read_exact(stream, head.pop("_body")) if head.get("arrays") else b""
    if body is None:
        return None
    arrays = _decode_arrays(head, body)
    head.pop("arrays", None)
    return head, arrays


def _read_exact(stream, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = stream.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)
