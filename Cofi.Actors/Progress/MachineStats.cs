using Cofi.Actors.Files;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Progress;

/// <summary>Per GPU machine: slots busy as each stage last reported them, files done over the last minute, errors.</summary>
internal sealed class MachineStats
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private sealed class Machine
    {
        public readonly Dictionary<(long Batch, string Stage), int> Busy = new();
        public readonly Queue<(DateTimeOffset At, int Files)> Recent = new();
        public long Done;
        public long Errors;
    }

    private readonly SortedDictionary<string, Machine> _machines = new(StringComparer.Ordinal);

    public void Add(StageProgress progress)
    {
        var key = (progress.Counts.BatchId, progress.Counts.Stage);
        foreach (var machine in _machines.Values) machine.Busy.Remove(key);
        if (progress.BusyByMachine is { } busy)
            foreach (var (name, slots) in busy) For(name).Busy[key] = slots;
        if (progress.Recorded is not { } recorded) return;
        foreach (var group in recorded.Where(r => r.Machine is not null && r.Machine != "coordinator").GroupBy(r => r.Machine!))
        {
            var machine = For(group.Key);
            var done = group.Count(r => r.Status == FileStatus.Done);
            machine.Done += done;
            machine.Errors += group.Count(r => r.Status == FileStatus.Failed);
            if (done > 0) machine.Recent.Enqueue((progress.At, done));
        }
    }

    public IReadOnlyList<MachineLoad> Loads(DateTimeOffset now) => _machines.Select(m =>
    {
        while (m.Value.Recent.TryPeek(out var oldest) && now - oldest.At > Window) m.Value.Recent.Dequeue();
        var byStage = m.Value.Busy.GroupBy(b => b.Key.Stage).ToDictionary(g => g.Key, g => g.Sum(b => b.Value));
        return new MachineLoad(m.Key, byStage, byStage.Values.Sum(), m.Value.Recent.Sum(r => r.Files), m.Value.Done, m.Value.Errors);
    }).ToList();

    private Machine For(string name)
    {
        if (!_machines.TryGetValue(name, out var machine)) _machines[name] = machine = new Machine();
        return machine;
    }
}
