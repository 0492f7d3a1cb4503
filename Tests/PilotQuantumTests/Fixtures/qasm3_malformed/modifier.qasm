// expect: 5:1: gate modifiers ('ctrl @') are not supported
OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
ctrl @ rx(0.1) q[0], q[1];
