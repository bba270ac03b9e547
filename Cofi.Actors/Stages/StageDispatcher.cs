using System.Text.Json.Serialization;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;

namespace Cofi.Actors.Stages;

/// <summary>
/// The pure part of handing out a stage's work: the queue of unsettled files, the slots workers offered, the calls
/// in flight, the machine each file should avoid, and each file's attempts so far. It decides which file goes to
/// which worker and what a worker's report means; the stage actor only carries the decisions out and records them.
/// With <see cref="StageSettings.Speculation"/>, a straggling call gets a backup attempt on another machine when
/// nothing else is ready: the first answer settles the file and the other call is to be cancelled (<see cref="TakeCancellations"/>).
/// Workers are whatever identifies them (actor references in the stage, names in the specs).
/// </summary>
internal sealed class StageDispatcher<TWorker> where TWorker : notnull
{
    private readonly StageSettings _stage;
    private readonly DispatchQueue _queue;
    private readonly WorkerCredits<TWorker> _workers = new();
    private readonly Dictionary<int, Flight> _inFlight = new();
    // The backup attempt of a straggling file, beside its call in _inFlight.
    private readonly Dictionary<int, Flight> _backups = new();
    private readonly Speculation? _speculation;
    private static readonly IReadOnlySet<TWorker> NoWorker = new HashSet<TWorker>();
    private readonly List<Cancellation> _cancellations = new();
    // Attempts made at each unsettled file so far, kept with its record as its history.
    private readonly Dictionary<int, List<AttemptRecord>> _history = new();
    // The machine a file last failed on: its retry goes to another machine where one takes work.
    private readonly Dictionary<int, string> _avoid = new();
    // The machines where a file's call hung or dropped the connection: at quarantine-after of them, it is quarantined.
    private readonly Dictionary<int, HashSet<string>> _hazards = new();
    private int _calls;

    public StageDispatcher(StageSettings stage)
    {
        _stage = stage;
        _queue = new DispatchQueue(stage.Order);
        _speculation = stage.Speculation is { } speculation ? new Speculation(speculation) : null;
    }

    /// <summary>Calls in flight, backup attempts included.</summary>
    public int InFlight => _inFlight.Count + _backups.Count;

    /// <summary>Backup attempts made so far, and the calls made in all (backups included), with or without speculation.</summary>
    public (int Backups, int Calls) Speculated => (_speculation?.Backups ?? 0, _calls);

    /// <summary>Files waiting here: ready to go or waiting for a retry (not those in flight).</summary>
    public int Queued => _queue.Ready + _queue.Waiting;

    public DateTimeOffset? NextRetryDue => _queue.NextRetryDue;

    public bool Knows(int fileId) => _queue.Contains(fileId);

    /// <summary>The name of a file known here; null for one that is not.</summary>
    public string? NameOf(int fileId) => _queue.Find(fileId)?.Name;

    /// <summary>A file to be called here.</summary>
    public void Enqueue(FileWork file) => _queue.Add(file);

    /// <summary>A file known here until recorded, settled without a call (it stopped upstream).</summary>
    public void Track(FileWork file) => _queue.Track(file);

    public bool KnowsWorker(TWorker worker) => _workers.Knows(worker);

    public IReadOnlyList<TWorker> Workers => _workers.All;

    /// <summary>Every worker that offered slots or has a call in flight and matches <paramref name="where"/>.</summary>
    public IReadOnlyList<TWorker> WorkersWhere(Func<TWorker, bool> where) =>
        _workers.All.Concat(_inFlight.Values.Concat(_backups.Values).Select(f => f.Worker)).Where(where).Distinct().ToList();

    public void Offer(TWorker worker, string machine, int slots) => _workers.Offer(worker, machine, slots);

    public void Suspend(TWorker worker) => _workers.Suspend(worker);

    public void Resume(TWorker worker, string machine, int slots) => _workers.Resume(worker, machine, slots);

    /// <summary>A draining worker offers no more slots; its calls in flight still report.</summary>
    public void Withdraw(TWorker worker) => _workers.Remove(worker);

    /// <summary>A worker that is gone: its calls in flight go back to the front of the queue, unless a backup attempt goes on.</summary>
    public void Lose(TWorker worker)
    {
        _workers.Remove(worker);
        foreach (var (fileId, _) in _backups.Where(f => worker.Equals(f.Value.Worker)).ToList()) _backups.Remove(fileId);
        foreach (var (fileId, _) in _inFlight.Where(f => worker.Equals(f.Value.Worker)).ToList())
        {
            _inFlight.Remove(fileId);
            if (_backups.Remove(fileId, out var backup)) _inFlight[fileId] = backup;
            else if (_queue.Find(fileId) is { } file) _queue.Requeue(file);
        }
    }

