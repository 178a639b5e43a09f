"""The machine and library versions, as the reports in benchmarks/results/ state them (benchmark code only)."""
import os
import platform

DISPLAY_NAMES = {"numpy": "NumPy", "tensorflow": "TensorFlow", "keras": "Keras"}


def machine_and_versions(*modules):
    """'x86_64, 2 CPU cores; Python 3.11.7, NumPy 2.4.6, ...' for the given (imported) modules, in that order."""
    versions = [f"Python {platform.python_version()}"]
    versions += [f"{DISPLAY_NAMES.get(m.__name__, m.__name__)} {m.__version__}" for m in modules]
    return f"{platform.machine()}, {os.cpu_count()} CPU cores; " + ", ".join(versions)


def load_note():
    """'load average 1.2 when it started.', flagged when programs were queuing for the cores."""
    load = os.getloadavg()[0]
    queuing = " (above the number of cores: programs were queuing for them)" if load > os.cpu_count() else ""
    return f"load average {load:.1f} when it started{queuing}."
