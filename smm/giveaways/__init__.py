"""Giveaways (抽奖) that anyone can check: a post's `giveaway:` and `smm giveaway draw / verify`.

    config   ── the post's `giveaway:` read into a Giveaway, and what `smm check` says of it
    entries  ── who may win: the rules applied to the networks' entrants, each rejection with its reason
    seed     ── the seed: the first commit on the default branch after the deadline
    draw     ── the draw itself (procedure `smm-giveaway-1`), its record in data/giveaways/, and its verification
    announce ── the winners' announcement, a draft reply post under content/replies/
"""
