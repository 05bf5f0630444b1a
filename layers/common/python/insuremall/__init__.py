"""Shared code every InsureMall function imports (deployed as the common Lambda layer)."""
