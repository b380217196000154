"""Checking a WebM recording by its bytes while it arrives in chunks.

MediaRecorder cuts its stream wherever the timeslice ends, not on element
boundaries: a later chunk may start in the middle of a SimpleBlock, so it has
no magic number of its own. Instead of sniffing each chunk, the upload keeps a
small parse state (``StreamState``) and walks the EBML structure across chunk
boundaries: the first chunk must be an EBML header whose DocType is ``webm``;
every later byte must continue a Segment of Info, Tracks and Clusters with valid
element ids and sizes. Any other file (a picture, a second recording started
from its own header, random bytes) breaks the walk within a few bytes. The walk
also reads the Cluster and block timecodes, so the duration cap rests on the
media itself rather than on what the browser says.

Only element headers and timecodes are read; payloads (the audio and video)
are skipped, and the state never holds more than a few header bytes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

EBML = 0x1A45DFA3
DOCTYPE = 0x4282
SEGMENT = 0x18538067
INFO = 0x1549A966
TIMECODE_SCALE = 0x2AD7B1
CLUSTER = 0x1F43B675
TIMECODE = 0xE7
SIMPLE_BLOCK = 0xA3
BLOCK_GROUP = 0xA0
BLOCK = 0xA1
# Children of a Segment: seeing one of them ends a Cluster of unknown size.
SEGMENT_CHILDREN = frozenset({0x114D9B74, INFO, 0x1654AE6B, CLUSTER, 0x1C53BB6B, 0x1254C367,
                              0x1043A770, 0x1941A469, 0xEC, 0xBF})
CLUSTER_CHILDREN = frozenset({TIMECODE, SIMPLE_BLOCK, BLOCK_GROUP, 0xA7, 0xAB, 0x5854, 0xAF, 0xEC, 0xBF})
# Masters the walk descends into; others are skipped whole.
MASTERS = frozenset({SEGMENT, INFO, CLUSTER, BLOCK_GROUP})
MAX_HEADER = 12  # id (4) + size (8)
MAX_TAIL = 32
MAX_TRACK = 16  # MediaRecorder writes one audio and one video track
# Far above a MediaRecorder block (a video key frame is well under 1 MB); random bytes
# that happen to form a valid id mostly announce an absurd size and are refused by it.
MAX_ELEMENT = 8 * 1024 * 1024  # an element header plus a block's track number and timecode
UNKNOWN = -1


class NotWebm(ValueError):
    """The bytes do not continue a WebM stream."""


@dataclass
class StreamState:
    """Where the walk stands between two chunks (kept as JSON with the recording)."""

    pos: int = 0  # offset in the stream of the first byte not yet walked (or of ``tail``)
    skip: int = 0  # payload bytes still to pass over before the next element header
    tail: str = ""  # hex of an element header cut by the chunk's end, walked with the next chunk
    stack: list[list[int]] = field(default_factory=list)  # open masters: [id, end offset or -1]
    scale_ns: int = 1_000_000  # TimecodeScale (WebM's default: milliseconds)
    cluster_tc: int = 0
    max_tc: int = 0

    @property
    def started(self) -> bool:
        return self.pos > 0 or bool(self.tail)

    @property
    def duration_s(self) -> float:
        return self.max_tc * self.scale_ns / 1e9

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict | None) -> StreamState:
        return cls(**data) if data else cls()


def _vint(buf: bytes, i: int, *, keep_marker: bool) -> tuple[int, int] | None:
    """(value, length) of the variable-size integer at ``buf[i]``; None if cut off."""
    if i >= len(buf):
        return None
    first = buf[i]
    if first == 0:
        raise NotWebm("invalid variable-size integer")
    length = 8 - first.bit_length() + 1
    if i + length > len(buf):
        return None
    value = first if keep_marker else first & (0xFF >> length)
    for b in buf[i + 1:i + length]:
        value = (value << 8) | b
    if not keep_marker and value == (1 << (7 * length)) - 1:
        value = UNKNOWN
    return value, length


def _element(buf: bytes, i: int) -> tuple[int, int, int] | None:
    """(id, payload size or UNKNOWN, header length) at ``buf[i]``; None if cut off."""
    found = _vint(buf, i, keep_marker=True)
    if found is None:
        return None
    eid, id_len = found
    if id_len > 4:
        raise NotWebm("element id longer than 4 bytes")
    size = _vint(buf, i + id_len, keep_marker=False)
    if size is None:
        return None
    return eid, size[0], id_len + size[1]


def check_header(first: bytes) -> None:
    """The first chunk must open with an EBML header of DocType ``webm``."""
    if first[:4] != EBML.to_bytes(4, "big"):
        raise NotWebm("no EBML header")
    found = _element(first, 0)
    if found is None or found[1] == UNKNOWN or found[2] + found[1] > len(first):
        raise NotWebm("EBML header cut off")
    _eid, size, head = found
    i, end = head, head + size
    while i < end:
        child = _element(first, i)
        if child is None or child[1] == UNKNOWN:
            raise NotWebm("bad EBML header")
        cid, csize, chead = child
        if cid == DOCTYPE:
            if first[i + chead:i + chead + csize].rstrip(b"\0") != b"webm":
                raise NotWebm("not a webm document")
            return
        i += chead + csize
    raise NotWebm("no DocType")


def _uint(data: bytes) -> int:
    return int.from_bytes(data, "big") if data else 0


def feed(state: StreamState, data: bytes) -> StreamState:
    """Walk ``data`` (the next chunk) on from ``state``; returns the new state and
    leaves ``state`` untouched. Raises NotWebm when the bytes do not continue the stream."""
    s = StreamState.from_json(state.to_json())
    if not s.started:
        check_header(data)
    buf = bytes.fromhex(s.tail) + data
    base, i = s.pos, 0
    while True:
        if s.skip:
            step = min(s.skip, len(buf) - i)
            i += step
            s.skip -= step
            if s.skip:
                break
        while s.stack and s.stack[-1][1] != UNKNOWN and base + i >= s.stack[-1][1]:
            if base + i > s.stack[-1][1]:
                raise NotWebm("element overruns its parent")
            s.stack.pop()
        if i >= len(buf):
            break
        found = _element(buf, i)
        if found is None:
            break
        eid, size, head = found
        parent = s.stack[-1][0] if s.stack else None
        if parent == CLUSTER and s.stack[-1][1] == UNKNOWN and eid in SEGMENT_CHILDREN - CLUSTER_CHILDREN:
            s.stack.pop()  # a Cluster of unknown size ends where the next Segment child begins
            parent = SEGMENT
        if parent is None and not (eid == EBML and base + i == 0) and (eid != SEGMENT or base + i == 0):
            raise NotWebm("expected a Segment")  # also a second EBML header: a new recording
        elif parent == SEGMENT and eid not in SEGMENT_CHILDREN:
            raise NotWebm("unexpected element in Segment")
        elif parent == CLUSTER and eid not in CLUSTER_CHILDREN:
            raise NotWebm("unexpected element in Cluster")
        if size == UNKNOWN and eid not in (SEGMENT, CLUSTER):
            raise NotWebm("unknown size outside Segment and Cluster")
        if size != UNKNOWN and size > MAX_ELEMENT and eid != SEGMENT:
            raise NotWebm("element too large")
        if s.stack and s.stack[-1][1] != UNKNOWN and size != UNKNOWN and \
                base + i + head + size > s.stack[-1][1]:
            raise NotWebm("element overruns its parent")
        if eid in (TIMECODE, TIMECODE_SCALE) or eid in (SIMPLE_BLOCK, BLOCK):
            need = head + (min(size, 8) if eid in (TIMECODE, TIMECODE_SCALE) else 0)
            if eid in (SIMPLE_BLOCK, BLOCK):
                track = _vint(buf, i + head, keep_marker=False)
                if track is None:
                    break
                need = head + track[1] + 2
                if size < track[1] + 2 or not 1 <= track[0] <= MAX_TRACK:
                    raise NotWebm("bad block")
            if i + need > len(buf):
                break  # read it whole with the next chunk
            if eid == TIMECODE:
                if size > 8:
                    raise NotWebm("timecode too long")
                s.cluster_tc = _uint(buf[i + head:i + head + size])
                s.max_tc = max(s.max_tc, s.cluster_tc)
            elif eid == TIMECODE_SCALE:
                if not 0 < size <= 8:
                    raise NotWebm("bad timecode scale")
                s.scale_ns = _uint(buf[i + head:i + head + size]) or 1_000_000
            else:
                rel = int.from_bytes(buf[i + need - 2:i + need], "big", signed=True)
                s.max_tc = max(s.max_tc, s.cluster_tc + rel)
        i += head
        if eid in MASTERS:
            s.stack.append([eid, UNKNOWN if size == UNKNOWN else base + i + size])
        else:
            s.skip = size
    s.pos = base + i
    s.tail = buf[i:].hex()
    if len(buf) - i > MAX_TAIL:
        raise NotWebm("element header too long")
    return s
