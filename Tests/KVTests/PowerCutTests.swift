// Power cut at every write of a scripted workload: the store reopens to a prefix of the
// operations that covers the last completed sync, snapshots included, and keeps working.
import Testing
import Capabilities
import KV
import Storage

/// One step of the workload.
enum WorkloadStep {
    case put(String, [UInt8])
    case delete(String)
    case batch(KeyValueBatch)
    case sync
    case snapshot(String)
    case deleteSnapshot(String)
    case compact
}

/// The scripted workload: 130 steps over 12 keys on a 48-sector disk (two 11.5 KB regions),
/// values up to 400 bytes and one of 1500, so records span sectors and the log compacts several times.
func makeWorkload() -> [WorkloadStep] {
    var steps: [WorkloadStep] = []
    for index in 0..<130 {
        let key = "key\(index * 7 % 12)"
        switch index % 13 {
        case 4:
            steps.append(.delete(key))
        case 6:
            var batch = KeyValueBatch()
            batch.put(Array("batch\(index % 3)".utf8), pattern(index % 5 * 60, seed: index))
            batch.delete(Array("key\((index + 1) % 12)".utf8))
            batch.put(Array(key.utf8), pattern(40, seed: index + 1))
            steps.append(.batch(batch))
        case 9:
            steps.append(.sync)
        default:
            steps.append(.put(key, pattern(index * 53 % 400, seed: index)))
        }
        if index == 50 { steps.append(.put("large", pattern(1500, seed: 5))) }
        if index == 95 { steps.append(.put("large", pattern(1300, seed: 6))) }
        if index == 30 { steps.append(.snapshot("before")) }
        if index == 75 { steps.append(.snapshot("middle")) }
        if index == 110 { steps.append(.deleteSnapshot("before")) }
    }
    return steps
}

/// A random workload from `seed`: 120 steps over 10 keys, at most two live snapshots, values
/// up to 300 bytes and now and then 1200, explicit compactions; sized for an 80-sector disk.
func makeRandomWorkload(seed: UInt64) -> [WorkloadStep] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    func next(_ bound: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % UInt64(bound))
    }
    var steps: [WorkloadStep] = []
    var live: [String] = []
    var created = 0
    for index in 0..<120 {
        let key = "key\(next(10))"
        let roll = next(100)
        if roll < 45 {
            steps.append(.put(key, pattern(next(10) == 0 ? 1200 : next(301), seed: index)))
        } else if roll < 57 {
            steps.append(.delete(key))
        } else if roll < 69 {
            var batch = KeyValueBatch()
            for _ in 0..<(1 + next(4)) {
                if next(3) == 0 { batch.delete(Array("key\(next(10))".utf8)) }
                else { batch.put(Array("key\(next(10))".utf8), pattern(next(200), seed: index)) }
            }
            steps.append(.batch(batch))
        } else if roll < 82 {
            steps.append(.sync)
        } else if roll < 87 && live.count < 2 {
            created += 1
            live.append("snap\(created)")
            steps.append(.snapshot("snap\(created)"))
        } else if roll < 91, !live.isEmpty {
            steps.append(.deleteSnapshot(live.removeFirst()))
        } else if roll < 94 {
            steps.append(.compact)
        } else {
            steps.append(.put(key, []))
        }
    }
    return steps
}

/// Applies a step to the model.
func apply(_ step: WorkloadStep, to model: inout StoreDump) {
    switch step {
    case .put(let key, let value): model.current[Array(key.utf8)] = value
    case .delete(let key): model.current[Array(key.utf8)] = nil
    case .batch(let batch):
        for operation in batch.operations {
            switch operation {
            case .put(let key, let value): model.current[key] = value
            case .delete(let key): model.current[key] = nil
            }
        }
    case .sync, .compact: break
    case .snapshot(let name): model.snapshots[Array(name.utf8)] = model.current
    case .deleteSnapshot(let name): model.snapshots[Array(name.utf8)] = nil
    }
}

/// Runs a step against the store.
func run<Device: BlockDevice>(_ step: WorkloadStep, on store: KeyValueStore<Device>) throws(KeyValueError) {
    switch step {
    case .put(let key, let value): try store.put(Array(key.utf8), value)
    case .delete(let key): try store.delete(Array(key.utf8))
    case .batch(let batch): try store.apply(batch)
    case .sync: try store.sync()
    case .snapshot(let name): try store.snapshot(Array(name.utf8))
    case .deleteSnapshot(let name): try store.deleteSnapshot(Array(name.utf8))
    case .compact: try store.compact()
    }
}

/// A recorded run of the workload: the model after each prefix and the writes each step issued.
struct RecordedRun {
    var device: PowerCutDevice
    var steps: [WorkloadStep]
    /// `models[p]` is the state after the first `p` steps.
    var models: [StoreDump]
    var writesBefore: [Int]
    var writesAfter: [Int]
    var compactions: Int

