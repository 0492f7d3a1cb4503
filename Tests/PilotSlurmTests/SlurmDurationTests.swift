import Testing
@testable import PilotSlurm

@Suite struct SlurmDurationTests {
    @Test(arguments: [
        ("30", 1800), ("5:30", 330), ("90:00", 5400), ("01:00:00", 3600), ("48:00:00", 172_800),
        ("1-0", 86_400), ("2-12", 216_000), ("1-02:30", 95_400), ("1-00:00:01", 86_401), (" 10 ", 600),
    ])
    func parsesSlurmForms(text: String, seconds: Int) throws {
        #expect(try SlurmDuration(parsing: text).seconds == seconds)
    }

    @Test(arguments: [
        ("", "empty"), ("abc", "not a number"), ("1:2:3:4", "expected MM"), ("10:60", "seconds must be 0-59"),
        ("1:60:00", "minutes must be 0-59"), ("1-24:00", "hours must be 0-23"), ("1-10:99", "minutes must be 0-59"),
        ("0", "longer than zero"), ("-5", "days before"), ("1.5", "not a number"), ("1-", "not a number"),
    ])
    func rejectsMalformed(text: String, reason: String) {
        #expect {
            try SlurmDuration(parsing: text)
        } throws: { error in
            let e = error as? SlurmDurationError
            return e?.text == text && e?.reason.contains(reason) == true
        }
    }

    @Test func formatsAndRoundsToMinutes() throws {
        let d = try SlurmDuration(parsing: "1-02:03:04")
        #expect(d.description == "1-02:03:04")
        #expect(d.minutesRoundedUp == 1564)  // 1563 min + 4 s rounds up
        #expect(SlurmDuration(seconds: 61).minutesRoundedUp == 2)
        #expect(SlurmDuration(seconds: 3600).description == "01:00:00")
    }
}
