"""Command-line tools, apart from the rules: the demo seed and the Stack Exchange import."""
