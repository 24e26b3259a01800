"""Command-line interface: subcommands run without loading any Qt widget."""
