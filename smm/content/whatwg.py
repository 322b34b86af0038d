"""An http(s) URL as a browser's (WHATWG) URL parser reads and writes it back: the host
lowercased, internationalized names in Punycode, IPv4 numbers in dotted decimal, no user
name or password, no default port, dot segments resolved, and the path, query and fragment
percent-encoded. Bluesky's app shows links this way (its `toShortUrl` takes `new URL(url)`'s
host, pathname, search and hash). https://url.spec.whatwg.org/#concept-basic-url-parser"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple

_SCHEME = re.compile(r"(https?):[/\\]*", re.IGNORECASE)
_DEFAULT_PORT = {"http": "80", "https": "443"}
_C0 = {chr(c) for c in range(0x20)} | {"\x7f"}
# Code points the percent-encode sets add to the C0 control set (every code point above U+007E is in each)
_FRAGMENT = _C0 | set(' "<>`')
_QUERY = _C0 | set(" \"#<>'")  # the special-query set: http(s) is a special scheme
_PATH = _C0 | set(" \"#<>?`{}")
_FORBIDDEN_IN_DOMAIN = _C0 | set(" #%/:<>?@[\\]^|")
_SINGLE_DOT = {".", "%2e"}
_DOUBLE_DOT = {"..", ".%2e", "%2e.", "%2e%2e"}
_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a JavaScript string's lone surrogate is read as U+FFFD


class Parts(NamedTuple):
    host: str  # with ":port" when the port is not the scheme's default
    pathname: str
    search: str  # "" or "?…"
    hash: str  # "" or "#…"


def parse(url: str) -> Parts | None:
    """The parts `new URL(url)` gives for an http(s) URL; None where it would throw or the
    scheme is another."""
    url = _LONE_SURROGATE.sub("\ufffd", url.strip(_C0_OR_SPACE)).replace("\t", "").replace("\n", "").replace("\r", "")
    scheme = _SCHEME.match(url)
    if not scheme:
        return None
    rest = url[scheme.end():]
    end = min((i for i in map(rest.find, "/\\?#") if i >= 0), default=len(rest))
    authority, rest = rest[:end], rest[end:]
    host = _host_and_port(authority.rpartition("@")[2], scheme.group(1).lower())
    if host is None:
        return None
    rest, _, fragment = rest.partition("#") if "#" in rest else (rest, "", None)
    path, _, query = rest.partition("?") if "?" in rest else (rest, "", None)
    return Parts(host, _pathname(path), f"?{_encoded(query, _QUERY)}" if query else "",
                 f"#{_encoded(fragment, _FRAGMENT)}" if fragment else "")


def _encoded(text: str, keep_out: set) -> str:
    return "".join(c if c < "\x7f" and c not in keep_out else "".join(f"%{b:02X}" for b in c.encode("utf-8"))
                   for c in text)


def _pathname(path: str) -> str:
    segments: list[str] = []
    pieces = path.replace("\\", "/").split("/")[1:] if path else [""]
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        if piece.lower() in _DOUBLE_DOT:
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif piece.lower() in _SINGLE_DOT:
            if last:
                segments.append("")
        else:
            segments.append(_encoded(piece, _PATH))
    return "/" + "/".join(segments)


def _host_and_port(authority: str, scheme: str) -> str | None:
    host, port = authority, ""
    colon = authority.rfind(":")
    if colon >= 0 and "]" not in authority[colon:]:
        host, port = authority[:colon], authority[colon + 1:]
        if port and not (port.isascii() and port.isdigit() and int(port) <= 65535):
            return None
        port = str(int(port)) if port else ""
    if host.startswith("["):
        name = _ipv6(host[1:-1]) if host.endswith("]") else None
    else:
        name = _domain(host)
    if name is None:
        return None
    return name + (f":{port}" if port and port != _DEFAULT_PORT[scheme] else "")


def _ipv6(text: str) -> str | None:
    if not text or "%" in text or not all(c in "0123456789abcdefABCDEF:." for c in text):
        return None
    try:
        packed = ipaddress.IPv6Address(text).packed
    except ValueError:
        return None
    pieces = [f"{packed[i] << 8 | packed[i + 1]:x}" for i in range(0, 16, 2)]
    best, run = (0, 0), 0  # (length, start) of the first longest run of zeros, when longer than one
    for i, piece in enumerate(pieces):
        run = run + 1 if piece == "0" else 0
        if run > best[0]:
            best = (run, i - run + 1)
    if best[0] < 2:
        return f"[{':'.join(pieces)}]"
    start, stop = best[1], best[1] + best[0]
    return f"[{':'.join(pieces[:start])}::{':'.join(pieces[stop:])}]"


def _domain(text: str) -> str | None:
    try:
        name = _percent_decoded(text)
    except UnicodeDecodeError:
        return None
    ascii_name = _to_ascii(name)
    if not ascii_name or any(c in _FORBIDDEN_IN_DOMAIN for c in ascii_name):
        return None
    return _ipv4(ascii_name) if _ends_in_a_number(ascii_name) else ascii_name


def _percent_decoded(text: str) -> str:
    if "%" not in text:
        return text
    return re.sub(rb"%([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  text.encode("utf-8")).decode("utf-8")


def _to_ascii(name: str) -> str | None:
    """UTS #46 ToASCII as the URL standard asks (non-transitional, hyphens and DNS lengths not checked).
    The Bidi rule is not checked: implementations differ on right-to-left names (Node's accepts `١٢.com`)."""
    if name.isascii() and "xn--" not in name.lower():
        return name.lower()
    import idna  # (httpx's dependency) only for internationalized names

    try:
        mapped = idna.uts46_remap(name, std3_rules=False, transitional=False)
        labels = []
        for label in mapped.split("."):
            if label.isascii():
                if label.lower().startswith("xn--"):
                    idna.decode(label)  # a Punycode label must decode to a valid one
                labels.append(label)
            elif label.lower().startswith("xn--"):
                return None
            else:
                labels.append("xn--" + label.encode("punycode").decode("ascii"))
                idna.check_nfc(label)
                idna.check_initial_combiner(label)
                if not all(idna.valid_contextj(label, i) for i, c in enumerate(label) if c in "\u200c\u200d"):
                    return None
        return ".".join(labels)
    except (idna.IDNAError, UnicodeError, ValueError, StopIteration):
        return None


def _ends_in_a_number(name: str) -> bool:
    labels = name.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    last = labels[-1]
    return bool(last) and (last.isdigit() or re.fullmatch(r"0[xX][0-9A-Fa-f]*", last) is not None)


def _ipv4(name: str) -> str | None:
    labels = name.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    if len(labels) > 4:
        return None
    numbers = []
    for label in labels:
        number = _ipv4_number(label)
        if number is None:
            return None
        numbers.append(number)
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        return None
    address = sum(n << 8 * (3 - i) for i, n in enumerate(numbers[:-1])) + numbers[-1]
    return ".".join(str(address >> shift & 255) for shift in (24, 16, 8, 0))


def _ipv4_number(label: str) -> int | None:
    base, digits = 10, label
    if label[:2] in ("0x", "0X"):
        base, digits = 16, label[2:]
    elif len(label) > 1 and label.startswith("0"):
        base, digits = 8, label[1:]
    if digits == "":
        return 0 if label else None
    try:
        return int(digits, base) if digits.isascii() and digits.isalnum() else None
    except ValueError:
        return None
