"""``python3 -m mlops COMMAND ...``: the subcommands of the mlops
command-line tool (profile, train, predict, evaluate, inspect, drift,
validate, run, verify, registry, audit, version), run by that tool itself so
options, output and exit statuses are exactly those of mlops(1).

The executable is looked for at $MLOPS_CLI, then in the build tree next to
the source checkout (<root>/build*/examples/mlops), then on PATH. Without it
only ``version`` works (it prints the loaded library's version); anything
else exits with status 127 and lists the places tried."""
import os
import subprocess
import sys

from . import _locate, library_path, version_string

_HOW_TO_GET_IT = (
    "To get it, do one of:\n"
    "  - build it in the source checkout: meson setup build && ninja -C build "
    "(gives build/examples/mlops)\n"
    "  - point MLOPS_CLI at the executable: export MLOPS_CLI=/path/to/mlops\n"
    "  - install it: meson install -C build (puts mlops on PATH)")


def _not_found(rows):
    return ("the mlops command-line tool was not found. Places tried, in order:\n%s\n%s"
            % (_locate.describe_attempts(rows), _HOW_TO_GET_IT))


def _help_without_cli(rows, out):
    out.write("usage: python3 -m mlops <command> [options]\n\n"
              "Runs the subcommands of the mlops command-line tool (see mlops(1)): profile,\n"
              "train, predict, evaluate, inspect, drift, validate, run, verify, registry,\n"
              "audit, version. Without the tool only `version` works here.\n\n")
    out.write(_not_found(rows) + "\n")


def main(argv=None):
    """Runs the mlops tool with `argv` (default sys.argv[1:]); returns the
    exit status when the tool could not replace this process."""
    args = list(sys.argv[1:] if argv is None else argv)
    cli, rows = _locate.find_cli()
    if cli is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        if argv is None and hasattr(os, "execv"):
            os.execv(cli, ["mlops"] + args)    # same exit status and signals
        return subprocess.call([cli] + args)
    if args[:1] in (["version"], ["--version"]):
        print("mlops %s" % version_string())
        return 0
    if args[:1] in (["help"], ["--help"], ["-h"]):
        _help_without_cli(rows, sys.stdout)
        return 0
    if not args:
        _help_without_cli(rows, sys.stderr)
        return 2
    sys.stderr.write("python3 -m mlops %s: %s\n(the library itself was found: %s)\n"
                     % (args[0], _not_found(rows), library_path()))
    return 127


if __name__ == "__main__":
    sys.exit(main())
