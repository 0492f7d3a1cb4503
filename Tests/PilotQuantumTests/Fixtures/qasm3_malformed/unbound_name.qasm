// expect: 5:4: unknown identifier 'theta' in expression
OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
rx(theta) q[0];