    /// <summary>Hands ready files to free slots, round the workers, keeping a retried file off the machine it failed on while another takes work.</summary>
    public IReadOnlyList<Assignment> Assign(DateTimeOffset now)
    {
        _queue.ReleaseDueRetries(now);
        var assigned = new List<Assignment>();
        var unfit = new HashSet<TWorker>();
        while (_queue.Ready > 0 && _workers.TryTake(unfit, out var worker, out var machine))
        {
            if (!_queue.TryTake(f => Fits(f, machine), out var file, out var attempt))
            {
                // Every ready file last failed on this machine and another machine takes work: leave them for it.
                _workers.Return(worker);
                unfit.Add(worker);
                continue;
            }
            _inFlight[file.FileId] = new Flight(worker, attempt, machine, now);
            _calls++;
            assigned.Add(new Assignment(worker, file, attempt, machine));
        }
        if (_queue.Ready == 0) BackUpStragglers(now, assigned);
        return assigned;
    }

    /// <summary>With slots free and nothing ready: the calls running longest past the stage's limit get a backup attempt on another machine.</summary>
    private void BackUpStragglers(DateTimeOffset now, List<Assignment> assigned)
    {
        if (_speculation is not { After: { } after } speculation) return;
        var stragglers = _inFlight
            .Where(f => !_backups.ContainsKey(f.Key) && now - f.Value.Started >= after)
            .OrderBy(f => f.Value.Started)
            .ToList();
        foreach (var (fileId, flight) in stragglers)
        {
            if (!speculation.MayBackUp(_calls) || _queue.Find(fileId) is not { } file) return;
            if (!_workers.TryTake(NoWorker, out var worker, out var machine, avoid: flight.Machine)) return;
            var attempt = _queue.NextAttempt(fileId);
            _backups[fileId] = new Flight(worker, attempt, machine, now);
            _calls++;
            speculation.BackedUp();
            assigned.Add(new Assignment(worker, file, attempt, machine, BackupOf: flight.Attempt));
        }
    }

    /// <summary>The calls to cancel because another attempt at their file answered first; taken once.</summary>
    public IReadOnlyList<Cancellation> TakeCancellations()
    {
        if (_cancellations.Count == 0) return [];
        var taken = _cancellations.ToList();
        _cancellations.Clear();
        return taken;
    }

    /// <summary>
    /// A worker's report of one call. The slot comes back (unless the call was declined, which used none); the
    /// verdict says whether the file is settled, tried again later, or whether the report no longer matters.
    /// </summary>
    /// <param name="settled">whether the file is already settled here, or waiting to be recorded</param>
    public ReportVerdict Report(TWorker worker, StageCommands.Report report, Func<int, bool> settled, DateTimeOffset now, double jitter01)
    {
        if (report.Outcome is not CallOutcome.Declined) _workers.Return(worker);
        // The call that reported leaves; a backup attempt still running at the file becomes its call.
        Flight? other;
        if (_inFlight.TryGetValue(report.FileId, out var flight) && flight.Attempt == report.Attempt)
        {
            _inFlight.Remove(report.FileId);
            if (_backups.Remove(report.FileId, out other)) _inFlight[report.FileId] = other;
        }
        else if (_backups.TryGetValue(report.FileId, out var backup) && backup.Attempt == report.Attempt)
        {
            _backups.Remove(report.FileId);
            other = _inFlight[report.FileId];
        }
        else return ReportVerdict.Stale.Instance;
        if (_queue.Find(report.FileId) is not { } file || settled(report.FileId)) return ReportVerdict.Stale.Instance;

        if (report.Outcome is CallOutcome.Superseded)
        {
            // Cancelled while still the file's call: nothing answered for it, so it goes out again.
            if (other is null) _queue.Requeue(file);
            return ReportVerdict.Stale.Instance;
        }
        if (report.Outcome is CallOutcome.Declined && other is not null) return ReportVerdict.Stale.Instance;
        if (report.Outcome is CallOutcome.Declined)
        {
            _avoid[file.FileId] = report.Machine;
            _queue.Decline(file);
            return ReportVerdict.Declined.Instance;
        }

        if (!_history.TryGetValue(file.FileId, out var history)) _history[file.FileId] = history = new List<AttemptRecord>();
        // An executor that went over the wire reports its attempts in detail; otherwise the call was one attempt.
        if (report.Outcome.Attempts.Count > 0) history.AddRange(report.Outcome.Attempts);
        else history.Add(StageDecisions.Attempt(report.Attempt, report.Outcome, report.Machine, report.DurationMs, now));
        if (report.Outcome is CallOutcome.Completed) _speculation?.Took(report.DurationMs);
        if (Quarantines(file, report) is { } quarantined)
        {
            if (other is not null) Supersede(file.FileId, other, report, history, now);
            _history.Remove(file.FileId);
            return new ReportVerdict.Record(quarantined with { History = history });
        }
        // A failed attempt while the file's other attempt still runs: that one may yet answer.
        if (other is not null && report.Outcome is CallOutcome.TransientFailure) return ReportVerdict.Stale.Instance;
        switch (StageDecisions.Decide(_stage, file, report.Attempt, report.Outcome, report.Machine, report.DurationMs, jitter01))
        {
            case Decision.Record r:
                if (other is not null) Supersede(file.FileId, other, report, history, now);
                _history.Remove(file.FileId);
                return new ReportVerdict.Record(r.FileRecord with { History = history });
            case Decision.Retry retry:
                _avoid[file.FileId] = report.Machine;
                _queue.RetryAt(file, now + retry.After);
                return new ReportVerdict.Retry(file, retry.After);
            default:
                throw new InvalidOperationException("unknown decision");
        }
    }

