"""Filing: an organ writes its own report (drafts), checks it, renders the official layout, and carries it
through approval to publication (workflow); the superior office collects and consolidates its units' reports."""
