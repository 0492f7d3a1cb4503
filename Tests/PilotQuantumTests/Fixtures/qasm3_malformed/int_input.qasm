// expect: 4:7: input of type 'int' is not supported
OPENQASM 3.0;
include "stdgates.inc";
input int[32] n;
