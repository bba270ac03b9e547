using Akka.Actor;

namespace Cofi.Actors.Stages;

/// <summary>
/// Free slots that workers have offered a stage. Work goes round the workers in turn, so a fast machine,
/// which hands slots back sooner, takes more, and a machine that just joined starts at once.
/// </summary>
internal sealed class WorkerCredits
{
    private readonly Dictionary<IActorRef, (string Machine, int Free)> _workers = new();
    private readonly List<IActorRef> _order = new();
    private int _next;

    public bool Knows(IActorRef worker) => _workers.ContainsKey(worker);

    public IReadOnlyList<IActorRef> All => _order;

    public void Offer(IActorRef worker, string machine, int slots)
    {
        if (_workers.TryGetValue(worker, out var entry)) _workers[worker] = (machine, entry.Free + slots);
        else
        {
            _workers[worker] = (machine, slots);
            _order.Add(worker);
        }
    }

    public void Remove(IActorRef worker)
    {
        _workers.Remove(worker);
        _order.Remove(worker);
    }

    public bool TryTake(out IActorRef worker, out string machine)
    {
        for (var i = 0; i < _order.Count; i++)
        {
            var candidate = _order[(_next + i) % _order.Count];
            var (m, free) = _workers[candidate];
            if (free <= 0) continue;
            _workers[candidate] = (m, free - 1);
            _next = (_next + i + 1) % _order.Count;
            worker = candidate;
            machine = m;
            return true;
        }
        worker = ActorRefs.Nobody;
        machine = "";
        return false;
    }
}
