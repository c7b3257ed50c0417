# tests for core/
