// expect: 4:1: the OPENQASM header must be the first statement
OPENQASM 3.0;
include "stdgates.inc";
OPENQASM 3.0;
