// expect: 5:5: a range step cannot be 0
OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
h q[0:0:2];
