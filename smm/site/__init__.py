"""`smm site build`: one static site of the calendar, every preview, the report, the inbox and listening.

    build(repo, out, now, base_url=None) -> Built

    output.py    the site's folder: a page is rendered only when its input digest changed; stale files go
    render.py    the shared layout, navigation, stylesheet and Content-Security-Policy
    catalogue.py the interface text in English and Chinese
    posts.py     a page per post (the preview cards, publish records, metrics) and the search index
    calendar.py  month and week pages
    reports.py   the report's prebuilt periods
    inbox.py     the open queue: counts per network, texts only when brand.yml allows
    build.py     every page, in order
"""
