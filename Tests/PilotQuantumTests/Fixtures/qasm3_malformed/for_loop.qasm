// expect: 5:1: 'for' statements are not supported
OPENQASM 3.0;
include "stdgates.inc";
qubit[4] q;
for uint i in [0:3] { h q[i]; }
