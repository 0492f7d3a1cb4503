// expect: 4:12: 'measure' is not allowed inside a gate body
OPENQASM 3.0;
include "stdgates.inc";
gate g a { measure a; }
