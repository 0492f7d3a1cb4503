// expect: 6:1: expected ';' after the gate call, found 'h'
OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
h q[0]
h q[1];
