"""Publishing commands: the only code that writes anywhere, never with the token under test.

Nothing in the compliance checks imports this package.
"""
