namespace Cofi.Actors.Progress.History;

public static class HistoryQueries
{
    /// <summary>Answered with <see cref="ThroughputHistory"/>, or <see cref="HistoryUnknown"/>.</summary>
    public sealed record GetThroughput(long BatchId);

    /// <summary>Answered with <see cref="FleetHistory"/>, or <see cref="HistoryUnknown"/>.</summary>
    public sealed record GetFleet(long BatchId);

    /// <summary>Answered with <see cref="LatencyReport"/>, or <see cref="HistoryUnknown"/>; <see cref="Machine"/> null: every machine.</summary>
    public sealed record GetLatency(long BatchId, string? Machine);
}

/// <summary>This process has seen no progress of the batch (it ran before the process started, or it is too old to be kept).</summary>
public sealed record HistoryUnknown(long BatchId);

/// <summary>
/// Files settled per second per stage over the whole batch, one value per bucket of <see cref="BucketSeconds"/> from
/// <see cref="Start"/>, with the ETA each stage's recent rate gives.
/// </summary>
public sealed record ThroughputHistory(long BatchId, DateTimeOffset Start, int BucketSeconds, DateTimeOffset At, IReadOnlyList<StageThroughput> Stages, Eta Batch);

/// <param name="Rates">files settled per second in each bucket (the last, still open bucket over the seconds it has run).</param>
/// <param name="Total">the files the stage will settle: null while they are still being registered.</param>
public sealed record StageThroughput(string Stage, IReadOnlyList<double> Rates, int Settled, int? Total, bool Completed, double RecentRate, double AverageRate, Eta Eta);

/// <param name="Seconds">null when there is no estimate; <see cref="Basis"/> says why, or what the estimate rests on.</param>
public sealed record Eta(double? Seconds, string Basis);

/// <summary>Per GPU machine and bucket: share of each stage's slots in use, files done per minute, errors; the breakers' changes.</summary>
public sealed record FleetHistory(long BatchId, DateTimeOffset Start, int BucketSeconds, DateTimeOffset At, IReadOnlyDictionary<string, int> SlotsByStage,
    IReadOnlyList<MachineHistory> Machines, IReadOnlyList<CircuitMark> Circuits);

/// <param name="Utilization">by stage, the mean share (0 to 1) of the machine's slots for the stage that were busy in each bucket.</param>
public sealed record MachineHistory(string Machine, IReadOnlyDictionary<string, IReadOnlyList<double>> Utilization, IReadOnlyList<double> FilesPerMinute,
    IReadOnlyList<double> Errors, long Done, long ErrorsTotal);

/// <summary>A machine's breaker changed state (<c>Open</c>, <c>HalfOpen</c>, <c>Closed</c>).</summary>
public sealed record CircuitMark(DateTimeOffset At, string Machine, string State);

/// <param name="Machines">every machine that made calls for the batch, to ask for one of them.</param>
public sealed record LatencyReport(long BatchId, string? Machine, IReadOnlyList<string> Machines, IReadOnlyList<StageLatency> Stages);

public sealed record StageLatency(string Stage, long Calls, double P50, double P95, double P99, double MeanMs, double MaxMs, IReadOnlyList<LatencyBin> Bins);

/// <summary>The calls that took longer than the bin before's edge and at most <see cref="UpToMs"/>.</summary>
public sealed record LatencyBin(double UpToMs, long Calls);
