#!/usr/bin/env python3
"""Render a RabbitMQ definitions file from a template whose users carry plain `password` fields.

RabbitMQ stores `password_hash` = base64(salt + sha256(salt + password)) with a 4-byte salt
(rabbit_password_hashing_sha256). Passwords come from the template or from the environment
variable HINDSIGHT_RABBITMQ_PASSWORD_<USER> (user name upper-cased, '-' → '_').
"""
import base64, hashlib, json, os, sys

def rabbit_hash(password: str) -> str:
    salt = os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()

def main(path: str) -> None:
    with open(path) as f:
        defs = json.load(f)
    for user in defs.get("users", []):
        env_key = "HINDSIGHT_RABBITMQ_PASSWORD_" + user["name"].upper().replace("-", "_")
        password = os.environ.get(env_key, user.pop("password", user["name"]))
        user["password_hash"] = rabbit_hash(password)
        user["hashing_algorithm"] = "rabbit_password_hashing_sha256"
    json.dump(defs, sys.stdout, indent=2)

if __name__ == "__main__":
    main(sys.argv[1])
