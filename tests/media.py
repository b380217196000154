"""WebM streams shaped like MediaRecorder's (EBML header, a Segment and Clusters of
unknown size, SimpleBlocks), built byte by byte for upload tests."""

from __future__ import annotations

import os


def _size(n: int) -> bytes:
    for length in range(1, 9):
        if n < (1 << (7 * length)) - 1:
            return ((1 << (7 * length + (8 - length))) >> (8 - length) | n).to_bytes(length, "big")
    raise ValueError(n)


def element(eid: int, payload: bytes) -> bytes:
    return eid.to_bytes((eid.bit_length() + 7) // 8, "big") + _size(len(payload)) + payload


UNKNOWN_SIZE = b"\x01\xff\xff\xff\xff\xff\xff\xff"


def header(doctype: bytes = b"webm") -> bytes:
    return element(0x1A45DFA3, element(0x4286, b"\x01") + element(0x4282, doctype)
                   + element(0x4287, b"\x04") + element(0x4285, b"\x02"))


def start() -> bytes:
    """Header, the open Segment, Info and Tracks: what the first chunk begins with."""
    info = element(0x2AD7B1, (1_000_000).to_bytes(3, "big")) + element(0x4D80, b"Chrome")
    tracks = element(0xAE, element(0xD7, b"\x01") + element(0x86, b"A_OPUS"))
    return header() + b"\x18\x53\x80\x67" + UNKNOWN_SIZE + element(0x1549A966, info) + element(0x1654AE6B, tracks)


def cluster(timecode_ms: int, blocks: int = 50, block_bytes: int = 200, step_ms: int = 20) -> bytes:
    """One Cluster of unknown size with ``blocks`` SimpleBlocks of random bytes."""
    body = element(0xE7, timecode_ms.to_bytes(4, "big"))
    for n in range(blocks):
        body += element(0xA3, b"\x81" + (n * step_ms).to_bytes(2, "big") + b"\x80" + os.urandom(block_bytes))
    return b"\x1f\x43\xb6\x75" + UNKNOWN_SIZE + body


def recording(seconds: int, block_bytes: int = 200) -> bytes:
    """A whole stream of ``seconds`` (one Cluster per second)."""
    return start() + b"".join(cluster(1000 * s, block_bytes=block_bytes) for s in range(seconds))


def chunks(data: bytes, size: int) -> list[bytes]:
    """Cut anywhere, as MediaRecorder's timeslice does."""
    return [data[i:i + size] for i in range(0, len(data), size)]
