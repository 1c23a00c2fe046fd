// The C-library ceiling for `hindsight bench amqp`: bare rabbitmq-c against the local broker of
// scripts/services (127.0.0.1:5673, user hindsight). Build and run:
//   cc -O2 benchmarks/amqp_baseline_rabbitmq_c.c -lrabbitmq -o /tmp/amqp_c && /tmp/amqp_c 100000
// Bare rabbitmq-c: publish N (confirm mode, wait for all acks at the end), then consume N with prefetch 1000, ack every 500.
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int argc,char**argv){
  int n=argc>1?atoi(argv[1]):100000; char q[64]; snprintf(q,64,"cbench.%d",rand()%100000+ (int)time(0)%1000);
  amqp_connection_state_t c=amqp_new_connection(); amqp_socket_t*s=amqp_tcp_socket_new(c);
  if(amqp_socket_open(s,"127.0.0.1",5673)){puts("open");return 1;}
  amqp_rpc_reply_t r=amqp_login(c,"hindsight",0,131072,30,AMQP_SASL_METHOD_PLAIN,"hindsight","hindsight"); if(r.reply_type!=AMQP_RESPONSE_NORMAL){puts("login");return 1;}
  amqp_channel_open(c,1); amqp_table_entry_t e; e.key=amqp_cstring_bytes("x-queue-type"); e.value.kind=AMQP_FIELD_KIND_UTF8; e.value.value.bytes=amqp_cstring_bytes("quorum");
  amqp_table_t args={1,&e}; amqp_queue_declare(c,1,amqp_cstring_bytes(q),0,1,0,0,args);
  amqp_confirm_select(c,1);
  char body[1024]; memset(body,'x',1024); amqp_basic_properties_t p; p._flags=AMQP_BASIC_DELIVERY_MODE_FLAG; p.delivery_mode=2;
  double t0=now(); uint64_t acked=0, sent=0; amqp_frame_t f;
  while(acked<(uint64_t)n){
    while(sent<(uint64_t)n && sent-acked<1000){amqp_basic_publish(c,1,amqp_cstring_bytes(""),amqp_cstring_bytes(q),0,0,&p,(amqp_bytes_t){1024,body}); sent++;}
    if(amqp_simple_wait_frame(c,&f)!=0){puts("wait");return 1;}
    if(f.frame_type==AMQP_FRAME_METHOD&&f.payload.method.id==AMQP_BASIC_ACK_METHOD){amqp_basic_ack_t*a=f.payload.method.decoded; acked = a->multiple? a->delivery_tag : acked+1;}
    amqp_maybe_release_buffers(c);
  }
  double pub=n/(now()-t0);
  amqp_channel_open(c,2); amqp_basic_qos(c,2,0,1000,0); amqp_basic_consume(c,2,amqp_cstring_bytes(q),amqp_empty_bytes,0,0,0,amqp_empty_table);
  t0=now(); int got=0;
  while(got<n){amqp_envelope_t env; amqp_maybe_release_buffers(c); r=amqp_consume_message(c,&env,NULL,0);
    if(r.reply_type!=AMQP_RESPONSE_NORMAL){ if(r.reply_type==AMQP_RESPONSE_LIBRARY_EXCEPTION&&r.library_error==AMQP_STATUS_UNEXPECTED_STATE){amqp_simple_wait_frame(c,&f);continue;} puts("consume");return 1;}
    got++; if(got%500==0||got==n) amqp_basic_ack(c,2,env.delivery_tag,1); amqp_destroy_envelope(&env);}
  double con=n/(now()-t0);
  amqp_queue_delete(c,1,amqp_cstring_bytes(q),0,0);
  printf("{\"client\":\"bare rabbitmq-c\",\"publish_rate\":%.0f,\"consume_rate\":%.0f}\n",pub,con);
  return 0;}
