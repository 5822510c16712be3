"""The gathering wing: GitHub's answers fetched once (live, recorded or replayed) and turned into evidence."""
