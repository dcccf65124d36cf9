"""Tiny YAML emitter shared by the upstream rule-set generators (sloth.py, pyrra.py).

It writes the subset of YAML that Prometheus rule files need (maps, lists, strings) in
the block style Go's YAML libraries use, and every generator round-trips its output
through PyYAML to prove the text parses back to the same structure.
"""

import re

_PLAIN_BAD_START = set("-?:,[]{}#&*!|>'\"%@`")
_PLAIN_LOOKS_TYPED = re.compile(
    r"^(?:[-+]?(?:\d[\d_]*)?\.?\d+(?:[eE][-+]?\d+)?|[-+]?\.inf|\.nan|true|false|yes|no|on|off|null|~|y|n)$",
    re.IGNORECASE,
)


def _scalar(s, indent):
    if "\n" in s:
        chomp = "|" if s.endswith("\n") and not s.endswith("\n\n") else "|-"
        body = s[:-1] if chomp == "|" else s
        pad = " " * indent
        return chomp + "\n" + "\n".join(pad + line if line else "" for line in body.split("\n"))
    plain_ok = (
        s != ""
        and s[0] not in _PLAIN_BAD_START
        and s == s.strip()
        and ": " not in s
        and " #" not in s
        and not s.endswith(":")
        and not _PLAIN_LOOKS_TYPED.match(s)
        and "\t" not in s
    )
    if plain_ok:
        return s
    return "'" + s.replace("'", "''") + "'"


def dump(obj, indent=0):
    """Block-style YAML for dicts (keys in the given order), lists and strings."""
    pad = " " * indent
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{k}:")
                out.append(dump(v, indent + (2 if isinstance(v, dict) else 0)))
            else:
                out.append(f"{pad}{k}: {_scalar(str(v), indent + 2)}")
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, dict):
                first = dump(item, indent + 2)
                out.append(pad + "- " + first[indent + 2:])
            else:
                out.append(f"{pad}- {_scalar(str(item), indent + 2)}")
    else:
        raise TypeError(type(obj))
    return "\n".join(out)


def check_roundtrip(text, expected):
    """Parse `text` with PyYAML (when installed) and compare with `expected`."""
    try:
        import yaml
    except ImportError:  # promtool check rules still validates the file later
        return
    got = yaml.safe_load(text)
    if got != expected:
        raise AssertionError("YAML emitter round-trip mismatch")


def go_float(x):
    """A float64 as Go's %v / %g (shortest round-trip) prints it: 14.4, 6, 0.0009999999999999432."""
    if x == int(x) and abs(x) < 1e21:
        return str(int(x))
    r = repr(x)
    if "e" in r:  # Go: 5e-05 (two-digit exponent), Python: 5e-05
        mant, exp = r.split("e")
        sign = exp[0] if exp[0] in "+-" else "+"
        digits = exp.lstrip("+-")
        r = f"{mant}e{sign}{digits.zfill(2)}"
    return r


def prom_duration(seconds):
    """prometheus/common model.Duration.String() for a whole number of seconds."""
    ms = int(seconds * 1000)
    if ms == 0:
        return "0s"
    out = ""
    for unit, mult, exact in (
        ("y", 365 * 86400000, True),
        ("w", 7 * 86400000, True),
        ("d", 86400000, False),
        ("h", 3600000, False),
        ("m", 60000, False),
        ("s", 1000, False),
        ("ms", 1, False),
    ):
        if exact and ms % mult:
            continue
        v = ms // mult
        if v > 0:
            out += f"{v}{unit}"
            ms -= v * mult
    return out


def go_duration(seconds):
    """Go time.Duration.String() for a whole number of seconds: 2m0s, 1h4m0s, 30s."""
    s = int(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if h:
        return f"{h}h{m}m{sec}s"
    if m:
        return f"{m}m{sec}s"
    return f"{sec}s"


def bench_slo(service, kind, objective=99.9, threshold_le="0.3"):
    """The benchmark's SLO of `service` (one per service) with its raw selectors.

    availability: http_requests_total{job=<service>}, errors code=~"5..";
    latency: http_request_duration_seconds histogram, good = bucket{le=<threshold_le>}.
    """
    job = f'job="{service}"'
    slo = {"service": service, "slo": kind, "kind": kind, "objective": objective}
    if kind == "availability":
        slo["total"] = f"http_requests_total{{{job}}}"
        slo["errors"] = f'http_requests_total{{{job},code=~"5.."}}'
    elif kind == "latency":
        slo["count"] = f"http_request_duration_seconds_count{{{job}}}"
        slo["bucket"] = f'http_request_duration_seconds_bucket{{{job},le="{threshold_le}"}}'
        slo["le"] = threshold_le
    else:
        raise ValueError(kind)
    return slo
