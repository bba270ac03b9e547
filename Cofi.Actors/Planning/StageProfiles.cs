using Cofi.Actors.Configuration;
using Cofi.Actors.Files;

namespace Cofi.Actors.Planning;

/// <summary>Where the planner's call times come from: the configuration's simulated latencies, or a finished batch's recorded attempts.</summary>
public static class StageProfiles
{
    private const int Samples = 1000;

    /// <summary>Every model stage with its configured latency ± spread (uniform), every file called.</summary>
    public static IReadOnlyList<StageProfile> FromConfiguration(PipelineSettings pipeline) =>
        pipeline.Stages.Where(s => s.Kind != StageKind.Distribution).Select(s =>
        {
            var (latency, spread) = (s.Simulated.Latency.TotalMilliseconds, s.Simulated.Spread.TotalMilliseconds);
            var times = Enumerable.Range(0, Samples).Select(i => Math.Max(0, latency + (2 * (i + 0.5) / Samples - 1) * spread)).ToList();
            return new StageProfile(s, 1.0, times);
        }).ToList();

    /// <summary>
    /// Every model stage with the call times a finished batch recorded there (every attempt), and the share of
    /// its files the stage called.
    /// </summary>
    /// <param name="records">each stage's records of the batch</param>
    public static IReadOnlyList<StageProfile> FromRecords(PipelineSettings pipeline, int files, IReadOnlyDictionary<string, IReadOnlyCollection<FileRecord>> records) =>
        pipeline.Stages.Where(s => s.Kind != StageKind.Distribution).Select(s =>
        {
            var recorded = records.GetValueOrDefault(s.Name) ?? [];
            var called = recorded.Where(r => r.Attempts > 0).ToList();
            var times = called.SelectMany(r => r.History is { Count: > 0 } history ? history.Select(h => (double)h.DurationMs) : [r.DurationMs]).ToList();
            return new StageProfile(s, files == 0 ? 0 : called.Count / (double)files, times.Count > 0 ? times : [0]);
        }).ToList();
}
