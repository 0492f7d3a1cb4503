// expect: 6:6: '^' is bitwise XOR in OpenQASM 3 and has no meaning for angles; use '**' for powers
OPENQASM 3.0;
include "stdgates.inc";
input float[64] a;
qubit[1] q;
rx(a ^ 2) q[0];
