#!/usr/bin/env python3
"""Baseline for `hindsight bench ingest`: a Python worker that commits every message.

Consumes QUEUE (already filled by the bench) with pika, prefetch PREFETCH; for each message parses the
JSON body (a single event or a batch `{"schema":1,"events":[...]}`), INSERTs its event(s) into the scratch
table `bench_baseline_events` (the shape of `hindsight.events`, `ON CONFLICT DO NOTHING`) with psycopg 3,
COMMITs, then acks that message. Stops after EVENTS events and prints one JSON object on stdout:
events, messages, seconds (first delivery -> last commit) and rate (events/s).

This is the per-message worker the seed's design implies; it does less than the tracker (no consolidated
rows), so ratios against it are conservative.

    python3 benchmarks/ingest_baseline_per_message.py --url amqp://… --database-url postgres://… --queue Q --events 20000
"""
import argparse
import json
import sys
import time

try:
    import pika
    import psycopg
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("pika and psycopg are needed: scripts/python-deps")

TABLE_DDL = """
CREATE TABLE IF NOT EXISTS bench_baseline_events (
    event_id     uuid        NOT NULL,
    execution_id uuid        NOT NULL,
    seq          integer     NOT NULL,
    ts           timestamptz NOT NULL,
    type         text        NOT NULL,
    phase        text,
    data         jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (execution_id, event_id, ts)
)
"""

INSERT = """
INSERT INTO bench_baseline_events (event_id, execution_id, seq, ts, type, phase, data)
VALUES (%s, %s, %s, %s::timestamptz, %s, %s, %s::jsonb)
ON CONFLICT DO NOTHING
"""


def events_of(body):
    message = json.loads(body)
    return message["events"] if "events" in message else [message]


def row(event):
    return (event["event_id"], event["execution_id"], event["seq"], event["ts"], event["type"],
            event.get("phase"), json.dumps(event.get("data", {}), separators=(",", ":")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="AMQP URL")
    parser.add_argument("--database-url", required=True, help="PostgreSQL URL (a scratch database)")
    parser.add_argument("--queue", required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--prefetch", type=int, default=100)
    args = parser.parse_args()

    db = psycopg.connect(args.database_url)
    with db.cursor() as cur:
        cur.execute(TABLE_DDL)
        cur.execute("TRUNCATE bench_baseline_events")
    db.commit()

    params = pika.URLParameters(args.url)
    params.client_properties = {"connection_name": "hindsight-bench-ingest-per-message"}
    connection = pika.BlockingConnection(params)
    channel = connection.channel()
    channel.basic_qos(prefetch_count=args.prefetch)
    state = {"events": 0, "messages": 0, "first": None, "last": None}

    def on_message(ch, method, _props, body):
        if state["first"] is None:
            state["first"] = time.perf_counter()
        events = events_of(body)
        with db.cursor() as cur:
            for event in events:
                cur.execute(INSERT, row(event))
        db.commit()
        state["last"] = time.perf_counter()
        ch.basic_ack(method.delivery_tag)
        state["events"] += len(events)
        state["messages"] += 1
        if state["events"] >= args.events:
            ch.stop_consuming()

    channel.basic_consume(args.queue, on_message)
    channel.start_consuming()
    connection.close()
    db.close()
    seconds = state["last"] - state["first"]
    print(json.dumps({
        "client": "python per-message (pika %s, psycopg %s)" % (pika.__version__, psycopg.__version__),
        "events": state["events"],
        "messages": state["messages"],
        "seconds": round(seconds, 3),
        "rate": round(state["events"] / seconds, 1),
    }))


if __name__ == "__main__":
    main()
