// expect: 5:1: unknown gate 'foo'
OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
foo q[0];
