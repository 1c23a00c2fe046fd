#!/usr/bin/env python3
"""Baseline for `hindsight-bench amqp`: the same workload with Python's pika.

Publishes N persistent messages of SIZE bytes with publisher confirms to a fresh quorum queue,
keeping up to WINDOW messages unconfirmed (SelectConnection, so confirms are pipelined rather than
one round trip per message), then consumes them with prefetch PREFETCH, acknowledging every
ACK_EVERY deliveries with multiple=True. Prints one JSON object on stdout.

    python3 benchmarks/amqp_baseline_pika.py --url amqp://hindsight:hindsight@127.0.0.1:5673/hindsight
"""
import argparse
import json
import os
import sys
import time
import uuid

try:
    import pika
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("pika is not installed: pip install -r benchmarks/requirements.txt")

DEFAULT_URL = "amqp://hindsight:hindsight@127.0.0.1:5673/hindsight"


def publish(params, queue, count, body, window):
    """Pipelined publish with confirms; returns elapsed seconds."""
    state = {"sent": 0, "confirmed": 0, "start": None, "end": None, "error": None}
    props = pika.BasicProperties(delivery_mode=2, content_type="application/octet-stream")

    def pump(channel):
        while state["sent"] < count and state["sent"] - state["confirmed"] < window:
            channel.basic_publish("", queue, body, props)
            state["sent"] += 1

    def on_confirm(frame, channel):
        method = frame.method
        if isinstance(method, pika.spec.Basic.Nack):
            state["error"] = "broker nacked a message"
        # Confirms come in order on one channel: `multiple` covers everything up to the tag.
        state["confirmed"] = method.delivery_tag if method.multiple else state["confirmed"] + 1
        if state["confirmed"] >= count:
            state["end"] = time.perf_counter()
            channel.connection.close()
        else:
            pump(channel)

    def on_confirm_mode(_frame, channel):
        state["start"] = time.perf_counter()
        pump(channel)

    def on_channel(channel):
        channel.add_on_return_callback(lambda *a: None)
        channel.confirm_delivery(lambda frame: on_confirm(frame, channel), callback=lambda f: on_confirm_mode(f, channel))

    def on_open(connection):
        connection.channel(on_open_callback=on_channel)

    def on_fail(_connection, error):
        state["error"] = str(error)

    connection = pika.SelectConnection(params, on_open_callback=on_open, on_open_error_callback=on_fail,
                                       on_close_callback=lambda c, r: c.ioloop.stop())
    connection.ioloop.start()
    if state["error"] or state["end"] is None:
        sys.exit("pika publish failed: %s" % (state["error"] or "connection closed early"))
    return state["end"] - state["start"]


def consume(params, queue, count, prefetch, ack_every):
    """Consume with acks every ack_every (multiple=True); returns elapsed seconds."""
    connection = pika.BlockingConnection(params)
    channel = connection.channel()
    channel.basic_qos(prefetch_count=prefetch)
    state = {"n": 0}
    start = time.perf_counter()

    def on_message(ch, method, _props, _body):
        state["n"] += 1
        if state["n"] % ack_every == 0 or state["n"] == count:
            ch.basic_ack(method.delivery_tag, multiple=True)
        if state["n"] == count:
            ch.stop_consuming()

    channel.basic_consume(queue, on_message)
    channel.start_consuming()
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("HINDSIGHT_AMQP_URL", DEFAULT_URL))
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--window", type=int, default=1000)
    parser.add_argument("--prefetch", type=int, default=8000)
    parser.add_argument("--ack-every", type=int, default=2000)
    args = parser.parse_args()

    params = pika.URLParameters(args.url)
    params.client_properties = {"connection_name": "hindsight-bench-pika"}
    queue = "hindsight.bench.pika.%s" % uuid.uuid4().hex[:8]
    setup = pika.BlockingConnection(params)
    channel = setup.channel()
    channel.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
    try:
        body = b"x" * args.size
        publish_seconds = publish(params, queue, args.messages, body, args.window)
        consume_seconds = consume(params, queue, args.messages, args.prefetch, args.ack_every)
    finally:
        channel.queue_delete(queue)
        setup.close()
    print(json.dumps({
        "client": "pika %s" % pika.__version__,
        "messages": args.messages,
        "size": args.size,
        "publish_seconds": round(publish_seconds, 3),
        "consume_seconds": round(consume_seconds, 3),
        "publish_rate": round(args.messages / publish_seconds, 1),
        "consume_rate": round(args.messages / consume_seconds, 1),
    }))


if __name__ == "__main__":
    main()
