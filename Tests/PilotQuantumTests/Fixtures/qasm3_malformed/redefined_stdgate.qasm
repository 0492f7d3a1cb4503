// expect: 4:6: 'cx' is already declared
OPENQASM 3.0;
include "stdgates.inc";
gate cx a, b { h b; }
