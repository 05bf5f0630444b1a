"""Logger and metrics set up once per function, with personal data masked before it is written."""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

# 18-char PRC ID numbers, mainland mobile numbers, and e-mail local parts.
_PRC_ID = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+)")


def redact(value: Any) -> Any:
    if isinstance(value, str):
        value = _PRC_ID.sub(r"\1***********\2", value)
        value = _MOBILE.sub(r"\1****\2", value)
        return _EMAIL.sub(r"\1***\2", value)
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any]) -> str:
        return super().serialize(redact(log))


def get_logger(service: str) -> Logger:
    return Logger(service=service, logger_formatter=RedactingFormatter())
