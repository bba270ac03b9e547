namespace Cofi.Actors.Progress.History;

/// <summary>
/// A batch's time axis: buckets of <see cref="Width"/> seconds from <see cref="Start"/>, at most <see cref="Capacity"/>
/// of them. When a moment falls past the last bucket, neighbouring buckets merge in pairs and the width doubles, so
/// every series on the axis stays the same size however long the batch runs.
/// </summary>
public sealed class TimeBuckets(DateTimeOffset start, int capacity)
{
    private readonly List<double[]> _series = new();

    public DateTimeOffset Start { get; } = start;

    public int Capacity { get; } = capacity;

    public int Width { get; private set; } = 1;

    /// <summary>Buckets in use: one past the latest that was written or reached.</summary>
    public int Count { get; private set; }

    public double[] NewSeries()
    {
        var series = new double[Capacity];
        _series.Add(series);
        return series;
    }

    /// <summary>The bucket <paramref name="at"/> falls in, merging buckets first when it lies past the last one.</summary>
    public int IndexOf(DateTimeOffset at)
    {
        var seconds = Math.Max(0, (at - Start).TotalSeconds);
        var index = (int)Math.Min(int.MaxValue / 2, seconds / Width);
        while (index >= Capacity)
        {
            Halve();
            index /= 2;
        }
        Count = Math.Max(Count, index + 1);
        return index;
    }

    public DateTimeOffset StartOf(int index) => Start + TimeSpan.FromSeconds((double)index * Width);

    /// <summary>The first <see cref="Count"/> values of a series, as <paramref name="map"/> turns them.</summary>
    public double[] Used(double[] series, Func<double, int, double>? map = null)
    {
        var used = new double[Count];
        for (var i = 0; i < Count; i++) used[i] = map is null ? series[i] : map(series[i], i);
        return used;
    }

    private void Halve()
    {
        foreach (var series in _series)
        {
            for (var i = 0; i < Capacity / 2; i++) series[i] = series[2 * i] + series[2 * i + 1];
            Array.Clear(series, Capacity / 2, Capacity - Capacity / 2);
        }
        Width *= 2;
        Count = (Count + 1) / 2;
    }
}
