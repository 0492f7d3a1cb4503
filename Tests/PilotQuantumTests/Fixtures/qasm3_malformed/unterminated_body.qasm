// expect: 5:1: unterminated body of gate 'g'
OPENQASM 3.0;
include "stdgates.inc";
gate g a { h a;
