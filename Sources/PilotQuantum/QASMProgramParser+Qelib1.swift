extension QASMProgramParser {
    /// Gates qelib1.inc defines by decomposition rather than as Qiskit-native gates; copied verbatim
    /// from Qiskit's qelib1.inc (qiskit/qasm/libs) so they expand exactly as Qiskit's file says.
    static let qelib1Decomposed: Set<String> = ["rccx", "rc3x", "c3x", "c3sqrtx", "c4x"]

    static let qelib1DecomposedSource = """
        // relative-phase CCX
        gate rccx a,b,c
        {
          u2(0,pi) c;
          u1(pi/4) c;
          cx b, c;
          u1(-pi/4) c;
          cx a, c;
          u1(pi/4) c;
          cx b, c;
          u1(-pi/4) c;
          u2(0,pi) c;
        }
        // relative-phase 3-controlled X gate
        gate rc3x a,b,c,d
        {
          u2(0,pi) d;
          u1(pi/4) d;
          cx c,d;
          u1(-pi/4) d;
          u2(0,pi) d;
          cx a,d;
          u1(pi/4) d;
          cx b,d;
          u1(-pi/4) d;
          cx a,d;
          u1(pi/4) d;
          cx b,d;
          u1(-pi/4) d;
          u2(0,pi) d;
          u1(pi/4) d;
          cx c,d;
          u1(-pi/4) d;
          u2(0,pi) d;
        }
        // 3-controlled X gate
        gate c3x a,b,c,d
        {
            h d;
            p(pi/8) a;
            p(pi/8) b;
            p(pi/8) c;
            p(pi/8) d;
            cx a, b;
            p(-pi/8) b;
            cx a, b;
            cx b, c;
            p(-pi/8) c;
            cx a, c;
            p(pi/8) c;
            cx b, c;
            p(-pi/8) c;
            cx a, c;
            cx c, d;
            p(-pi/8) d;
            cx b, d;
            p(pi/8) d;
            cx c, d;
            p(-pi/8) d;
            cx a, d;
            p(pi/8) d;
            cx c, d;
            p(-pi/8) d;
            cx b, d;
            p(pi/8) d;
            cx c, d;
            p(-pi/8) d;
            cx a, d;
            h d;
        }
        // 3-controlled sqrt(X) gate, this equals the C3X gate where the CU1 rotations are -pi/8 not -pi/4
        gate c3sqrtx a,b,c,d
        {
            h d; cu1(pi/8) a,d; h d;
            cx a,b;
            h d; cu1(-pi/8) b,d; h d;
            cx a,b;
            h d; cu1(pi/8) b,d; h d;
            cx b,c;
            h d; cu1(-pi/8) c,d; h d;
            cx a,c;
            h d; cu1(pi/8) c,d; h d;
            cx b,c;
            h d; cu1(-pi/8) c,d; h d;
            cx a,c;
            h d; cu1(pi/8) c,d; h d;
        }
        // 4-controlled X gate
        gate c4x a,b,c,d,e
        {
            h e; cu1(pi/2) d,e; h e;
            c3x a,b,c,d;
            h e; cu1(-pi/2) d,e; h e;
            c3x a,b,c,d;
            c3sqrtx a,b,c,e;
        }
        """

    /// Tokens of `qelib1DecomposedSource`, lexed once.
    static let qelib1DecomposedTokens: [QASMToken] = {
        // The text is a constant known to lex; a failure here is a bug in this file.
        guard let tokens = try? QASMLexer(fileName: "qelib1.inc").tokenize(qelib1DecomposedSource) else {
            preconditionFailure("qelib1DecomposedSource does not lex")
        }
        return tokens
    }()
}
