# Hindsight — the two commands of the README, and their parts.
#   make demo   start RabbitMQ + PostgreSQL, build, migrate, run the cluster with a simulated agent fleet
#   make test   start RabbitMQ + PostgreSQL, build, run every test (Swift and Python)
SHELL := /bin/bash
SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=
export HINDSIGHT_AMQP_URL ?= amqp://hindsight:hindsight@127.0.0.1:$(or $(HINDSIGHT_RABBITMQ_PORT),5673)/hindsight
export HINDSIGHT_DATABASE_URL ?= postgres://hindsight_owner:hindsight_owner@127.0.0.1:$(or $(HINDSIGHT_POSTGRES_PORT),5433)/hindsight

.PHONY: demo test services-up services-down build release python-deps test-swift test-python bench

demo: services-up release python-deps
	.build/release/hindsight migrate
	.build/release/hindsight demo

# Both suites run even when the first fails; the exit status reports any failure.
test: services-up build python-deps
	.build/debug/hindsight migrate
	status=0; $(MAKE) test-python || status=$$?; $(MAKE) test-swift || status=$$?; exit $$status

services-up:
	scripts/services up

services-down:
	scripts/services down

build:
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --build-tests

release:
	$(SWIFT) build -c release $(SWIFT_BUILD_FLAGS) --product hindsight

python-deps:
	scripts/python-deps

# The fault suite stops PostgreSQL and kills processes: it runs alone, after everything else.
test-swift:
	$(SWIFT) test $(SWIFT_BUILD_FLAGS) --skip-build --no-parallel --skip TrackerFaultTests
	$(SWIFT) test $(SWIFT_BUILD_FLAGS) --skip-build --no-parallel --filter TrackerFaultTests

test-python:
	python3 -m pytest -q tests
