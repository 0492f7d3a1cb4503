// expect: 5:1: gate 'rz' takes 1 parameter(s), got 2
OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
rz(1, 2) q[0];
