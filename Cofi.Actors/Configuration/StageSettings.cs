namespace Cofi.Actors.Configuration;

/// <summary>A call's deadline from its recording's length: <c>timeout-base + timeout-per-audio-second × seconds</c>.</summary>
public sealed record AudioTimeout(TimeSpan Base, TimeSpan PerSecond);

/// <summary>The order a stage hands out its ready files.</summary>
public enum DispatchOrder
{
    /// <summary>As the previous stage hands them on.</summary>
    Input,
    /// <summary>Longest recordings first (those without a known length last), so the longest calls do not end the batch.</summary>
    LongestFirst,
}

/// <summary>
/// Backup attempts for a stage's stragglers: a call running longer than <see cref="After"/> (null: 3 × the stage's
/// p95 call time, at least 2 s) gets one on another machine when the stage has a free slot and nothing ready; at
/// most <see cref="MaxShare"/> of the stage's calls (at least one).
/// </summary>
public sealed record SpeculationSettings(TimeSpan? After, double MaxShare);

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
    LlmStageSettings? Llm = null,
    AudioTimeout? PerAudio = null,
    DispatchOrder Order = DispatchOrder.Input,
    int QuarantineAfter = 3,
    SpeculationSettings? Speculation = null)
{
    /// <summary>The time one call of <paramref name="file"/> may take: from its recording's length when the stage says so, else <see cref="Timeout"/>.</summary>
    public TimeSpan TimeoutFor(Files.FileWork file) =>
        PerAudio is { } perAudio && file.AudioSeconds is { } seconds ? perAudio.Base + perAudio.PerSecond * seconds : Timeout;

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
