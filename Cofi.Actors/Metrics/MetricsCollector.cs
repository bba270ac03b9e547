using Akka.Actor;
using Cofi.Actors.Batches;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Metrics;

/// <summary>
/// Keeps <see cref="CofiMetrics"/>' stage gauges and each batch's ETA from the progress the stages of this node
/// publish. A batch that ended keeps its settled counts until <see cref="EndedKept"/> later batches have ended.
/// </summary>
public sealed class MetricsCollector : ReceiveActor
{
    public const string Name = "metrics-collector";
    public const int EndedKept = 20;
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    private readonly CofiMetrics _metrics;
    private readonly Dictionary<long, Dictionary<string, StageCounts>> _batches = new();
    private readonly Dictionary<long, Queue<(DateTimeOffset At, long Settled)>> _samples = new();
    private readonly Queue<long> _ended = new();

    public MetricsCollector(CofiMetrics metrics)
    {
        _metrics = metrics;
        Receive<StageProgress>(OnProgress);
        Receive<BatchFinished>(m =>
        {
            _metrics.BatchEnded(m.BatchId);
            _batches.Remove(m.BatchId);
            _samples.Remove(m.BatchId);
            _ended.Enqueue(m.BatchId);
            while (_ended.Count > EndedKept) _metrics.Forget(_ended.Dequeue());
        });
    }

    public static Props Props(CofiMetrics metrics) => Akka.Actor.Props.Create(() => new MetricsCollector(metrics));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(StageProgress));
        Context.System.EventStream.Subscribe(Self, typeof(BatchFinished));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void OnProgress(StageProgress progress)
    {
        var counts = progress.Counts;
        _metrics.StageCounts(counts);
        if (!_batches.TryGetValue(counts.BatchId, out var stages)) _batches[counts.BatchId] = stages = new Dictionary<string, StageCounts>();
        stages[counts.Stage] = counts;
        _metrics.BatchEta(counts.BatchId, Eta(counts.BatchId, stages, progress.At));
    }

    /// <summary>File-stages left over the rate of the last minute; null while the batch's size or rate is not known yet.</summary>
    private double? Eta(long batchId, Dictionary<string, StageCounts> stages, DateTimeOffset now)
    {
        var total = stages.Values.Select(s => s.Total).FirstOrDefault(t => t is not null);
        if (total is null) return null;
        var settled = stages.Values.Sum(s => (long)s.Settled);
        if (!_samples.TryGetValue(batchId, out var samples)) _samples[batchId] = samples = new Queue<(DateTimeOffset, long)>();
        samples.Enqueue((now, settled));
        while (samples.Count > 2 && now - samples.Peek().At > RateWindow) samples.Dequeue();
        var (firstAt, firstSettled) = samples.Peek();
        var seconds = (now - firstAt).TotalSeconds;
        if (seconds <= 0 || settled <= firstSettled) return null;
        // Every stage settles every file, so the batch has total × stages file-stages to settle.
        var remaining = (long)total.Value * stages.Count - settled;
        return Math.Max(0, remaining) / ((settled - firstSettled) / seconds);
    }
}
