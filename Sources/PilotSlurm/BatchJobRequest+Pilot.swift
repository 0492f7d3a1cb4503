extension BatchJobRequest {
    /// The request for a pilot job, read from the rendered script's `#SBATCH`
    /// lines as sbatch would read them: the renderer already ranked profile,
    /// SBATCH_* variables and overrides, so the script is the one source of the
    /// request on both paths. Options with no job-descriptor field (see
    /// `submissionPath`) make `LibSlurmClient` run `sbatch` with the script.
    public static func pilot(profile: ClusterProfile, overrides: ProfileOverrides = ProfileOverrides(),
                             context: JobScriptContext, script: String,
                             environment: [String: String]) throws(ProfileError) -> BatchJobRequest {
        _ = try profile.applying(overrides)
        do {
            return try BatchJobRequest(script: script, workingDirectory: context.logDirectory, environment: environment)
        } catch {
            throw ProfileError(file: profile.sourcePath, field: "sbatch", reason: error.message)
        }
    }
}
