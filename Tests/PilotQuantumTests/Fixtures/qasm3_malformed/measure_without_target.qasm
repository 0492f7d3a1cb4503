// expect: 5:1: a measurement needs a target bit
OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
measure q[0];
