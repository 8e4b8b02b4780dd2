"""One error shape for every 4xx answer of the API, and the OpenAPI statuses that document it.

Every error body is ``{"detail": "一句话说明", "messages": ["每一处问题", …]}``: validation
errors name the parameter or field and say what is wrong in words; refusals and lookups say the
same as the pages. ``document_errors`` adds the statuses any operation can answer (401/403 when
it needs a login, 404 when it looks something up by id, 422 when it takes parameters or a body,
400 when the body might not be JSON) to the OpenAPI, each with this schema.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser


class ErrorOut(Schema):
    detail: str
    messages: list[str] = []


ERROR_TEXTS = {
    400: "请求体不是合法的 JSON",
    401: "请先登录",
    403: "无权访问或操作",
    404: "未找到，或无权查看",
    422: "请求参数有误",
}

_MESSAGES = {
    "missing": "必须填写",
    "string_pattern_mismatch": "含有不允许的控制字符",
    "string_too_long": "过长（最多 {max_length} 个字符）",
    "string_too_short": "过短",
    "string_type": "应为文字",
    "string_unicode": "含有无法保存的字符",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "decimal_parsing": "应为数字",
    "decimal_max_digits": "位数过多（最多 {max_digits} 位）",
    "decimal_max_places": "小数位过多（最多 {decimal_places} 位）",
    "decimal_whole_digits": "整数部分位数过多",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "应小于 {lt}",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为时间（ISO 8601）",
    "datetime_from_date_parsing": "应为时间（ISO 8601）",
    "datetime_type": "应为时间（ISO 8601）",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_attributes_type": "应为对象",
    "too_long": "条目过多",
}


def _field(loc) -> str:
    # ninja locates errors as ("query", "limit") or ("body", "<param>", "field", 0, …).
    parts = [str(p) for p in loc[2:] if not isinstance(p, int)] if loc[:1] == ("body",) else []
    parts = parts or [str(p) for p in loc[1:] if not isinstance(p, int)] or [str(loc[0])]
    return ".".join(parts)


def describe(error: dict) -> str:
    """One error of a pydantic validation, in words with the parameter's name."""
    text = _MESSAGES.get(error.get("type", ""))
    if text:
        try:
            text = text.format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            text = None
    return f"{_field(tuple(error.get('loc', ())))}：{text or error.get('msg', '不合法')}"


def body(status: int, detail: str = "", messages: list[str] | None = None) -> dict:
    return {"detail": detail or ERROR_TEXTS.get(status, "请求有误"), "messages": messages or []}


class StrictJSONParser(Parser):
    """JSON as RFC 8259 has it: ``NaN``/``Infinity`` are not numbers a client may send."""

    def parse_body(self, request):
        def refuse(constant: str):
            raise ValueError(f"不是合法的 JSON 数值：{constant}")

        return json.loads(request.body, parse_constant=refuse)


def install_handlers(api) -> None:
    def respond(request, status: int, detail: str = "", messages=None):
        return api.create_response(request, body(status, detail, messages), status=status)

    @api.exception_handler(NinjaValidationError)
    def _invalid(request, exc):
        messages = [describe(e) for e in exc.errors]
        return respond(request, 422, f"{ERROR_TEXTS[422]}：{'；'.join(messages)}", messages)

    @api.exception_handler(AuthenticationError)
    def _anonymous(request, exc):
        return respond(request, 401)

    @api.exception_handler(HttpError)
    def _http(request, exc):
        detail = str(exc)
        if exc.status_code == 400 and detail.startswith("Cannot parse"):
            detail = ERROR_TEXTS[400]
        return respond(request, exc.status_code, detail)

    @api.exception_handler(Http404)
    def _missing(request, exc):
        return respond(request, 404)

    @api.exception_handler(PermissionDenied)
    def _refused(request, exc):
        return respond(request, 403, str(exc))

    @api.exception_handler(DjangoValidationError)
    def _rejected(request, exc):
        return respond(request, 422, "；".join(exc.messages), exc.messages)


def document_errors(schema: dict) -> dict:
    """Add the error statuses each operation can answer to an OpenAPI document."""
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = (
        ErrorOut.model_json_schema()
    )
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            statuses = set()
            if operation.get("security"):
                statuses |= {401, 403}
            if "{" in path:
                statuses.add(404)
            if operation.get("parameters") or operation.get("requestBody"):
                statuses.add(422)
            if operation.get("requestBody"):
                statuses.add(400)
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                responses.setdefault(
                    str(status),
                    {
                        "description": ERROR_TEXTS[status],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return schema