    /// <summary>The file's record is in the journal: it leaves this stage, and is returned to be handed on.</summary>
    public FileWork? Settle(int fileId)
    {
        _avoid.Remove(fileId);
        _hazards.Remove(fileId);
        var file = _queue.Find(fileId);
        _queue.Settle(fileId);
        return file;
    }

    /// <summary>
    /// The machines' slots busy with this stage's calls. A worker keeps one call waiting at its machine beside those
    /// running, so a machine may hold one call more than it has slots: that one is not in a slot.
    /// </summary>
    public IReadOnlyDictionary<string, int> BusyByMachine() =>
        _inFlight.Values.Concat(_backups.Values).GroupBy(f => f.Machine).ToDictionary(g => g.Key, g => Math.Min(g.Count(), _stage.Slots));

    /// <summary>The calls in flight, the longest running first, with whether each is a backup or has one.</summary>
    public IReadOnlyList<RunningCall> Running(DateTimeOffset now) =>
        _inFlight.Select(f => new RunningCall(f.Key, f.Value.Attempt, f.Value.Machine, f.Value.Started, _backups.ContainsKey(f.Key) ? SpeculationState.BackedUp : SpeculationState.None))
            .Concat(_backups.Select(f => new RunningCall(f.Key, f.Value.Attempt, f.Value.Machine, f.Value.Started, SpeculationState.Backup)))
            .OrderBy(c => c.Started)
            .ToList();

    /// <summary>The file's other call answered first: it is cancelled and kept in the file's history as superseded.</summary>
    private void Supersede(int fileId, Flight other, StageCommands.Report winner, List<AttemptRecord> history, DateTimeOffset now)
    {
        _inFlight.Remove(fileId);
        _cancellations.Add(new Cancellation(other.Worker, fileId, other.Attempt));
        history.Add(new AttemptRecord(other.Attempt, other.Machine, AttemptOutcome.Superseded,
            $"superseded: attempt {winner.Attempt} on {winner.Machine} answered first", (long)(now - other.Started).TotalMilliseconds, now));
    }

    private FileRecord? Quarantines(FileWork file, StageCommands.Report report)
    {
        if (_stage.QuarantineAfter == 0 || report.Outcome is not CallOutcome.TransientFailure failure || !StageDecisions.IsFileHazard(failure)) return null;
        if (!_hazards.TryGetValue(file.FileId, out var machines)) _hazards[file.FileId] = machines = new HashSet<string>();
        machines.Add(report.Machine);
        return machines.Count < _stage.QuarantineAfter ? null
            : StageDecisions.Quarantine(file, report.Attempt, machines.Order().ToList(), report.Machine, report.DurationMs, failure.Reason);
    }

    private bool Fits(FileWork file, string machine) =>
        !_avoid.TryGetValue(file.FileId, out var avoided) || avoided != machine || !_workers.HasOtherLive(machine);

    private sealed record Flight(TWorker Worker, int Attempt, string Machine, DateTimeOffset Started);

    /// <summary>One call to make: <see cref="File"/>'s attempt number <see cref="Attempt"/> on <see cref="Worker"/>; a backup of attempt <see cref="BackupOf"/> when set.</summary>
    public sealed record Assignment(TWorker Worker, FileWork File, int Attempt, string Machine, int? BackupOf = null);

    /// <summary>A call to cancel: another attempt at its file answered first.</summary>
    public sealed record Cancellation(TWorker Worker, int FileId, int Attempt);
}

/// <summary>A call in flight at a stage: its file, attempt, machine, since when, and its part in speculation.</summary>
public sealed record RunningCall(int FileId, int Attempt, string Machine, DateTimeOffset Started, SpeculationState Speculation);

/// <summary>A running call's part in speculation: none, it has a backup attempt, or it is the backup.</summary>
public enum SpeculationState
{
    None,
    [JsonStringEnumMemberName("backed-up")]
    BackedUp,
    Backup,
}

/// <summary>What a worker's report means for its file.</summary>
internal abstract record ReportVerdict
{
    /// <summary>The call was superseded (the file was requeued, retried or settled meanwhile): nothing to do.</summary>
    public sealed record Stale : ReportVerdict
    {
        public static readonly Stale Instance = new();
    }

    /// <summary>The worker declined the call without attempting it: the file goes back first, to another machine if one takes work.</summary>
    public sealed record Declined : ReportVerdict
    {
        public static readonly Declined Instance = new();
    }

    /// <summary>The file is settled here: record it.</summary>
    public sealed record Record(FileRecord FileRecord) : ReportVerdict;

    /// <summary>The call failed transiently: the file is tried again after <see cref="After"/>.</summary>
    public sealed record Retry(FileWork File, TimeSpan After) : ReportVerdict;
}
