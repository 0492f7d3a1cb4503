// expect: 4:17: 'c' is not a qubit argument of this gate
OPENQASM 3.0;
include "stdgates.inc";
gate g a, b { h c; }
