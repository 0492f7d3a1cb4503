import PilotCore

extension NodeResources {
    /// Adds the job's QRMI QPUs to the devices this node reaches. nil (every
    /// configured device) stays nil, which already includes them; a list the
    /// profile narrowed gets them appended, since Slurm granted them to this job.
    public func adding(_ qpus: [QRMIResource]) -> NodeResources {
        guard !qpus.isEmpty, let listed = qpuDevices else { return self }
        var result = self
        result.qpuDevices = listed + qpus.map(\.name).filter { !listed.contains($0) }
        return result
    }
}
