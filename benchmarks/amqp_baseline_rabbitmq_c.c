// The C-library ceiling for `hindsight-bench amqp`: the same workload as the Swift client and the
// pika baseline, written directly against rabbitmq-c (what the AMQP wrapper must cost next to
// nothing over). `hindsight-bench amqp` compiles and runs it when a C compiler is present:
//   cc -O2 benchmarks/amqp_baseline_rabbitmq_c.c -lrabbitmq -o /tmp/amqp_c
//   AMQP_PASSWORD=hindsight /tmp/amqp_c MESSAGES SIZE WINDOW PREFETCH ACK_EVERY HOST PORT VHOST USER
// Publishes MESSAGES persistent messages of SIZE bytes to a fresh quorum queue in confirm mode
// (at most WINDOW unconfirmed) on one connection, then consumes them on a second connection (as the
// Swift side: one publishing, one consuming connection) with prefetch PREFETCH, acking (multiple)
// every ACK_EVERY deliveries. Prints one JSON object, including the consumer's CPU per message.
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static double cpu(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static int fail(const char *what) { fprintf(stderr, "amqp_baseline_rabbitmq_c: %s failed\n", what); return 1; }

// Opens a logged-in connection; NULL on failure.
static amqp_connection_state_t open_connection(const char *host, int port, const char *vhost, const char *user, const char *password) {
  amqp_connection_state_t c = amqp_new_connection();
  amqp_socket_t *s = amqp_tcp_socket_new(c);
  if (!s || amqp_socket_open(s, host, port)) return NULL;
  amqp_rpc_reply_t r = amqp_login(c, vhost, 0, 131072, 30, AMQP_SASL_METHOD_PLAIN, user, password);
  if (r.reply_type != AMQP_RESPONSE_NORMAL) return NULL;
  return c;
}

int main(int argc, char **argv) {
  if (argc < 10) { fprintf(stderr, "usage: %s MESSAGES SIZE WINDOW PREFETCH ACK_EVERY HOST PORT VHOST USER (password in AMQP_PASSWORD)\n", argv[0]); return 2; }
  int n = atoi(argv[1]), size = atoi(argv[2]), window = atoi(argv[3]), prefetch = atoi(argv[4]), ack_every = atoi(argv[5]);
  const char *host = argv[6], *vhost = argv[8], *user = argv[9], *password = getenv("AMQP_PASSWORD");
  int port = atoi(argv[7]);
  if (n <= 0 || size < 0 || window <= 0 || prefetch <= 0 || prefetch > 65535 || ack_every <= 0 || !password) return fail("argument parsing");
  char q[64]; snprintf(q, sizeof q, "hindsight.bench.c.%ld", (long)time(0) ^ (long)getpid());

  amqp_connection_state_t c = open_connection(host, port, vhost, user, password);
  if (!c) return fail("connecting the publisher");
  amqp_rpc_reply_t r;
  amqp_channel_open(c, 1);
  amqp_table_entry_t e; e.key = amqp_cstring_bytes("x-queue-type"); e.value.kind = AMQP_FIELD_KIND_UTF8; e.value.value.bytes = amqp_cstring_bytes("quorum");
  amqp_table_t args = {1, &e};
  if (!amqp_queue_declare(c, 1, amqp_cstring_bytes(q), 0, 1, 0, 0, args)) return fail("queue.declare");
  amqp_confirm_select(c, 1);

  char *body = malloc(size > 0 ? size : 1); memset(body, 'x', size);
  amqp_basic_properties_t p; p._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG; p.delivery_mode = 2;
  p.content_type = amqp_cstring_bytes("application/octet-stream");
  double t0 = now(); uint64_t acked = 0, sent = 0; amqp_frame_t f;
  while (acked < (uint64_t)n) {
    while (sent < (uint64_t)n && sent - acked < (uint64_t)window) {
      amqp_basic_publish(c, 1, amqp_cstring_bytes(""), amqp_cstring_bytes(q), 0, 0, &p, (amqp_bytes_t){(size_t)size, body}); sent++;
    }
    if (amqp_simple_wait_frame(c, &f) != 0) return fail("waiting for confirms");
    if (f.frame_type == AMQP_FRAME_METHOD && f.payload.method.id == AMQP_BASIC_ACK_METHOD) {
      amqp_basic_ack_t *a = f.payload.method.decoded; acked = a->multiple ? a->delivery_tag : acked + 1;
    }
    amqp_maybe_release_buffers(c);
  }
  double publish_rate = n / (now() - t0);

  amqp_connection_state_t k = open_connection(host, port, vhost, user, password);
  if (!k) return fail("connecting the consumer");
  t0 = now(); double c0 = cpu(); int got = 0;
  amqp_channel_open(k, 1);
  amqp_basic_qos(k, 1, 0, (uint16_t)prefetch, 0);
  amqp_basic_consume(k, 1, amqp_cstring_bytes(q), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
  while (got < n) {
    amqp_envelope_t env; amqp_maybe_release_buffers(k);
    r = amqp_consume_message(k, &env, NULL, 0);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
      if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_UNEXPECTED_STATE) { amqp_simple_wait_frame(k, &f); continue; }
      return fail("consuming");
    }
    got++;
    if (got % ack_every == 0 || got == n) amqp_basic_ack(k, 1, env.delivery_tag, 1);
    amqp_destroy_envelope(&env);
  }
  double consume_rate = n / (now() - t0), cpu_us = (cpu() - c0) * 1e6 / n;
  amqp_connection_close(k, AMQP_REPLY_SUCCESS); amqp_destroy_connection(k);
  amqp_queue_delete(c, 1, amqp_cstring_bytes(q), 0, 0);
  amqp_connection_close(c, AMQP_REPLY_SUCCESS); amqp_destroy_connection(c);
  printf("{\"client\":\"bare rabbitmq-c\",\"publish_rate\":%.0f,\"consume_rate\":%.0f,\"consume_cpu_us_per_message\":%.2f}\n", publish_rate, consume_rate, cpu_us);
  return 0;
}
