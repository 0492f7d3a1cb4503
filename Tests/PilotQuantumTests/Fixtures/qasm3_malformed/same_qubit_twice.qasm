// expect: 5:1: gate 'cx' uses the same qubit more than once
OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
cx q[1], q[1];
