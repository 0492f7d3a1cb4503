// expect: 5:5: index 2 is out of range for register 'q' of size 2
OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
x q[2];
