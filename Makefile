# Hindsight — the two commands of the README, and their parts.
#   make demo   start RabbitMQ + PostgreSQL, build, run the cluster with a learning fleet of simulated agents
#   make test   start RabbitMQ + PostgreSQL, build, run every test (Swift and Python)
SHELL := /bin/bash
SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=
export HINDSIGHT_AMQP_URL ?= amqp://hindsight:hindsight@127.0.0.1:$(or $(HINDSIGHT_RABBITMQ_PORT),5673)/hindsight
export HINDSIGHT_DATABASE_URL ?= postgres://hindsight_owner:hindsight_owner@127.0.0.1:$(or $(HINDSIGHT_POSTGRES_PORT),5433)/hindsight

.PHONY: demo test services-up services-down build check-warnings release python-deps test-deps test-swift test-python bench

# The demo creates and migrates its own database (hindsight_demo), so the shared one is not migrated here.
demo: services-up release python-deps
	.build/release/hindsight demo

# The build is the warnings check (every project file recompiled, any compiler warning in Sources/,
# Tests/ or Benchmarks/ fails it). Both suites run even when the first fails; the exit status reports any failure.
test: services-up check-warnings python-deps test-deps
	.build/debug/hindsight migrate
	status=0; $(MAKE) test-python || status=$$?; $(MAKE) test-swift || status=$$?; exit $$status

services-up:
	scripts/services up

services-down:
	scripts/services down

build:
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --build-tests

check-warnings:
	SWIFT="$(SWIFT)" SWIFT_BUILD_FLAGS="$(SWIFT_BUILD_FLAGS)" scripts/check-warnings

release:
	$(SWIFT) build -c release $(SWIFT_BUILD_FLAGS) --product hindsight

python-deps:
	scripts/python-deps

# Debian packages only the tests use (Chromium for the HTML report's screenshot test).
test-deps:
	scripts/test-deps

# The fault suite cuts PostgreSQL off behind its own proxy (the shared server keeps running), so it
# runs with the rest; its tests are serialized within the suite.
test-swift:
	$(SWIFT) test $(SWIFT_BUILD_FLAGS) --skip-build --no-parallel

test-python:
	python3 -m pytest -q tests

# The system benchmarks (docs/benchmarks.md): `hindsight-bench` runs the RSS step on the `hindsight` built beside it.
bench: services-up python-deps
	$(SWIFT) build -c release $(SWIFT_BUILD_FLAGS) --product hindsight && $(SWIFT) build -c release $(SWIFT_BUILD_FLAGS) --product hindsight-bench
	.build/release/hindsight-bench amqp && .build/release/hindsight-bench core && .build/release/hindsight-bench ingest
