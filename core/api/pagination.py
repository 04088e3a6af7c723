"""Pagination: pages of `page_size` (default 50, at most 200); interactions use a cursor (no COUNT(*))."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class InteractionCursorPagination(CursorPagination):
    """The interactions table is the biggest: a cursor keeps deep pages as cheap as the first one."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-interaction_id")
