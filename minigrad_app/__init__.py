"""The application: the ``minigrad`` command (``minigrad_app/__main__.py``), one module per
subcommand in ``commands/``, the RMB banknote tools in ``rmb/``, and what the commands share
(training loop and checkpoints, optimizer factory, plots, Hessian tools). The library packages
(minigrad, nn, optim, data) never import it."""
