# tests for ipc/
