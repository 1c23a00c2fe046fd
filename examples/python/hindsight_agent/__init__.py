"""A Python agent for Hindsight: records executions as wire-format v1 events, validates them against
the project's JSON Schema, publishes them with publisher confirms, and asks the adapter for plans,
recovery strategies and estimates. See examples/python/README.md."""
from .adapter import AdapterClient, Failure, PlanPhase, Reply
from .errors import (AdapterError, AdapterRefused, AdapterTimeout, BrokerRefused, BrokerUnavailable,
                     HindsightError, InvalidEvent, InvalidRequest, UndecodableReply)
from .publisher import EventPublisher, amqp_url
from .recorder import ExecutionRecorder

__all__ = ["AdapterClient", "AdapterError", "AdapterRefused", "AdapterTimeout", "BrokerRefused", "BrokerUnavailable",
           "EventPublisher", "ExecutionRecorder", "Failure", "HindsightError", "InvalidEvent", "InvalidRequest",
           "PlanPhase", "Reply", "UndecodableReply", "amqp_url"]
