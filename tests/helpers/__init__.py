"""What several test files share: page and checkpoint builders, the CLI runner, the SDK oracle.
Test files import from here, never from each other."""
