"""The errors the module raises; each message is one line without payloads or passwords."""
from __future__ import annotations


class HindsightError(Exception):
    """Base class of every error this module raises."""


class InvalidEvent(HindsightError):
    """An event breaks wire format v1: nothing of the call was published.

    `event_index` is the event's index in the list passed to `publish`, `rule` the failed rule
    (the JSON Schema path and message, or the decoder-only rule such as a byte limit).
    """

    def __init__(self, event_index: int, rule: str):
        super().__init__(f"event {event_index} breaks the wire format ({rule}); nothing of this call was published")
        self.event_index = event_index
        self.rule = rule


class BrokerUnavailable(HindsightError):
    """The broker could not be reached, or the connection dropped, for longer than the publisher's
    `retry_for`. Messages before `confirmed` were confirmed; the rest may or may not have arrived:
    publish the same events again (the tracker stores each `event_id` once)."""

    def __init__(self, reason: str, confirmed: int, total: int):
        super().__init__(f"broker unavailable ({reason}); {confirmed} of {total} messages confirmed")
        self.confirmed = confirmed
        self.total = total


class BrokerRefused(HindsightError):
    """The broker refused the message for good: a nack, an unroutable message (mandatory: no queue is
    bound to the routing key), a missing permission or exchange. Retrying cannot help."""


class AdapterError(HindsightError):
    """Base class of the adapter client's errors."""


class AdapterTimeout(AdapterError):
    """No reply within the call's timeout (no adapter running, or all busy). The request carried the same
    deadline, so an adapter that sees it later drops it unanswered."""

    def __init__(self, method: str, milliseconds: int):
        super().__init__(f"no reply to {method} within {milliseconds} ms (is an adapter running?)")
        self.method = method
        self.milliseconds = milliseconds


class AdapterRefused(AdapterError):
    """The adapter answered with an error reply (`ok: false`); `code` is one of error-v1.schema.json's."""

    def __init__(self, code: str, message: str):
        super().__init__(f"adapter refused the request: {code}: {message}")
        self.code = code
        self.message = message


class InvalidRequest(AdapterError):
    """The request breaks its method's JSON Schema: it was not sent."""


class UndecodableReply(AdapterError):
    """The reply is not a v1 reply envelope."""
