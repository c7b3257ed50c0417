# tests for tui/
