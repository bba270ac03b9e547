using Cofi.Actors.Configuration;

namespace Cofi.Actors.Executors;

/// <summary>
/// Stands in for a GPU model service or an LLM endpoint: per-stage latency and failure rates, slower machines and
/// straggling calls, faults injected for chosen files, and deterministic results derived from the file name.
/// </summary>
public sealed class SimulatedExecutor(StageSettings stage, SimulatedSettings simulated, string machine, ICallRecorder recorder, TimeProvider clock)
    : IStageExecutor
{
    private readonly SimulatedFault[] _faults = simulated.Faults.Where(f => f.Stage == stage.Name).ToArray();
    private readonly double _slowdown = simulated.SlowdownOf(machine);

    public async Task<CallOutcome> ExecuteAsync(StageCall call, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        // A hanging file's call never answers: the stage's timeout ends it.
        if (_faults.Any(f => f.Hangs && f.Files.Contains(call.File.Name))) await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        var delay = Latency(call);
        if (delay > TimeSpan.Zero) await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        var outcome = Decide(call);
        recorder.Record(new CallRecord(call.BatchId, call.Stage, call.File.Name, call.Attempt, call.Machine,
            outcome switch
            {
                CallOutcome.Completed => "completed",
                CallOutcome.TransientFailure => "transient",
                CallOutcome.PermanentFailure => "permanent",
                _ => "skipped",
            },
            started, clock.GetUtcNow()));
        return outcome;
    }

    private TimeSpan Latency(StageCall call)
    {
        var sim = stage.Simulated;
        if (sim.Latency <= TimeSpan.Zero) return TimeSpan.Zero;
        var u = StableHash.Unit($"{call.File.Name}#{call.Attempt}", "latency:" + stage.Name);
        var ms = (sim.Latency.TotalMilliseconds + (2 * u - 1) * sim.Spread.TotalMilliseconds) * _slowdown;
        if (simulated.Stragglers is { Rate: > 0 } stragglers && stage.RunsOnGpuMachines
            && StableHash.Unit($"{call.File.Name}#{call.Attempt}", "straggler:" + stage.Name) < stragglers.Rate)
            ms *= stragglers.Factor;
        return TimeSpan.FromMilliseconds(Math.Max(0, ms));
    }

    private CallOutcome Decide(StageCall call)
    {
        foreach (var fault in _faults)
        {
            if (fault.Hangs || !fault.Files.Contains(call.File.Name)) continue;
            if (fault.Permanent) return new CallOutcome.PermanentFailure($"simulated permanent fault '{fault.Name}'");
            if (call.Attempt <= fault.Times) return new CallOutcome.TransientFailure($"simulated transient fault '{fault.Name}' (attempt {call.Attempt})");
        }
        var sim = stage.Simulated;
        if (sim.PermanentRate > 0 && StableHash.Unit(call.File.Name, "permanent:" + stage.Name) < sim.PermanentRate)
            return new CallOutcome.PermanentFailure("simulated permanent failure");
        if (sim.TransientRate > 0 && StableHash.Unit($"{call.File.Name}#{call.Attempt}", "transient:" + stage.Name) < sim.TransientRate)
            return new CallOutcome.TransientFailure($"simulated transient failure (attempt {call.Attempt})");
        return new CallOutcome.Completed(SimulatedResults.For(stage.Name, call.File.Name));
    }
}
