// expect: 5:5: index 5 is out of range for register 'q' of size 3
OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
h q[0:5];
