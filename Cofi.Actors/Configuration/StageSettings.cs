namespace Cofi.Actors.Configuration;

/// <summary>How the simulated executor behaves for one stage.</summary>
public sealed record SimulatedStageSettings(TimeSpan Latency, TimeSpan Spread, double TransientRate, double PermanentRate);

public sealed record StageSettings(
    string Name,
    StageKind Kind,
    int Slots,
    int Concurrency,
    TimeSpan Timeout,
    int MaxAttempts,
    TimeSpan BackoffBase,
    TimeSpan BackoffMax,
    SimulatedStageSettings Simulated,
    IReadOnlyList<TriageRule> Rules,
    ExecutorKind Executor = ExecutorKind.Simulated,
    HttpStageSettings? Http = null,
    LlmStageSettings? Llm = null)
{
    /// <summary>Stages whose calls go to GPU machines' workers; the others run on the coordinator.</summary>
    public bool RunsOnGpuMachines => Kind == StageKind.Gpu;

    /// <summary>Backoff before attempt <paramref name="nextAttempt"/>: doubling from the base, capped, with ±50 % jitter.</summary>
    public TimeSpan BackoffBefore(int nextAttempt, double jitter01)
    {
        var exponent = Math.Clamp(nextAttempt - 2, 0, 30);
        var raw = Math.Min(BackoffMax.TotalMilliseconds, BackoffBase.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(raw * (0.5 + jitter01));
    }
}
