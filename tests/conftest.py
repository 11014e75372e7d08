"""Suite-wide settings."""

from hypothesis import settings

# Speed is measured in benchmarks/, not by tests: on a loaded machine Hypothesis's
# per-example deadline fails correct code.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")
