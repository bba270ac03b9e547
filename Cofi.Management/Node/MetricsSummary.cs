using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Cofi.Management;

/// <summary>
/// A short summary of this node's own metrics, for <c>cofi HOST node metrics</c>: one row per instrument of the
/// node's meters (Cofi's, the cluster's, the .NET runtime's), its measurements added up over their labels —
/// counters since the process started, gauges as they are now, histograms as a count and a mean.
/// </summary>
public sealed class MetricsSummary : IDisposable
{
    public sealed record Row(string Name, string Value, string? Unit);

    private sealed class Totals
    {
        public double Sum;
        public long Count;
    }

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Totals> _totals = new();
    private readonly object _snapshot = new();

    public MetricsSummary(IEnumerable<string> meters)
    {
        var names = meters.ToHashSet(StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!names.Contains(instrument.Meter.Name)) return;
            _totals.TryAdd(instrument, new Totals());
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, value, _, _) => Add(i, value));
        _listener.SetMeasurementEventCallback<int>((i, value, _, _) => Add(i, value));
        _listener.SetMeasurementEventCallback<double>((i, value, _, _) => Add(i, value));
        _listener.Start();
    }

    public IReadOnlyList<Row> Rows()
    {
        lock (_snapshot)
        {
            // Observable instruments report their whole value each time: start them from zero, then ask.
            foreach (var (instrument, totals) in _totals.Where(t => IsObservable(t.Key)))
                lock (totals) (totals.Sum, totals.Count) = (0, 0);
            _listener.RecordObservableInstruments();
            return _totals
                .OrderBy(t => t.Key.Meter.Name == "System.Runtime" ? 1 : 0).ThenBy(t => t.Key.Name, StringComparer.Ordinal)
                .Select(t => Describe(t.Key, t.Value))
                .ToList();
        }
    }

    private static bool IsObservable(Instrument instrument) => instrument.GetType().Name.StartsWith("Observable", StringComparison.Ordinal);

    private static Row Describe(Instrument instrument, Totals totals)
    {
        lock (totals)
        {
            var isHistogram = instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal);
            var value = isHistogram
                ? totals.Count == 0 ? "0 recorded" : $"{totals.Count.ToString("N0", CultureInfo.InvariantCulture)} recorded, mean {Format(totals.Sum / totals.Count)}"
                : Format(totals.Sum);
            return new Row(instrument.Name, value, instrument.Unit);
        }
    }

    private static string Format(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);

    private void Add(Instrument instrument, double value)
    {
        if (!_totals.TryGetValue(instrument, out var totals)) return;
        lock (totals)
        {
            totals.Sum += value;
            totals.Count++;
        }
    }

    public void Dispose() => _listener.Dispose();
}
