// expect: 5:1: gate 'cx' acts on 2 qubit(s), got 1
OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
cx q[0];
