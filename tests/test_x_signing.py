"""X without a server: OAuth 1.0a signatures against the published examples, the rate-limit
window a 429 waits for, the text find() compares (X shows links as t.co and escapes &<>), and
where a rotated refresh token goes."""

from __future__ import annotations

import re
import time
import urllib.parse

import httpx
import pytest

from smm.errors import AuthError
from smm.platforms import rotation
from smm.platforms.x import comparable, rate_limit_wait
from smm.platforms.x_auth import oauth1_header


@pytest.mark.parametrize("request_, keys, nonce, timestamp, signature", [
    # X's "Creating a signature" page: a form body and a query parameter are both signed
    (httpx.Request("POST", "https://api.twitter.com/1.1/statuses/update.json", params={"include_entities": "true"},
                   data={"status": "Hello Ladies + Gentlemen, a signed OAuth request!"}),
     ("xvz1evFS4wEEPTGEFPHBog", "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
      "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"),
     "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", 1318622958, "hCtSmYh+iHYCEqBWrE7C7hYmtUk="),
    # RFC 5849 section 1.2: a GET with query parameters
    (httpx.Request("GET", "http://photos.example.net/photos", params={"file": "vacation.jpg", "size": "original"}),
     ("dpf43f3p2l4k3l03", "kd94hf93k423kf44", "nnch734d00sl2jdk", "pfkkdhi9sl3r4s00"),
     "kllo9940pd9333jh", 1191242096, "tR3+Ty81lMeYAr/Fid0kMTYa/WM="),
])
def test_oauth1_signatures_match_the_published_examples(request_, keys, nonce, timestamp, signature):
    header = oauth1_header(request_, keys, nonce, timestamp)
    assert header.startswith("OAuth ")
    assert urllib.parse.unquote(re.search(r'oauth_signature="([^"]*)"', header).group(1)) == signature


def _limited(**windows) -> httpx.Response:
    headers = {}
    for name, (remaining, reset_in) in windows.items():
        prefix = "x-" + name.replace("_", "-")
        headers |= {f"{prefix}-remaining": str(remaining), f"{prefix}-reset": str(int(time.time()) + reset_in)}
    return httpx.Response(429, headers=headers)


@pytest.mark.parametrize("response, wait", [  # made when the test runs: the resets count from now
    (lambda: _limited(rate_limit=(0, 600)), 600),  # the 15-minute window
    (lambda: _limited(rate_limit=(3, 600), app_limit_24hour=(0, 50_000)), 50_000),  # the app's day is spent
    (lambda: _limited(rate_limit=(0, 300), user_limit_24hour=(0, 7_200)), 7_200),  # both: until the later one
    (lambda: httpx.Response(429, headers={"retry-after": "30"}), 30),  # a proxy's answer
    (lambda: httpx.Response(429), None),  # nothing said: the engine's own backoff
])
def test_a_429_waits_until_the_exhausted_window_resets(response, wait):
    got = rate_limit_wait(response())
    assert got == wait if wait is None else wait - 2 <= got <= wait


@pytest.mark.parametrize("sent, shown, same", [
    ("Tea & cakes <3 https://cloudleaf.com/a?utm_source=x", "Tea &amp; cakes &lt;3 https://t.co/abc123", True),
    ("新茶上市 https://cloudleaf.com/a。欢迎", "新茶上市 https://t.co/abc123。欢迎", True),
    ("See cloudleaf.com today", "See https://t.co/abc123 today", True),  # a bare domain is a link too
    ("at https://cloudleaf.example/a", "at https://cloudleaf.example/a", True),  # not a link for X: unchanged
    ("Tea & cakes", "Tea & biscuits", False),
    ("Two links https://a.com https://b.com", "Two links https://t.co/abc", False),
])
def test_find_compares_texts_as_x_shows_them(sent, shown, same):
    assert (comparable(sent) == comparable(shown)) is same


def test_a_rotated_secret_is_kept_outside_the_repository_and_read_back_first(tmp_path):
    env = {"XR": "old-token\n", "SMM_ROTATED_SECRETS": str(tmp_path / "rotated")}
    assert rotation.current(env, "XR") == "old-token"
    rotation.keep(env, "XR", "new-token", root=tmp_path / "repo")
    assert rotation.current(env, "XR") == "new-token"
    assert (tmp_path / "rotated" / "XR").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "rotated").iterdir()] == ["XR"]  # no temporary file left


@pytest.mark.parametrize("folder, said", [
    (None, "set SMM_ROTATED_SECRETS"),
    ("", "set SMM_ROTATED_SECRETS"),
    ("REPO/data/secrets", "outside the repository"),
    ("REPO", "outside the repository"),
])
def test_a_rotated_secret_is_never_lost_nor_written_into_the_repository(tmp_path, folder, said):
    env = {} if folder is None else {"SMM_ROTATED_SECRETS": folder.replace("REPO", str(tmp_path))}
    with pytest.raises(AuthError, match=said) as caught:
        rotation.keep(env, "XR", "new-token", root=tmp_path)
    assert "new-token" not in str(caught.value)
    assert not any(tmp_path.rglob("XR"))
