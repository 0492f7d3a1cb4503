import Foundation
import PilotCore
import PilotProtocol
import Testing

/// The API's JSON: snake_case keys out and in, user data (environment names, custom resources,
/// results) untouched, and every message reading back as what was sent.
@Suite struct APICodingTests {
    func roundTrip<T: Codable>(_ v: T) throws -> (T, String) {
        let data = try APICoding.encoder().encode(v)
        return (try APICoding.decoder().decode(T.self, from: data), String(decoding: data, as: UTF8.self))
    }

    @Test func tasksKeepTheirUsersNames() throws {
        var spec = TaskSpec(name: "t", command: ["x"], request: ResourceRequest(cores: 2, gpus: 1, memoryBytes: 3 << 30, nodes: 2,
                                                                                ranksPerNode: 4, custom: ["my_license": 2], qpu: nil))
        spec.environment = ["PILOT_MPI": "pmix", "a_b": "c", "camelCase": "d"]
        spec.timeLimit = 90
        spec.workingDirectory = "/tmp"
        let (back, json) = try roundTrip(SubmitRequest(tasks: [spec]))
        #expect(back.tasks == [spec])
        for key in [#""PILOT_MPI":"pmix""#, #""a_b":"c""#, #""camelCase":"d""#, #""my_license":2"#, #""ranks_per_node":4"#,
                    #""time_limit":"90s""#, #""mem":"3G""#, #""cwd":"/tmp""#] {
            #expect(json.contains(key), "\(key) in \(json)")
        }
        let (array, arrayJSON) = try roundTrip(SubmitRequest(array: ArraySubmission(template: spec, range: "1-10:3")))
        #expect(array.array?.range == "1-10:3" && array.array?.template == spec && array.tasks == nil)
        #expect(arrayJSON.contains(#""array":"1-10:3""#), "\(arrayJSON)")
    }

    @Test func acronymsSurviveSnakeCase() throws {
        var p = PilotInfo(id: "p1", profile: "local", slurmJobID: 42, state: .running, reason: nil, nodeCount: 2, nodes: ["n1"],
                          submittedAt: 1, startedAt: 2, endedAt: nil, walltimeEnd: 3, agents: 2, cores: 8, freeCores: 4, gpus: 2,
                          freeGPUs: 1, runningTasks: 3)
        p.drainDeadline = 9
        let (back, json) = try roundTrip(p)
        #expect(back == p)
        for key in ["slurm_job_id", "free_gpus", "free_cores", "walltime_end", "drain_deadline", "running_tasks"] {
            #expect(json.contains("\"\(key)\""), "\(key) in \(json)")
        }
        #expect(CodingPath.snake("puOSIndices") == "pu_os_indices" && CodingPath.camel("pu_os_indices") == "puOSIndices")
        #expect(CodingPath.snake("fakeGPUsPerNUMA") == "fake_gpus_per_numa" && CodingPath.camel("fake_gpus_per_numa") == "fakeGPUsPerNUMA")
    }

    @Test func resultsAreJSONValuesNotStrings() throws {
        var info = TaskInfo(id: 1, name: nil, state: .done, attempt: 1, crashes: 0, agent: nil, hostname: nil, priority: 0,
                            exitCode: 0, signal: nil, reason: nil, submittedAt: 1, startedAt: nil, endedAt: nil)
        info.result = JSONText(#"{"energy":-1.5,"counts":{"00":3}}"#)
        let (back, json) = try roundTrip(info)
        #expect(json.contains(#""result":{"counts":{"00":3},"energy":-1.5}"#), "\(json)")
        #expect(back.result?.text == #"{"counts":{"00":3},"energy":-1.5}"#)
        #expect(json.contains("submitted_at") && json.contains("exit_code"))
    }

    @Test func requestBodiesRefuseUnknownKeys() throws {
        func refusal(_ body: String) -> APIErrorBody? {
            do { _ = try APICoding.decodeRequest(SubmitRequest.self, from: Data(body.utf8)); return nil } catch { return error as? APIErrorBody }
        }
        #expect(refusal(#"{"tasks":[{"command":["x"],"coers":2}]}"#)?.message == "unknown key 'coers' (did you mean 'cores'?)")
        #expect(refusal(#"{"tasks":[{"command":["x"],"crashLimit":2}]}"#)?.field == "tasks[0].crashLimit")
        #expect(refusal(#"{"tasks":[{"command":["x"]}],"workflw":1}"#)?.message == "unknown key 'workflw' (did you mean 'workflow'?)")
        #expect(refusal(#"{"tasks":[{"command":["x"],"env":{"ANY_Name":"ok"},"custom":{"lic":1}}]}"#) == nil)
        let drain = try APICoding.decodeRequest(AllocQueueRequest.self, from: Data(#"{"profile":"p","max_pilots":3,"idle_timeout":60}"#.utf8))
        #expect(drain.maxPilots == 3 && drain.idleTimeout == 60)
        #expect(throws: APIErrorBody.self) {
            try APICoding.decodeRequest(AllocQueueRequest.self, from: Data(#"{"profile":"p","maxPilots":3}"#.utf8))
        }
    }
}
