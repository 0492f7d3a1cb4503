// expect: 4:9: unsupported include "qelib1.inc": only "stdgates.inc" is available
OPENQASM 3.0;
include "stdgates.inc";
include "qelib1.inc";
