"""`smm metrics`: each published post's counts and each account's followers, collected into the
monthly CSV files under data/ (their columns: smm.data.tables).

    collect.py    the run: which accounts, a bounded worker pool, the rows appended at the end
    targets.py    what to ask for: posts published in the window, less what is fresh
    calls.py      one account's calls: retries and a shared rate-limit gate
    progress.py   a bar on a terminal, a line per call elsewhere
    results.py    what the run did per account: text, JSON, the commit message
"""
