"""One module per ``minigrad`` subcommand, each with ``main(argv)``."""