    init(steps workload: [WorkloadStep] = makeWorkload(), sectors: UInt64 = 48) throws {
        device = PowerCutDevice(sectorCount: sectors)
        try KeyValueStore.format(device)
        let store = try KeyValueStore.open(device)
        device.startRecording()
        steps = workload
        var model = StoreDump()
        models = [model]
        writesBefore = []
        writesAfter = []
        compactions = 0
        for step in steps {
            writesBefore.append(device.writeCount)
            let used = store.usedBytes
            try run(step, on: store)
            if store.usedBytes < used { compactions += 1 }
            writesAfter.append(device.writeCount)
            apply(step, to: &model)
            models.append(model)
        }
        #expect(try dump(store) == model)
    }

    /// The prefix lengths a cut during write `cut` may recover: from the end of the last sync
    /// finished before it to the last step that had started.
    func allowedPrefixes(cut: Int) -> ClosedRange<Int> {
        var lower = 0
        var upper = 0
        for (index, step) in steps.enumerated() {
            if case .sync = step, writesAfter[index] <= cut { lower = index + 1 }
            if writesBefore[index] <= cut { upper = index + 1 }
        }
        return lower...Swift.max(lower, upper)
    }
}

@Suite struct PowerCutTests {
    /// Cuts at `cut`, reopens, checks the recovered state, then checks the store keeps working.
    func check(_ run: RecordedRun, cut: Int, unflushed: PowerCutDevice.UnflushedWrites, seed: UInt64 = 0) throws {
        let image = run.device.image(cutAtWrite: cut, tearingSeed: UInt64(cut) &* 7919 &+ 17 &+ seed &* 104_729,
                                     unflushed: unflushed)
        let disk = MemoryBlockDevice(contents: image)
        let store = try KeyValueStore.open(disk)
        let recovered = try dump(store)
        let allowed = run.allowedPrefixes(cut: cut)
        let match = allowed.first { run.models[$0] == recovered }
        #expect(match != nil, "cut at write \(cut) (\(unflushed)): \(recovered) is no prefix in \(allowed)")
        // Writing after recovery must never resurrect stale records past the recovered tail.
        try store.put(bytes("marker"), bytes("after cut \(cut)"))
        try store.sync()
        var expected = recovered
        expected.current[bytes("marker")] = bytes("after cut \(cut)")
        #expect(try dump(try KeyValueStore.open(disk)) == expected, "cut at write \(cut): state after reopen")
    }

    @Test func everyWriteDroppingUnflushed() throws {
        let run = try RecordedRun()
        #expect(run.compactions >= 2)
        #expect(run.steps.count >= 100)
        for cut in 0...run.device.writeCount { try check(run, cut: cut, unflushed: .dropped) }
    }

    @Test func everyWriteKeepingRandomUnflushed() throws {
        let run = try RecordedRun()
        for cut in 0...run.device.writeCount {
            for seed: UInt64 in 0..<4 { try check(run, cut: cut, unflushed: .randomSubset, seed: seed) }
        }
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func randomWorkloadEveryWrite(seed: UInt64) throws {
        let run = try RecordedRun(steps: makeRandomWorkload(seed: seed), sectors: 80)
        for cut in 0...run.device.writeCount {
            try check(run, cut: cut, unflushed: .dropped)
            try check(run, cut: cut, unflushed: .randomSubset, seed: seed)
        }
    }

    @Test func writeErrorsStopTheStoreAndLeaveARecoverableDisk() throws {
        let reference = try RecordedRun()
        for failing in stride(from: 0, through: reference.device.writeCount, by: 3) {
            let device = PowerCutDevice(sectorCount: 48)
            try KeyValueStore.format(device)
            let store = try KeyValueStore.open(device)
            device.startRecording()
            device.failingFromWrite = failing
            var completed = 0
            var lastSync = 0
            var failure: KeyValueError? = nil
            for step in reference.steps {
                do {
                    try run(step, on: store)
                } catch {
                    failure = error
                    break
                }
                completed += 1
                if case .sync = step { lastSync = completed }
            }
            if failing < reference.device.writeCount { #expect(failure == .device(.deviceError)) }
            if failure != nil {
                #expect(throws: KeyValueError.failed) { try store.put(bytes("k"), bytes("v")) }
                #expect(throws: KeyValueError.failed) { try store.sync() }
            }
            // Whatever reached the disk is a crash image with every write kept.
            let recovered = try dump(try KeyValueStore.open(MemoryBlockDevice(contents: device.bytes)))
            let match = (lastSync...completed + 1).first { $0 < reference.models.count && reference.models[$0] == recovered }
            #expect(match != nil, "writes failing from \(failing): \(recovered)")
        }
    }
}
