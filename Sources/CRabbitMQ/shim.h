// Shim over rabbitmq-c for Swift. Accepts both header layouts: Debian's 0.11 installs flat headers
// (<amqp.h>), upstream >= 0.12 installs <rabbitmq-c/amqp.h>.
#ifndef HINDSIGHT_CRABBITMQ_SHIM_H
#define HINDSIGHT_CRABBITMQ_SHIM_H

#if __has_include(<rabbitmq-c/amqp.h>)
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/tcp_socket.h>
#include <rabbitmq-c/ssl_socket.h>
#else
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>
#endif

#include <poll.h>

// Method ids are macros with casts, which Swift does not import: restate them as constants.
static const amqp_method_number_t HS_CONNECTION_CLOSE = AMQP_CONNECTION_CLOSE_METHOD;
static const amqp_method_number_t HS_CONNECTION_CLOSE_OK = AMQP_CONNECTION_CLOSE_OK_METHOD;
static const amqp_method_number_t HS_CONNECTION_BLOCKED = AMQP_CONNECTION_BLOCKED_METHOD;
static const amqp_method_number_t HS_CONNECTION_UNBLOCKED = AMQP_CONNECTION_UNBLOCKED_METHOD;
static const amqp_method_number_t HS_CHANNEL_CLOSE = AMQP_CHANNEL_CLOSE_METHOD;
static const amqp_method_number_t HS_CHANNEL_CLOSE_OK = AMQP_CHANNEL_CLOSE_OK_METHOD;
static const amqp_method_number_t HS_BASIC_DELIVER = AMQP_BASIC_DELIVER_METHOD;
static const amqp_method_number_t HS_BASIC_ACK = AMQP_BASIC_ACK_METHOD;
static const amqp_method_number_t HS_BASIC_NACK = AMQP_BASIC_NACK_METHOD;
static const amqp_method_number_t HS_BASIC_RETURN = AMQP_BASIC_RETURN_METHOD;
static const amqp_method_number_t HS_BASIC_CANCEL = AMQP_BASIC_CANCEL_METHOD;
static const amqp_method_number_t HS_BASIC_CANCEL_OK = AMQP_BASIC_CANCEL_OK_METHOD;
static const uint16_t HS_BASIC_CLASS = AMQP_BASIC_CLASS;

/// `amqp_login_with_properties` is variadic and does not import into Swift: PLAIN login wrapper.
static inline amqp_rpc_reply_t hs_amqp_login_plain(amqp_connection_state_t state, const char *vhost,
                                                   int channel_max, int frame_max, int heartbeat,
                                                   const amqp_table_t *properties, const char *user,
                                                   const char *password) {
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat, properties,
                                      AMQP_SASL_METHOD_PLAIN, user, password);
}

/// Sends basic.cancel without waiting for cancel-ok (the caller's frame loop reads it), so
/// deliveries already in flight are not swallowed by a blocking RPC.
static inline int hs_amqp_send_basic_cancel(amqp_connection_state_t state, amqp_channel_t channel,
                                            amqp_bytes_t consumer_tag) {
    amqp_basic_cancel_t req;
    req.consumer_tag = consumer_tag;
    req.nowait = 0;
    return amqp_send_method(state, channel, AMQP_BASIC_CANCEL_METHOD, &req);
}

/// Sends a heartbeat frame. rabbitmq-c sends heartbeats only from inside its frame-reading calls; a
/// connection that pauses reading (consumer backpressure) sends them itself.
static inline int hs_amqp_send_heartbeat(amqp_connection_state_t state) {
    amqp_frame_t frame;
    frame.frame_type = AMQP_FRAME_HEARTBEAT;
    frame.channel = 0;
    return amqp_send_frame(state, &frame);
}

/// Replies to a broker-initiated close (channel 0 = connection.close-ok, else channel.close-ok).
static inline int hs_amqp_send_close_ok(amqp_connection_state_t state, amqp_channel_t channel) {
    if (channel == 0) {
        amqp_connection_close_ok_t ok;
        ok.dummy = 0;
        return amqp_send_method(state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
    }
    amqp_channel_close_ok_t ok;
    ok.dummy = 0;
    return amqp_send_method(state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
}

/// Sends basic.cancel-ok in answer to a broker-initiated basic.cancel.
static inline int hs_amqp_send_cancel_ok(amqp_connection_state_t state, amqp_channel_t channel,
                                         amqp_bytes_t consumer_tag) {
    amqp_basic_cancel_ok_t ok;
    ok.consumer_tag = consumer_tag;
    return amqp_send_method(state, channel, AMQP_BASIC_CANCEL_OK_METHOD, &ok);
}

#endif
