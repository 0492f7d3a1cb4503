// expect: 5:13: gphase acts on no qubits
OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
gphase(0.1) q[0];
