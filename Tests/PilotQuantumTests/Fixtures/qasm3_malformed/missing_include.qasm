// expect: 4:1: unknown gate 'h' (missing include "stdgates.inc"?)
OPENQASM 3.0;
qubit[1] q;
h q[0];
