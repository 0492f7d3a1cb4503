// expect: 6:13: measure needs as many bits as qubits (got 3 qubit(s) and 2 bit(s))
OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
bit[2] c;
c = measure q;
