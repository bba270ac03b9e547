using Cofi.Actors.Configuration;

namespace Cofi.Actors.Stages;

/// <summary>
/// A stage's speculative attempts: how long a call may run before it gets a backup attempt on another machine (a
/// configured time, or 3 × the p95 of the stage's recent call times and at least <see cref="Floor"/>), and whether
/// the stage may still make one (<see cref="SpeculationSettings.MaxShare"/> of its calls, at least one).
/// </summary>
internal sealed class Speculation(SpeculationSettings settings)
{
    public static readonly TimeSpan Floor = TimeSpan.FromSeconds(2);

    /// <summary>Call times kept for the p95, and how many must be known before it is used.</summary>
    private const int Window = 512;
    private const int Basis = 20;

    private readonly long[] _times = new long[Window];
    private int _known;
    private int _next;
    // The p95 as last worked out, and the call times taken since (it is worked out again every RecomputeEvery).
    private long? _p95;
    private int _sinceP95;
    private const int RecomputeEvery = 32;

    public int Backups { get; private set; }

    /// <summary>How long a call runs before it gets a backup; null while too few calls have finished to say.</summary>
    public TimeSpan? After
    {
        get
        {
            if (settings.After is { } configured) return configured;
            if (_known < Basis) return null;
            if (_p95 is null || _sinceP95 >= RecomputeEvery)
            {
                var sorted = _times.Take(_known).Order().ToArray();
                _p95 = sorted[(int)Math.Ceiling(0.95 * sorted.Length) - 1];
                _sinceP95 = 0;
            }
            return TimeSpan.FromMilliseconds(Math.Max(Floor.TotalMilliseconds, 3.0 * _p95.Value));
        }
    }

    /// <param name="calls">the calls the stage has made, backups included</param>
    public bool MayBackUp(int calls) => Backups < Math.Max(1, (int)(settings.MaxShare * calls));

    public void BackedUp() => Backups++;

    /// <summary>A call that completed, and how long it took.</summary>
    public void Took(long durationMs)
    {
        _times[_next] = durationMs;
        _next = (_next + 1) % Window;
        _known = Math.Min(_known + 1, Window);
        _sinceP95++;
    }
}
