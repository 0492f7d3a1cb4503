import Foundation
import Testing
@testable import PilotQuantum

/// The statistical tests rely on this quantile, so it is checked against closed forms.
@Suite struct ChiSquareTests {
    @Test func quantileMatchesClosedForms() {
        // k = 2: CDF = 1 − e^{−x/2}, so the p-quantile is −2 ln(1 − p).
        #expect(abs(ChiSquare.quantile(0.999, degreesOfFreedom: 2) - (-2 * log(0.001))) < 1e-9)
        // k = 1: the 0.95 quantile is 1.959964² (the two-sided normal 95% point squared).
        #expect(abs(ChiSquare.quantile(0.95, degreesOfFreedom: 1) - 1.959963984540054 * 1.959963984540054) < 1e-7)
        // Large k: quantile close to the mean k for p = 0.5.
        let median = ChiSquare.quantile(0.5, degreesOfFreedom: 200)
        #expect(abs(median - 200 * pow(1 - 2.0 / (9 * 200), 3)) < 0.05)
    }
}

