"""`python -m compliance`: the same as the `copilot-token-compliance` command."""

from compliance.cli import entry

if __name__ == "__main__":
    entry()
