// expect: 5:8: unexpected character '$'
OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
h q[0] $;
