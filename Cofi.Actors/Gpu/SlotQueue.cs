namespace Cofi.Actors.Gpu;

/// <summary>
/// One machine's slots for one stage, shared by every running batch. A call runs only while it holds a slot;
/// calls waiting for one are granted in order of their batch's priority (higher first), then by fair share
/// among equal priorities (the batch using the fewest slots for its weight), then first come first served.
/// A call already running is never taken back. Pure: the machine's actor carries out what it decides.
/// </summary>
public sealed class SlotQueue<T>
{
    private readonly List<Queued> _waiting = new();
    private readonly Dictionary<long, int> _inUse = new();
    private readonly Dictionary<long, (int Priority, double Weight)> _batches = new();
    private long _arrivals;

    public SlotQueue(int slots) => Slots = slots;

    public int Slots { get; }

    public int Busy { get; private set; }

    public int Waiting => _waiting.Count;

    public int InUseBy(long batchId) => _inUse.GetValueOrDefault(batchId);

    /// <summary>A batch's priority and weight: its waiting calls are ranked again by them.</summary>
    public void Rank(long batchId, int priority, double weight) => _batches[batchId] = (priority, weight > 0 ? weight : 1);

    /// <summary>A call of <paramref name="batchId"/> wants a slot: true when it may run now, else it waits its turn.</summary>
    public bool Request(long batchId, T call)
    {
        if (!_batches.ContainsKey(batchId)) Rank(batchId, 0, 1);
        if (Busy < Slots && _waiting.Count == 0)
        {
            Take(batchId);
            return true;
        }
        _waiting.Add(new Queued(batchId, call, _arrivals++));
        return false;
    }

    /// <summary>A call of <paramref name="batchId"/> ended: its slot goes to the next call in turn, if one waits.</summary>
    public IReadOnlyList<(long BatchId, T Call)> Release(long batchId)
    {
        if (_inUse.TryGetValue(batchId, out var used) && used > 0)
        {
            _inUse[batchId] = used - 1;
            Busy--;
        }
        return GrantFree();
    }

    /// <summary>Calls waiting that <paramref name="drop"/> picks leave the queue without running (their worker is gone).</summary>
    public IReadOnlyList<T> Withdraw(Func<T, bool> drop)
    {
        var dropped = _waiting.Where(w => drop(w.Call)).ToList();
        _waiting.RemoveAll(w => drop(w.Call));
        return dropped.Select(w => w.Call).ToList();
    }

    private IReadOnlyList<(long BatchId, T Call)> GrantFree()
    {
        var granted = new List<(long, T)>();
        while (Busy < Slots && _waiting.Count > 0)
        {
            var next = _waiting.OrderByDescending(w => _batches[w.BatchId].Priority)
                .ThenBy(w => InUseBy(w.BatchId) / _batches[w.BatchId].Weight)
                .ThenBy(w => w.Arrival)
                .First();
            _waiting.Remove(next);
            Take(next.BatchId);
            granted.Add((next.BatchId, next.Call));
        }
        return granted;
    }

    private void Take(long batchId)
    {
        _inUse[batchId] = InUseBy(batchId) + 1;
        Busy++;
    }

    private sealed record Queued(long BatchId, T Call, long Arrival);
}
