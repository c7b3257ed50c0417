# tests for reviewer/
