"""`smm publish` and `smm resolve`: which jobs are due, running them through the adapters exactly
once (claim, call, record), and settling a job by hand.

    schedule.py   which (post, account) jobs are due: pure functions of posts, records, time
    pipeline.py   the run: plan every due job, claim them (--push), publish each (Publisher)
    job.py        one planned job, part by part: attempts, calls, reconciling a lost answer
    attempts.py   the content key, part hashes and the timestamps records keep
    results.py    what the run did, job by job: text, JSON, Markdown, the commit message
    resolve.py    `smm resolve`: a human says whether a job went out
"""
