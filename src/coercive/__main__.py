"""``python -m coercive``: the same as the ``coercive`` command."""

from coercive.cli import main

if __name__ == "__main__":
    main()
