// expect: 6:7: registers in a broadcast gate call must have the same size (2 vs 3)
OPENQASM 3.0;
include "stdgates.inc";
qubit[2] a;
qubit[3] b;
cx a, b;
