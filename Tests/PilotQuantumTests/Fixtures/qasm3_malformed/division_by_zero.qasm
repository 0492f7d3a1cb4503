// expect: 5:5: division by zero
OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
rx(1/0) q[0];
