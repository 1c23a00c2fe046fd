"""Publishes events to `hindsight.events` with publisher confirms, as the Swift `EventPublisher` does."""
from __future__ import annotations

import logging
import os
import time
from typing import Optional

import pika
import pika.exceptions

from .errors import BrokerRefused, BrokerUnavailable
from .wire import EVENTS_EXCHANGE, Message, messages_for

DEFAULT_AMQP_URL = "amqp://hindsight:hindsight@127.0.0.1:5673/hindsight"
"""The Swift agent's default (`HindsightDefaults.amqpURL`); `HINDSIGHT_AMQP_URL` overrides it."""

log = logging.getLogger("hindsight_agent")

# Connection-level failures: the broker is away or the link broke. Anything else from pika is a refusal.
_UNAVAILABLE = (pika.exceptions.AMQPConnectionError, pika.exceptions.StreamLostError,
                pika.exceptions.ConnectionClosed, pika.exceptions.ChannelWrongStateError, ConnectionError, OSError)


def amqp_url() -> str:
    """`HINDSIGHT_AMQP_URL`, else the local broker (as the Swift commands)."""
    return os.environ.get("HINDSIGHT_AMQP_URL") or DEFAULT_AMQP_URL


class EventPublisher:
    """Validates events and publishes them, each message confirmed by the broker before the next.

        with EventPublisher() as publisher:          # HINDSIGHT_AMQP_URL
            publisher.publish(recorder.events)

    Messages are those of the Swift publisher (wire.messages_for): batches of `events_per_message`,
    persistent, `application/json`, header `hindsight-schema: 1`, routing key `<domain>.<type>` and
    message id of the batch's first event, published `mandatory` so a message no queue takes is an error.

    Unlike the Swift library there is no disk spool: while the broker is away, `publish` reconnects
    (1 s doubling to 5 s) and resends the first unconfirmed message for up to `retry_for` seconds, then
    raises `BrokerUnavailable`. A message whose confirm was lost may arrive twice; the tracker stores
    each `event_id` once.
    """

    def __init__(self, url: Optional[str] = None, events_per_message: int = 100, retry_for: float = 30.0,
                 exchange: str = EVENTS_EXCHANGE, blocked_timeout: float = 10.0):
        self.url = url or amqp_url()
        self.events_per_message = events_per_message
        self.retry_for = retry_for
        self.exchange = exchange
        self.blocked_timeout = blocked_timeout
        self._connection: Optional[pika.BlockingConnection] = None
        self._channel = None

    def __enter__(self) -> "EventPublisher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def messages(self, events: list[dict]) -> list[Message]:
        """The validated messages of `events`, without sending them (raises `InvalidEvent`)."""
        return messages_for(events, self.events_per_message, exchange=self.exchange)

    def publish(self, events: list[dict]) -> int:
        """Validates every event, then publishes them in order; returns the number of messages confirmed.

        Raises:
            InvalidEvent: an event breaks the wire format; nothing was sent.
            BrokerRefused: a nack, an unroutable message, or a permission/exchange error.
            BrokerUnavailable: the broker stayed away for `retry_for` seconds.
        """
        messages = self.messages(events)
        deadline = time.monotonic() + self.retry_for
        delay = 1.0
        sent = 0
        while sent < len(messages):
            try:
                channel = self._open()
                while sent < len(messages):
                    self._send(channel, messages[sent])
                    sent += 1
            except _UNAVAILABLE as error:
                self._drop()
                if time.monotonic() + delay > deadline:
                    raise BrokerUnavailable(type(error).__name__, sent, len(messages)) from None
                log.warning("hindsight broker unavailable (%s); retrying in %.0f s", type(error).__name__, delay)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
        return sent

    def _send(self, channel, message: Message) -> None:
        properties = pika.BasicProperties(
            content_type=message.content_type, delivery_mode=message.delivery_mode,
            headers=dict(message.headers), message_id=message.message_id)
        try:
            channel.basic_publish(message.exchange, message.routing_key, message.body, properties, mandatory=True)
        except pika.exceptions.UnroutableError:
            raise BrokerRefused(f"unroutable: no queue bound to {message.exchange} for {message.routing_key}") from None
        except pika.exceptions.NackError:
            raise BrokerRefused(f"the broker nacked message {message.message_id}") from None
        except pika.exceptions.ChannelClosedByBroker as error:
            self._drop()
            raise BrokerRefused(f"channel closed by the broker: {error.reply_code} {error.reply_text}") from None

    def _open(self):
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self._drop()
        parameters = pika.URLParameters(self.url)
        parameters.connection_attempts = 1
        parameters.socket_timeout = 5
        # A broker that blocks publishers (memory or disk alarm) counts as unavailable after this long,
        # like the Swift publisher's confirm timeout; a silent peer is caught by the heartbeat.
        parameters.blocked_connection_timeout = self.blocked_timeout
        parameters.client_properties = {"connection_name": "hindsight-python-agent"}
        try:
            self._connection = pika.BlockingConnection(parameters)
        except pika.exceptions.ProbableAuthenticationError:
            raise BrokerRefused("authentication failed") from None
        except pika.exceptions.ProbableAccessDeniedError:
            raise BrokerRefused("access to the virtual host denied") from None
        self._channel = self._connection.channel()
        self._channel.confirm_delivery()
        return self._channel

    def _drop(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 — already broken; nothing to report
                pass

    def close(self) -> None:
        """Closes the connection (a later `publish` opens a new one)."""
        self._drop()
