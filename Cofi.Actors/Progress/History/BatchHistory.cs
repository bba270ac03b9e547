using Cofi.Actors.Files;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Progress.History;

/// <summary>
/// What one batch did over time, as its progress told it: files settled per stage, slots busy, files done and errors
/// per GPU machine, breaker changes, and call times per stage and machine. Every series lives on one
/// <see cref="TimeBuckets"/> axis and the histograms have a fixed size, so memory stays bounded at any batch size or length.
/// </summary>
public sealed class BatchHistory
{
    public const int MaxCircuitMarks = 500;

    /// <summary>How far back the recent rate behind an ETA looks.</summary>
    public static readonly TimeSpan RecentWindow = TimeSpan.FromSeconds(60);

    private readonly List<string> _stageOrder;
    private readonly IReadOnlyDictionary<string, int> _slotsByStage;
    private readonly TimeBuckets _axis;
    private readonly Dictionary<string, double[]> _settled = new();
    private readonly Dictionary<string, StageCounts> _counts = new();
    private readonly Dictionary<string, IReadOnlyDictionary<string, int>> _busyNow = new();
    private readonly double[] _samples;
    private readonly Dictionary<(string Machine, string Stage), double[]> _busy = new();
    private readonly SortedDictionary<string, (double[] Done, double[] Errors)> _machines = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Stage, string Machine), LatencyHistogram> _latency = new();
    private readonly List<CircuitMark> _circuits = new();

    /// <param name="slotsByStage">slots per GPU machine of each stage that runs on GPU machines.</param>
    public BatchHistory(long batchId, DateTimeOffset start, IReadOnlyList<string> stageOrder, IReadOnlyDictionary<string, int> slotsByStage, int capacity)
    {
        BatchId = batchId;
        _stageOrder = stageOrder.ToList();
        _slotsByStage = slotsByStage;
        _axis = new TimeBuckets(start, capacity);
        _samples = _axis.NewSeries();
        LastActivity = start;
    }

    public long BatchId { get; }

    public DateTimeOffset LastActivity { get; private set; }

    public void Add(StageProgress progress)
    {
        var stage = progress.Counts.Stage;
        var index = _axis.IndexOf(progress.At);
        LastActivity = progress.At > LastActivity ? progress.At : LastActivity;
        var before = _counts.TryGetValue(stage, out var previous) ? previous.Settled : 0;
        _counts[stage] = progress.Counts;
        // A retry of failed files lowers a stage's failed count: the files settled again later count again.
        Series(_settled, stage)[index] += Math.Max(0, progress.Counts.Settled - before);
        if (progress.BusyByMachine is { } busy) _busyNow[stage] = busy;
        foreach (var record in progress.Recorded ?? [])
        {
            if (record.Machine is { } machine && machine != "coordinator" && record.Status != FileStatus.Skipped)
            {
                var (done, errors) = Machine(machine);
                if (record.Status == FileStatus.Done) done[index]++;
                else errors[index]++;
            }
            if (record.History is { Count: > 0 } attempts)
                foreach (var attempt in attempts) Latency(stage, attempt.Machine).Add(attempt.DurationMs);
            else if (record.Status != FileStatus.Skipped && record.Attempts > 0) Latency(stage, record.Machine ?? "coordinator").Add(record.DurationMs);
        }
    }

    /// <summary>Takes one sample of the slots each machine has busy now (the keeper does so once a second while the batch runs).</summary>
    public void Sample(DateTimeOffset at)
    {
        var index = _axis.IndexOf(at);
        _samples[index]++;
        foreach (var (stage, machines) in _busyNow)
        foreach (var (machine, slots) in machines)
        {
            Machine(machine);
            if (!_busy.TryGetValue((machine, stage), out var series)) _busy[(machine, stage)] = series = _axis.NewSeries();
            series[index] += slots;
        }
    }

    public void Add(CircuitMark mark)
    {
        // The axis reaches the change, so it is drawn even when no progress came after it.
        _axis.IndexOf(mark.At);
        _circuits.Add(mark);
        if (_circuits.Count > MaxCircuitMarks) _circuits.RemoveAt(0);
    }

    public ThroughputHistory Throughput(DateTimeOffset now)
    {
        var stages = Ordered(_counts.Keys).Select(stage => StageThroughput(stage, now)).ToList();
        return new ThroughputHistory(BatchId, _axis.Start, _axis.Width, now, stages, BatchEta(stages));
    }

    public FleetHistory Fleet(DateTimeOffset now)
    {
        var machines = _machines.Select(m => new MachineHistory(m.Key,
            _busy.Where(b => b.Key.Machine == m.Key).OrderBy(b => Position(b.Key.Stage)).ToDictionary(b => b.Key.Stage,
                b => (IReadOnlyList<double>)_axis.Used(b.Value, (sum, i) => _samples[i] == 0 ? 0 : sum / _samples[i] / Math.Max(1, _slotsByStage.GetValueOrDefault(b.Key.Stage, 1)))),
            _axis.Used(m.Value.Done, (done, _) => done * 60.0 / _axis.Width),
            _axis.Used(m.Value.Errors),
            (long)m.Value.Done.Sum(), (long)m.Value.Errors.Sum())).ToList();
        return new FleetHistory(BatchId, _axis.Start, _axis.Width, now, _slotsByStage, machines, _circuits.ToList());
    }

    public LatencyReport Latency(string? machine)
    {
        var stages = new List<StageLatency>();
        foreach (var stage in Ordered(_latency.Keys.Select(k => k.Stage).Distinct()))
        {
            var histogram = new LatencyHistogram();
            foreach (var (key, value) in _latency)
                if (key.Stage == stage && (machine is null || key.Machine == machine)) histogram.AddAll(value);
            if (histogram.Calls == 0) continue;
            stages.Add(new StageLatency(stage, histogram.Calls, histogram.Percentile(0.50), histogram.Percentile(0.95), histogram.Percentile(0.99),
                histogram.TotalMs / histogram.Calls, histogram.MaxMs, histogram.Used()));
        }
        var machines = _latency.Keys.Select(k => k.Machine).Distinct().Order(StringComparer.Ordinal).ToList();
        return new LatencyReport(BatchId, machine, machines, stages);
    }

    /// <summary>
    /// The files a stage will settle. A stage's own total is known once the one before it has completed; before then,
    /// every file the distribution stage registers reaches every stage (as done, failed or skipped), so its total
    /// serves once it has completed, and nothing does while files are still being registered.
    /// </summary>
    private int? TotalOf(StageCounts counts)
    {
        if (counts.Total is { } total) return total;
        if (_stageOrder.Count > 0 && _counts.TryGetValue(_stageOrder[0], out var first) && first.Completed) return first.Total ?? first.Settled;
        return null;
    }

    private StageThroughput StageThroughput(string stage, DateTimeOffset now)
    {
        var counts = _counts[stage];
        var series = _settled[stage];
        var end = now > LastActivity ? now : LastActivity;
        var openBucketSeconds = Math.Clamp((end - _axis.StartOf(_axis.Count - 1)).TotalSeconds, 1, _axis.Width);
        var rates = _axis.Used(series, (settled, i) => settled / (i == _axis.Count - 1 ? openBucketSeconds : _axis.Width));
        var elapsed = Math.Max(1, (end - _axis.Start).TotalSeconds);
        var average = counts.Settled / elapsed;
        var recent = RecentRate(series, end);
        var total = TotalOf(counts);
        Eta eta;
        if (counts.Completed) eta = new Eta(0, "done");
        else if (total is null) eta = new Eta(null, $"total not known yet: {_stageOrder.FirstOrDefault() ?? "distribution"} is still registering files");
        else if (recent > 0) eta = new Eta(Math.Max(0, total.Value - counts.Settled) / recent, $"{Math.Max(0, total.Value - counts.Settled):N0} files left at {recent:0.#} files/s, the rate of the last {RecentWindow.TotalSeconds:0} s");
        else eta = new Eta(null, $"no file settled in the last {RecentWindow.TotalSeconds:0} s");
        return new StageThroughput(stage, rates, counts.Settled, total, counts.Completed, recent, average, eta);
    }

    /// <summary>Files settled per second over the buckets that cover the recent window (at least the open one).</summary>
    private double RecentRate(double[] series, DateTimeOffset end)
    {
        var from = _axis.Count - 1;
        while (from > 0 && end - _axis.StartOf(from) < RecentWindow) from--;
        var settled = 0.0;
        for (var i = from; i < _axis.Count; i++) settled += series[i];
        return settled / Math.Max(1, (end - _axis.StartOf(from)).TotalSeconds);
    }

    /// <summary>The batch ends when its slowest stage does: the longest stage ETA, or none while any stage has none.</summary>
    private static Eta BatchEta(IReadOnlyList<StageThroughput> stages)
    {
        if (stages.Count == 0) return new Eta(null, "no progress yet");
        if (stages.All(s => s.Completed)) return new Eta(0, "done");
        var open = stages.Where(s => !s.Completed).ToList();
        if (open.FirstOrDefault(s => s.Eta.Seconds is null) is { } unknown) return new Eta(null, $"{unknown.Stage}: {unknown.Eta.Basis}");
        var slowest = open.MaxBy(s => s.Eta.Seconds)!;
        return new Eta(slowest.Eta.Seconds, $"{slowest.Stage}: {slowest.Eta.Basis}");
    }

    private double[] Series<TKey>(Dictionary<TKey, double[]> all, TKey key) where TKey : notnull
    {
        if (!all.TryGetValue(key, out var series)) all[key] = series = _axis.NewSeries();
        return series;
    }

    private (double[] Done, double[] Errors) Machine(string machine)
    {
        if (!_machines.TryGetValue(machine, out var series)) _machines[machine] = series = (_axis.NewSeries(), _axis.NewSeries());
        return series;
    }

    private LatencyHistogram Latency(string stage, string machine)
    {
        if (!_latency.TryGetValue((stage, machine), out var histogram)) _latency[(stage, machine)] = histogram = new LatencyHistogram();
        return histogram;
    }

    private IEnumerable<string> Ordered(IEnumerable<string> stages) => stages.OrderBy(Position).ThenBy(s => s, StringComparer.Ordinal);

    private int Position(string stage)
    {
        var index = _stageOrder.IndexOf(stage);
        return index < 0 ? int.MaxValue : index;
    }
}
