"""vnpy_ctpsopt: VeighNa gateway for CTP stock-option (SOPT) counters, with a simulated counter."""

__version__ = "0.1.0"
