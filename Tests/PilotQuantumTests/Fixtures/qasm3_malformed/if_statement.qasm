// expect: 6:1: 'if' statements are not supported
OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
bit[1] c;
if (c[0]) x q[0];
