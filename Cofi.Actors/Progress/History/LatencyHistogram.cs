namespace Cofi.Actors.Progress.History;

/// <summary>
/// Call times in logarithmic bins, four to each doubling (each bin about 19 % wider than the one before), from 1 ms
/// to over an hour: a fixed size whatever the number of calls. Percentiles are read as the upper edge of the bin
/// they fall in, never above the longest call seen.
/// </summary>
public sealed class LatencyHistogram
{
    public const int BinsPerDoubling = 4;

    public const int Bins = 90;

    private readonly long[] _counts = new long[Bins];

    public long Calls { get; private set; }

    public double TotalMs { get; private set; }

    public double MaxMs { get; private set; }

    public static double UpperEdge(int bin) => Math.Pow(2, (double)bin / BinsPerDoubling);

    public static int BinOf(double ms) => ms <= 1 ? 0 : Math.Min(Bins - 1, (int)Math.Ceiling(BinsPerDoubling * Math.Log2(ms) - 1e-9));

    public void Add(double ms)
    {
        ms = Math.Max(0, ms);
        _counts[BinOf(ms)]++;
        Calls++;
        TotalMs += ms;
        MaxMs = Math.Max(MaxMs, ms);
    }

    public void AddAll(LatencyHistogram other)
    {
        for (var i = 0; i < Bins; i++) _counts[i] += other._counts[i];
        Calls += other.Calls;
        TotalMs += other.TotalMs;
        MaxMs = Math.Max(MaxMs, other.MaxMs);
    }

    /// <param name="quantile">between 0 and 1, e.g. 0.95.</param>
    public double Percentile(double quantile)
    {
        if (Calls == 0) return 0;
        var rank = (long)Math.Ceiling(quantile * Calls);
        long seen = 0;
        for (var i = 0; i < Bins; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(UpperEdge(i), MaxMs);
        }
        return MaxMs;
    }

    /// <summary>The bins from the first to the last that holds a call.</summary>
    public IReadOnlyList<LatencyBin> Used()
    {
        var first = Array.FindIndex(_counts, c => c > 0);
        if (first < 0) return [];
        var last = Array.FindLastIndex(_counts, c => c > 0);
        return Enumerable.Range(first, last - first + 1).Select(i => new LatencyBin(UpperEdge(i), _counts[i])).ToList();
    }
}
