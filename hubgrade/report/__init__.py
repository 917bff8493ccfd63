"""Reports of a grading result: text for the terminal, JSON for programs."""
