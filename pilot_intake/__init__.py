"""pilot-intake: intake pipeline for reserve pilot-scale platform filings (储备中试平台)."""

__version__ = "0.1.0"
