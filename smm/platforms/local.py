"""A local test double: Mastodon-like limits, for tests and dry runs."""

from smm.platforms.mastodon import Mastodon


class Local(Mastodon):
    name = "local"
    label = "Local test double"
    secrets = ()
