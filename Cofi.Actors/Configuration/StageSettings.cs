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
    int QuarantineAfter = 3)
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
