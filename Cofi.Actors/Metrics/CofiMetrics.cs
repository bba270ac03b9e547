using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Akka.Actor;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Metrics;

/// <summary>
/// Cofi's instruments, one set per ActorSystem, on the meter <see cref="MeterName"/>; the host exports them to
/// Prometheus (dots become underscores, seconds get <c>_seconds</c>, counters <c>_total</c>). Labels are bounded: batch,
/// stage, machine, outcome and cause — never a file. The gauges read state the actors keep here.
/// </summary>
public sealed class CofiMetrics : IExtension, IDisposable
{
    public const string MeterName = "Cofi";

    private static readonly double[] CallSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
    private static readonly double[] WriteSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter = new(MeterName);
    private readonly ConcurrentDictionary<(long Batch, string Stage), StageCounts> _stages = new();
    private readonly ConcurrentDictionary<long, double> _eta = new();
    private readonly ConcurrentDictionary<(long Batch, string Machine, string Stage), (int Busy, int Total)> _slots = new();
    private readonly ConcurrentDictionary<(long Batch, string Machine), string> _breakers = new();
    private long _writerBuffered;
    private int _writerPaused;

    public CofiMetrics()
    {
        _meter.CreateObservableCounter("cofi.file_stages.settled", SettledFileStages, "{file}",
            "File-stages recorded settled, by batch, stage and outcome (done, failed, skipped): the journal's own counts.");
        _meter.CreateObservableGauge("cofi.stage.queued", () => StageGauge(c => c.Queued), "{file}", "Files waiting at a stage, by batch and stage.");
        _meter.CreateObservableGauge("cofi.stage.in_flight", () => StageGauge(c => c.InFlight), "{call}", "Calls in flight at a stage, by batch and stage.");
        _meter.CreateObservableGauge("cofi.batch.eta", BatchEta, "s", "Estimated time until a running batch has settled every file-stage, from its rate over the last minute.");
        _meter.CreateObservableGauge("cofi.machine.slots.busy", () => Slots(s => s.Busy), "{slot}", "Slots of a GPU machine busy with a call, by machine and stage.");
        _meter.CreateObservableGauge("cofi.machine.slots.total", () => Slots(s => s.Total), "{slot}", "Slots a GPU machine offers, by machine and stage.");
        _meter.CreateObservableGauge("cofi.machine.breaker.state", Breakers, "{state}",
            "1 for the state (closed, half_open, open) a GPU machine's circuit breaker is in, 0 for the others.");
        _meter.CreateObservableGauge("cofi.event_writer.rows.buffered", () => Interlocked.Read(ref _writerBuffered), "{row}",
            "Read-model rows the EventWriter holds, not yet written.");
        _meter.CreateObservableGauge("cofi.event_writer.paused", () => Volatile.Read(ref _writerPaused), "{state}",
            "1 while the EventWriter is so far behind that the stages hand out no new work.");
        CallDuration = _meter.CreateHistogram("cofi.call.duration", "s", "Duration of a call to a model service or LLM endpoint, by stage, machine and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CallSeconds });
        Retries = _meter.CreateCounter<long>("cofi.call.retries", "{call}", "Calls that failed transiently and will be retried, by stage and cause.");
        BackupAttempts = _meter.CreateCounter<long>("cofi.call.backups", "{call}", "Speculative backup attempts of straggling calls, by stage.");
        JournalWriteDuration = _meter.CreateHistogram("cofi.journal.write.duration", "s", "Time from handing a stage's group of outcomes to the journal to its being stored.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = WriteSeconds });
        FlushDuration = _meter.CreateHistogram("cofi.event_writer.flush.duration", "s", "Duration of one EventWriter flush (one transaction).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = WriteSeconds });
        Statements = _meter.CreateCounter<long>("cofi.event_writer.statements", "{statement}", "SQL statements the EventWriter ran.");
        RowsWritten = _meter.CreateCounter<long>("cofi.event_writer.rows", "{row}", "Read-model rows the EventWriter wrote.");
        WriterPauses = _meter.CreateCounter<long>("cofi.event_writer.pauses", "{pause}", "Times the EventWriter fell so far behind that the stages stopped handing out work.");
        SseSubscribers = _meter.CreateUpDownCounter<long>("cofi.sse.subscribers", "{subscriber}", "Dashboard viewers and other SSE subscribers connected.");
        SseFramesDropped = _meter.CreateCounter<long>("cofi.sse.frames.dropped", "{frame}", "Progress frames dropped for a slow SSE subscriber (it gets a snapshot instead).");
    }

    /// <summary>A breaker's states, from best to worst.</summary>
    private static readonly string[] BreakerStates = ["closed", "half_open", "open"];

    public static CofiMetrics Get(ActorSystem system) => system.WithExtension<CofiMetrics, CofiMetricsProvider>();

    public Histogram<double> CallDuration { get; }

    public Counter<long> Retries { get; }

    public Counter<long> BackupAttempts { get; }

    public Histogram<double> JournalWriteDuration { get; }

    public Histogram<double> FlushDuration { get; }

    public Counter<long> Statements { get; }

    public Counter<long> RowsWritten { get; }

    public Counter<long> WriterPauses { get; }

    public UpDownCounter<long> SseSubscribers { get; }

    public Counter<long> SseFramesDropped { get; }

    public void StageCounts(StageCounts counts) => _stages[(counts.BatchId, counts.Stage)] = counts;

    public void BatchEta(long batchId, double? seconds)
    {
        if (seconds is { } s) _eta[batchId] = s;
        else _eta.TryRemove(batchId, out _);
    }

    /// <summary>A batch that ended keeps its settled counts (the last ones recorded) but no gauges of work in flight.</summary>
    public void BatchEnded(long batchId)
    {
        _eta.TryRemove(batchId, out _);
        foreach (var key in _stages.Keys.Where(k => k.Batch == batchId))
            _stages.AddOrUpdate(key, _ => null!, (_, c) => c with { InFlight = 0, Queued = 0 });
    }

    /// <summary>Forgets a batch entirely (its series end): the oldest ended batches beyond a few are forgotten.</summary>
    public void Forget(long batchId)
    {
        foreach (var key in _stages.Keys.Where(k => k.Batch == batchId)) _stages.TryRemove(key, out _);
    }

    public void MachineSlots(long batchId, string machine, string stage, int busy, int total) => _slots[(batchId, machine, stage)] = (busy, total);

    public void MachineGone(long batchId, string machine)
    {
        foreach (var key in _slots.Keys.Where(k => k.Batch == batchId && k.Machine == machine)) _slots.TryRemove(key, out _);
        _breakers.TryRemove((batchId, machine), out _);
    }

    public void Breaker(long batchId, string machine, string state) => _breakers[(batchId, machine)] = state;

    /// <summary>A machine whose workers run in this process: its worst breaker over the running batches, its slots per GPU stage and how many are busy.</summary>
    public Gpu.GpuMachineInfo Machine(string machine, Configuration.PipelineSettings pipeline)
    {
        var states = BreakerStates;
        var worst = _breakers.Where(b => b.Key.Machine == machine).Select(b => Array.IndexOf(states, b.Value)).DefaultIfEmpty(0).Max();
        var busy = _slots.Where(s => s.Key.Machine == machine).GroupBy(s => s.Key.Stage).ToDictionary(g => g.Key, g => g.Sum(s => s.Value.Busy));
        return new Gpu.GpuMachineInfo(machine, states[Math.Max(0, worst)], pipeline.GpuStages.ToDictionary(s => s.Name, s => s.Slots),
            pipeline.GpuStages.ToDictionary(s => s.Name, s => busy.GetValueOrDefault(s.Name)));
    }

    public void WriterBuffered(long rows) => Interlocked.Exchange(ref _writerBuffered, rows);

    public void WriterPaused(bool paused) => Volatile.Write(ref _writerPaused, paused ? 1 : 0);

    private IEnumerable<Measurement<long>> SettledFileStages()
    {
        foreach (var ((batch, stage), c) in _stages)
        {
            var tags = new KeyValuePair<string, object?>[] { new("batch", batch), new("stage", stage) };
            yield return new Measurement<long>(c.Done, [.. tags, new("outcome", "done")]);
            yield return new Measurement<long>(c.Failed, [.. tags, new("outcome", "failed")]);
            yield return new Measurement<long>(c.Skipped, [.. tags, new("outcome", "skipped")]);
        }
    }

    private IEnumerable<Measurement<int>> StageGauge(Func<StageCounts, int> value) =>
        _stages.Select(s => new Measurement<int>(value(s.Value), new("batch", s.Key.Batch), new("stage", s.Key.Stage)));

    private IEnumerable<Measurement<double>> BatchEta() => _eta.Select(e => new Measurement<double>(e.Value, new KeyValuePair<string, object?>("batch", e.Key)));

    private IEnumerable<Measurement<int>> Slots(Func<(int Busy, int Total), int> value) =>
        _slots.GroupBy(s => (s.Key.Machine, s.Key.Stage))
            .Select(g => new Measurement<int>(g.Sum(s => value(s.Value)), new("machine", g.Key.Machine), new("stage", g.Key.Stage)));

    private IEnumerable<Measurement<int>> Breakers()
    {
        var states = BreakerStates;
        // A machine serves every running batch; its worst breaker is its state.
        foreach (var machine in _breakers.GroupBy(b => b.Key.Machine))
        {
            var worst = machine.Select(b => Array.IndexOf(states, b.Value)).Max();
            foreach (var (state, i) in states.Select((s, i) => (s, i)))
                yield return new Measurement<int>(i == worst ? 1 : 0, new("machine", machine.Key), new("state", state));
        }
    }

    public void Dispose() => _meter.Dispose();
}

public sealed class CofiMetricsProvider : ExtensionIdProvider<CofiMetrics>
{
    public override CofiMetrics CreateExtension(ExtendedActorSystem system)
    {
        var metrics = new CofiMetrics();
        system.WhenTerminated.ContinueWith(_ => metrics.Dispose(), TaskScheduler.Default);
        return metrics;
    }
}
