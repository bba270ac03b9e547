namespace Cofi.Actors.Stages;

/// <summary>
/// Free slots that workers have offered a stage. Work goes round the workers in turn, so a fast machine,
/// which hands slots back sooner, takes more, and a machine that just joined starts at once. A suspended
/// worker (its machine's circuit is open) has no free slots, and slots handed back meanwhile are not counted.
/// </summary>
internal sealed class WorkerCredits<TWorker> where TWorker : notnull
{
    private readonly Dictionary<TWorker, (string Machine, int Free)> _workers = new();
    private readonly HashSet<TWorker> _suspended = new();
    private readonly List<TWorker> _order = new();
    private int _next;

    public bool Knows(TWorker worker) => _workers.ContainsKey(worker);

    public IReadOnlyList<TWorker> All => _order;

    public void Offer(TWorker worker, string machine, int slots)
    {
        if (_workers.TryGetValue(worker, out var entry)) _workers[worker] = (machine, entry.Free + slots);
        else
        {
            _workers[worker] = (machine, slots);
            _order.Add(worker);
        }
    }

    /// <summary>A finished call's slot, unless the worker was suspended since.</summary>
    public void Return(TWorker worker)
    {
        if (_suspended.Contains(worker) || !_workers.TryGetValue(worker, out var entry)) return;
        _workers[worker] = (entry.Machine, entry.Free + 1);
    }

    public void Suspend(TWorker worker)
    {
        if (!_workers.TryGetValue(worker, out var entry)) return;
        _suspended.Add(worker);
        _workers[worker] = (entry.Machine, 0);
    }

    /// <summary>The worker takes work again with exactly <paramref name="slots"/> free.</summary>
    public void Resume(TWorker worker, string machine, int slots)
    {
        _suspended.Remove(worker);
        if (_workers.ContainsKey(worker)) _workers[worker] = (machine, slots);
        else Offer(worker, machine, slots);
    }

    /// <summary>Whether a machine other than <paramref name="machine"/> takes work for this stage.</summary>
    public bool HasOtherLive(string machine) =>
        _workers.Any(w => w.Value.Machine != machine && !_suspended.Contains(w.Key));

    public void Remove(TWorker worker)
    {
        _workers.Remove(worker);
        _suspended.Remove(worker);
        _order.Remove(worker);
    }

    /// <summary>A free slot of the next worker in turn, not one of <paramref name="skip"/> nor on machine <paramref name="avoid"/>.</summary>
    public bool TryTake(IReadOnlySet<TWorker> skip, out TWorker worker, out string machine, string? avoid = null)
    {
        for (var i = 0; i < _order.Count; i++)
        {
            var candidate = _order[(_next + i) % _order.Count];
            var (m, free) = _workers[candidate];
            if (free <= 0 || skip.Contains(candidate) || m == avoid) continue;
            _workers[candidate] = (m, free - 1);
            _next = (_next + i + 1) % _order.Count;
            worker = candidate;
            machine = m;
            return true;
        }
        worker = default!;
        machine = "";
        return false;
    }
}
