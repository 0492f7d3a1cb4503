// expect: 5:1: undeclared classical register 'd'
OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
d[0] = measure q[0];
