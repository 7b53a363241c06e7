"""What the learner reads: the report, which function to blame, advice, inputs described."""
