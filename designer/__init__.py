"""The Django app: pages, and later models, runtime, AWS-protocol API and consumers."""
