"""Input files are streamed: JSON array, JSON Lines, CSV; unreadable parts become rejections."""

import io
import json

from berinia_sync.readers import read_leads
from berinia_sync.services.mapping import Rejected


def read(text: str, fmt=None):
    return list(read_leads(io.BytesIO(text.encode()), fmt))


def test_a_json_array_larger_than_a_chunk_is_read_element_by_element():
    leads = [{"id": str(n), "company_name": "x" * 500} for n in range(500)]
    assert read(json.dumps(leads, indent=1)) == leads


def test_json_lines_with_a_bad_line_yield_a_rejection_and_go_on():
    items = read('{"id": "1"}\n{oops\n\n{"id": "3"}\n')
    assert items[0] == {"id": "1"} and items[2] == {"id": "3"}
    assert isinstance(items[1], Rejected) and items[1].reason.startswith("invalid_json: line 2")


def test_csv_cells_left_empty_are_missing_values():
    assert read("\ufeffid,email,phone\n1,a@b.example.fr,\n") == [{"id": "1", "email": "a@b.example.fr", "phone": None}]


def test_an_unclosed_json_array_is_reported():
    items = read('[{"id": "1"}, {"id": ')
    assert items[0] == {"id": "1"} and isinstance(items[1], Rejected)
