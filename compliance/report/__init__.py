"""The reporting wing: the assessment of one run, rendered as JSON, HTML, Markdown and the terminal table."""
