"""The frozen app's entry point (PyInstaller's script; see ``kpidesk.spec``).

The same executable is the app, the command line, and the spreadsheet reader process:
``kpidesk.io._process`` starts ``sys.executable --kpidesk-reader`` in a frozen app, since
there is no ``python -m kpidesk.io._child`` to run there. That flag is handled first,
before anything else is imported.
"""

import sys

READER_FLAG = "--kpidesk-reader"  # kpidesk.io._process.READER_FLAG


def main() -> int:
    if sys.argv[1:2] == [READER_FLAG]:
        from kpidesk.io._child import main as reader_main

        return reader_main()
    from kpidesk.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
