// expect: 5:5: 'a' is a single qubit and cannot be indexed
OPENQASM 3.0;
include "stdgates.inc";
qubit a;
h a[0];
