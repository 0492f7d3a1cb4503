"""A Pilot-Quantum-compatible facade over SwiftPilot (filled in by the facade's modules)."""
