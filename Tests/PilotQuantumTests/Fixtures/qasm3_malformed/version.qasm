// expect: 2:10: unsupported OpenQASM version '2.5': 2.0 and 3.0 are supported
OPENQASM 2.5;
