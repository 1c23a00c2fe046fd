#!/usr/bin/env python3
"""Baseline for `hindsight bench ingest`: a Python worker that writes 500 rows per transaction.

Consumes QUEUE (already filled by the bench) with pika, prefetch PREFETCH; collects the events of the
messages (single events or batches `{"schema":1,"events":[...]}`) until at least BATCH rows are buffered (or
the queue is idle for 50 ms), then COPYs them into a temporary staging table, moves them with
`INSERT … SELECT … ON CONFLICT DO NOTHING` into the scratch table `bench_baseline_events` (the shape of
`hindsight.events`), COMMITs, and acks the last message with multiple=True. Stops after EVENTS events and
prints one JSON object on stdout: events, messages, seconds (first delivery -> last commit), rate (events/s).

It stores raw events only (no consolidated rows), so ratios against it are conservative.

    python3 benchmarks/ingest_baseline_batched.py --url amqp://… --database-url postgres://… --queue Q --events 200000
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

from ingest_baseline_per_message import TABLE_DDL, events_of, row

COLUMNS = "event_id, execution_id, seq, ts, type, phase, data"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="AMQP URL")
    parser.add_argument("--database-url", required=True, help="PostgreSQL URL (a scratch database)")
    parser.add_argument("--queue", required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--batch", type=int, default=500, help="rows per COPY and transaction")
    parser.add_argument("--prefetch", type=int, default=1000)
    args = parser.parse_args()

    db = psycopg.connect(args.database_url)
    with db.cursor() as cur:
        cur.execute(TABLE_DDL)
        cur.execute("TRUNCATE bench_baseline_events")
        cur.execute("CREATE TEMP TABLE staging (LIKE bench_baseline_events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
    db.commit()

    params = pika.URLParameters(args.url)
    params.client_properties = {"connection_name": "hindsight-bench-ingest-batched"}
    connection = pika.BlockingConnection(params)
    channel = connection.channel()
    channel.basic_qos(prefetch_count=args.prefetch)

    rows = []
    last_tag = None
    events = messages = 0
    first = last = None

    def flush():
        nonlocal rows, last_tag, last
        if not rows:
            return
        with db.cursor() as cur:
            with cur.copy("COPY staging (%s) FROM STDIN" % COLUMNS) as copy:
                for r in rows:
                    copy.write_row(r)
            cur.execute("INSERT INTO bench_baseline_events (%s) SELECT %s FROM staging ON CONFLICT DO NOTHING"
                        % (COLUMNS, COLUMNS))
        db.commit()
        last = time.perf_counter()
        channel.basic_ack(last_tag, multiple=True)
        rows = []
        last_tag = None

    for method, _props, body in channel.consume(args.queue, inactivity_timeout=0.05):
        if method is None:  # idle: flush what is buffered
            flush()
            if events >= args.events:
                break
            continue
        if first is None:
            first = time.perf_counter()
        batch = events_of(body)
        rows.extend(row(e) for e in batch)
        last_tag = method.delivery_tag
        events += len(batch)
        messages += 1
        if len(rows) >= args.batch or events >= args.events:
            flush()
        if events >= args.events:
            break
    channel.cancel()
    connection.close()
    db.close()
    seconds = last - first
    print(json.dumps({
        "client": "python batched %d rows/COPY+tx (pika %s, psycopg %s)" % (args.batch, pika.__version__, psycopg.__version__),
        "events": events,
        "messages": messages,
        "seconds": round(seconds, 3),
        "rate": round(events / seconds, 1),
    }))


if __name__ == "__main__":
    main()
