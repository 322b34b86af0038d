"""`smm metrics`: each published post's counts and each account's followers, collected into the
monthly CSV files under data/."""
