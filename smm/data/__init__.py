"""What the bot writes under data/ and how it is read back.

    jobs.py      JobState (every state, in one place), JobRecord, published_jobs()
    records.py   data/published/<post>.json: load, and save one job at a time
    tables.py    data/metrics/ and data/accounts/ CSVs: columns, reading, appending
    lock.py      one run per checkout, committed as it ends (`recorded`)
    gitops.py    committing and pushing with retries
    merge.py     merging data/ files when a push loses a race
"""
