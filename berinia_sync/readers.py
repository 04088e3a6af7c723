"""Stream infra-ia leads out of a JSON array, JSON Lines or CSV file, one dict at a time.

Nothing is loaded whole: a 1,000,000-lead file costs the memory of one chunk. A line or element that cannot
be parsed is yielded as a `Rejected` (reason "invalid_json"/"invalid_csv") so the run reports it and goes on.
"""

import csv
import io
import json
import sys
from collections.abc import Iterator
from typing import BinaryIO

from .services.mapping import Rejected

FORMATS = ("json", "jsonl", "csv")
_CHUNK = 1 << 16
_decoder = json.JSONDecoder()


def guess_format(head: str, name: str = "") -> str:
    """'json' for a JSON array, 'jsonl' for one object per line, else 'csv' (by content, then by file name)."""
    first = head.lstrip("\ufeff \t\r\n")[:1]
    if first == "[":
        return "json"
    if first == "{":
        return "jsonl"
    return "jsonl" if name.endswith((".jsonl", ".ndjson")) else "csv"


def read_leads(stream: BinaryIO, fmt: str | None = None, name: str = "", *, strict: bool = False) -> Iterator:
    """Yield each lead of `stream` (bytes, UTF-8 with or without BOM); `fmt` None guesses from the content.

    strict: a CSV quote left open or followed by text raises csv.Error (the API refuses such an upload)
    instead of being read leniently (the command's behaviour).
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    head = text.read(_CHUNK)
    fmt = fmt or guess_format(head, name)
    if fmt == "json":
        yield from _json_array(head, text)
    elif fmt == "jsonl":
        yield from _json_lines(head, text)
    elif fmt == "csv":
        yield from _csv_rows(head, text, strict)
    else:
        raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")


def _lines(head: str, text) -> Iterator[str]:
    yield from io.StringIO(head + text.readline())  # finish the line cut by the first chunk
    yield from text


def _json_lines(head: str, text) -> Iterator:
    loads = json.loads
    for number, line in enumerate(_lines(head, text), start=1):
        if not line.strip():
            continue
        try:
            yield loads(line)
        except ValueError as error:
            yield Rejected("invalid_json", f"line {number}: {error}")


def _json_array(head: str, text) -> Iterator:
    """Decode the elements of a top-level array one by one with raw_decode over a sliding buffer."""
    buffer, position, eof = head, head.index("[") + 1, False
    while True:
        while position < len(buffer) and buffer[position] in " \t\r\n,":
            position += 1
        if position >= len(buffer) - 1 and not eof:
            more = text.read(_CHUNK)
            eof = not more
            buffer, position = buffer[position:] + more, 0
            continue
        if position < len(buffer) and buffer[position] == "]":
            return
        if position >= len(buffer):
            yield Rejected("invalid_json", "the JSON array is not closed with ']'.")
            return
        try:
            value, end = _decoder.raw_decode(buffer, position)
        except ValueError as error:
            if not eof:  # maybe the element is cut by the chunk: read more and retry
                more = text.read(_CHUNK)
                eof = not more
                buffer, position = buffer[position:] + more, 0
                continue
            yield Rejected("invalid_json", f"array element at character {position}: {error}")
            return
        yield value
        position = end


def _csv_rows(head: str, text, strict: bool = False) -> Iterator:
    reader = csv.DictReader(_lines(head, text), strict=strict)
    for row in reader:
        if None in row:  # more cells than header columns
            yield Rejected("invalid_csv", f"line {reader.line_num}: more cells than columns.")
            continue
        yield {key: (value if value != "" else None) for key, value in row.items() if key}


def open_input(path: str) -> BinaryIO:
    """The file at `path`, or standard input for "-" (binary either way)."""
    return sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115 - the caller closes it
