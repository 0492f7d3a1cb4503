// expect: 5:8: 'q' is already declared
OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] q;
