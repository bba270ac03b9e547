using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Files;
using Cofi.Actors.Gpu;
using Cofi.Actors.Logging;
using Cofi.Actors.Metrics;
using Cofi.Actors.Persistence;

namespace Cofi.Actors.Stages;

/// <summary>
/// One stage of one batch. Records each file's outcome here exactly once (persisted in groups before anything
/// is handed on), queues the files the previous stage hands on, and gives them to workers that offer free
/// slots — GPU machines' workers for <c>gpu</c> stages, its own executor lane for the others. When the process
/// stops, a hold ends the handing out and is answered once the calls in flight are back and recorded.
/// </summary>
public sealed class StageActor : ReceivePersistentActor, IWithTimers
{
    private sealed record FlushTick
    {
        public static readonly FlushTick Instance = new();
    }

    private sealed record RetryTick
    {
        public static readonly RetryTick Instance = new();
    }

    private sealed record InFlight(IActorRef? Worker, int Attempt, string Machine);

    private readonly long _batchId;
    private readonly StageSettings _stage;
    private readonly PipelineMode _mode;
    private readonly RecordingSettings _persistence;
    private readonly IActorRef? _next;
    private readonly IActorRef _supervisor;
    private readonly IStageExecutor? _localExecutor;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CofiMetrics _metrics = CofiMetrics.Get(Context.System);

    private StageState _state = StageState.Empty;
    private readonly DispatchQueue _queue = new();
    private readonly WorkerCredits _workers = new();
    private readonly Dictionary<int, InFlight> _inFlight = new();
    private readonly List<FileRecord> _unrecorded = new();
    private readonly HashSet<int> _unrecordedIds = new();
    // Attempts made at each unsettled file so far, kept with its record as its history.
    private readonly Dictionary<int, List<AttemptRecord>> _attempts = new();
    // The machine a file last failed on: its retry goes to another machine where one takes work.
    private readonly Dictionary<int, string> _avoid = new();
    private readonly CancellationTokenSource _shutdown = new();
    // Who asked for a hold and waits for the calls in flight to be back and recorded.
    private readonly List<IActorRef> _holders = new();
    private readonly SnapshotPolicy _snapshots;
    private int _localFree;
    private int? _total;
    private bool _finishAnnounced;
    private bool _paused;
    private bool _held;
    private bool _writerBehind;

    public StageActor(long batchId, StageSettings stage, PipelineMode mode, RecordingSettings persistence,
        IActorRef? next, IActorRef supervisor, IExecutorProvider executors, TimeProvider clock)
    {
        _batchId = batchId;
        _stage = stage;
        _mode = mode;
        _persistence = persistence;
        _next = next;
        _supervisor = supervisor;
        _clock = clock;
        _snapshots = new SnapshotPolicy(persistence.SnapshotEvery);
        if (!stage.RunsOnGpuMachines)
        {
            _localExecutor = executors.For(stage, "coordinator");
            _localFree = stage.Concurrency;
        }

        Recover<SnapshotOffer>(offer =>
        {
            _state = StageState.FromSnapshot((StageSnapshot)offer.Snapshot);
            _snapshots.Taken(offer.Metadata.SequenceNr, _state.Settled);
        });
        Recover<IStageEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            Publish();
            _supervisor.Tell(new StageSignals.Ready(_stage.Name, Counts()));
        });

        Command<StageCommands.Admit>(OnAdmit);
        Command<StageCommands.UpstreamCompleted>(m =>
        {
            _total = m.Total;
            // Sent again after a restart somewhere downstream: announce completion again so it reaches the restarted stage.
            _finishAnnounced = false;
            Dispatch();
            CheckFinished();
        });
        Command<StageCommands.Pull>(m =>
        {
            if (!_workers.Knows(m.Worker)) Context.Watch(m.Worker);
            _workers.Offer(m.Worker, m.Machine, m.Slots);
            Dispatch();
        });
        Command<StageCommands.Report>(m => OnReport(m, Sender.Equals(Self) ? null : Sender));
        Command<StageCommands.Pause>(_ => _paused = true);
        Command<StageCommands.Unpause>(_ =>
        {
            _paused = false;
            Dispatch();
        });
        Command<StageCommands.Hold>(_ =>
        {
            _held = true;
            _holders.Add(Sender);
            Dispatch();
        });
        Command<Terminated>(m => OnWorkerLost(m.ActorRef));
        Command<StageCommands.Withdraw>(m => _workers.Remove(m.Worker));
        Command<StageCommands.Suspend>(m => _workers.Suspend(m.Worker));
        Command<StageCommands.Resume>(m =>
        {
            if (!_workers.Knows(m.Worker)) Context.Watch(m.Worker);
            _workers.Resume(m.Worker, m.Machine, m.Slots);
            Dispatch();
        });
        Command<StageCommands.Requeue>(OnRequeue);
        Command<StageQueries.GetFailed>(_ => Sender.Tell(new StageReplies.FailedFiles(_stage.Name, _state.FailedFileIds)));
        Command<StageCommands.NodeLost>(m =>
        {
            var lost = _workers.All.Concat(_inFlight.Values.Select(f => f.Worker).OfType<IActorRef>())
                .Where(w => w.Path.Address.ToString() == m.Address).Distinct().ToList();
            foreach (var worker in lost) OnWorkerLost(worker);
        });
        Command<FlushTick>(_ => Flush());
        Command<RetryTick>(_ => Dispatch());
        Command<WriterPressure>(m =>
        {
            // The execution log is behind: hand out no new work until it has caught up (calls in flight still finish).
            _writerBehind = m.Behind;
            if (!_writerBehind) Dispatch();
        });
        Command<StageQueries.GetCounts>(_ => Sender.Tell(Counts()));
        Command<SaveSnapshotSuccess>(m =>
            DeleteSnapshots(new SnapshotSelectionCriteria(m.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(m => _log.Warning(m.Cause, "Snapshot of {0} failed; the journal still holds every event", PersistenceId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(m => _log.Warning(m.Cause, "Deleting old snapshots of {0} failed", PersistenceId));
    }

    public static Props Props(long batchId, StageSettings stage, PipelineMode mode, RecordingSettings persistence,
        IActorRef? next, IActorRef supervisor, IExecutorProvider executors, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new StageActor(batchId, stage, mode, persistence, next, supervisor, executors, clock));

    public static string PersistenceIdFor(long batchId, string stage) => $"batch-{batchId}-stage-{stage}";

    public override string PersistenceId => PersistenceIdFor(_batchId, _stage.Name);

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(WriterPressure));
        base.PreStart();
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _shutdown.Cancel();
        _shutdown.Dispose();
        base.PostStop();
    }

    private void OnAdmit(StageCommands.Admit admit)
    {
        var handOn = new List<FileWork>();
        foreach (var file in admit.Files)
        {
            if (_state.Records.TryGetValue(file.FileId, out var record))
            {
                // Settled before a restart: hand it on again so later stages rebuild their queues.
                handOn.Add(StageDecisions.HandOn(_stage.Name, file, record));
                continue;
            }
            if (_queue.Contains(file.FileId)) continue;
            if (!file.IsActive && _stage.Kind != StageKind.Metadata)
            {
                _queue.Track(file);
                Stage(StageDecisions.PassThrough(file, file.Disposition!));
            }
            else _queue.Add(file);
        }
        if (handOn.Count > 0) _next?.Tell(new StageCommands.Admit(handOn));
        Dispatch();
    }

    private void OnReport(StageCommands.Report report, IActorRef? worker)
    {
        if (worker is null) _localFree++;
        // A withdrawn or suspended worker's slot is not handed back; a declined call used none.
        else if (report.Outcome is not CallOutcome.Declined) _workers.Return(worker);
        if (report.Outcome is not CallOutcome.Declined)
            _metrics.CallDuration.Record(report.DurationMs / 1000.0, new("stage", _stage.Name), new("machine", report.Machine),
                new("outcome", CallLabels.Outcome(report.Outcome)));

        if (!_inFlight.TryGetValue(report.FileId, out var flight) || flight.Attempt != report.Attempt)
        {
            Dispatch();
            return;
        }
        _inFlight.Remove(report.FileId);
        var file = _queue.Find(report.FileId);
        if (file is null || _unrecordedIds.Contains(report.FileId) || _state.IsSettled(report.FileId))
        {
            Dispatch();
            return;
        }

        if (report.Outcome is CallOutcome.Declined)
        {
            _avoid[file.FileId] = report.Machine;
            _queue.Decline(file);
            Dispatch();
            return;
        }

        if (!_attempts.TryGetValue(file.FileId, out var history)) _attempts[file.FileId] = history = new List<AttemptRecord>();
        // An executor that went over the wire reports its attempts in detail; otherwise the call was one attempt.
        if (report.Outcome.Attempts.Count > 0) history.AddRange(report.Outcome.Attempts);
        else history.Add(StageDecisions.Attempt(report.Attempt, report.Outcome, report.Machine, report.DurationMs, _clock.GetUtcNow()));
        switch (StageDecisions.Decide(_stage, file, report.Attempt, report.Outcome, report.Machine, report.DurationMs, Random.Shared.NextDouble()))
        {
            case Decision.Record r:
                _attempts.Remove(file.FileId);
                Stage(r.FileRecord with { History = history });
                break;
            case Decision.Retry retry:
                if (report.Outcome is CallOutcome.TransientFailure transient)
                    _metrics.Retries.Add(1, new("stage", _stage.Name), new("cause", CallLabels.Cause(transient)));
                _avoid[file.FileId] = report.Machine;
                _log.Debug("{0}: {1} attempt {2} failed transiently, retrying in {3}", _stage.Name, file.Name, report.Attempt, retry.After);
                _queue.RetryAt(file, _clock.GetUtcNow() + retry.After);
                break;
        }
        Dispatch();
    }

    private void OnWorkerLost(IActorRef worker)
    {
        _workers.Remove(worker);
        foreach (var (fileId, flight) in _inFlight.Where(f => worker.Equals(f.Value.Worker)).ToList())
        {
            _inFlight.Remove(fileId);
            if (_queue.Find(fileId) is { } file) _queue.Requeue(file);
        }
        Dispatch();
    }

    /// <summary>Adds a settled file to the next group to be recorded.</summary>
    private void Stage(FileRecord record)
    {
        if (!_unrecordedIds.Add(record.FileId)) return;
        _unrecorded.Add(record);
        if (_unrecorded.Count >= _persistence.RecordGroupSize) Flush();
        else if (!Timers.IsTimerActive("flush")) Timers.StartSingleTimer("flush", FlushTick.Instance, _persistence.RecordFlushInterval);
    }

    private void Flush()
    {
        Timers.Cancel("flush");
        if (_unrecorded.Count == 0) return;
        var group = _unrecorded.ToArray();
        _unrecorded.Clear();
        var started = _clock.GetTimestamp();
        Persist(new StageEvents.OutcomesRecorded(_batchId, _stage.Name, group, _clock.GetUtcNow()), recorded =>
        {
            _metrics.JournalWriteDuration.Record(_clock.GetElapsedTime(started).TotalSeconds);
            _state = _state.Apply(recorded);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, recorded));
            var handOn = new List<FileWork>(recorded.Records.Count);
            foreach (var record in recorded.Records)
            {
                _unrecordedIds.Remove(record.FileId);
                _avoid.Remove(record.FileId);
                if (_queue.Find(record.FileId) is { } file) handOn.Add(StageDecisions.HandOn(_stage.Name, file, record));
                _queue.Settle(record.FileId);
            }
            if (handOn.Count > 0) _next?.Tell(new StageCommands.Admit(handOn));
            SnapshotIfDue();
            Publish(recorded.Records);
            CheckFinished();
        });
    }

    private void Dispatch()
    {
        if (_held)
        {
            AnswerHold();
            return;
        }
        if (_paused || (_mode == PipelineMode.Barrier && _total is null)) return;
        if (_writerBehind) return;
        var now = _clock.GetUtcNow();
        _queue.ReleaseDueRetries(now);
        if (_localExecutor is null) DispatchToWorkers();
        else DispatchLocally();
        if (_queue.NextRetryDue is { } due)
            Timers.StartSingleTimer("retry", RetryTick.Instance, due - now > TimeSpan.Zero ? due - now : TimeSpan.FromMilliseconds(1));
    }

    private void DispatchToWorkers()
    {
        var unfit = new HashSet<IActorRef>();
        while (_queue.Ready > 0 && _workers.TryTake(unfit, out var worker, out var machine))
        {
            if (!_queue.TryTake(f => Fits(f, machine), out var file, out var attempt))
            {
                // Every ready file last failed on this machine and another machine takes work: leave them for it.
                _workers.Return(worker);
                unfit.Add(worker);
                continue;
            }
            _inFlight[file.FileId] = new InFlight(worker, attempt, machine);
            // Reports go through the backoff supervisor, so they reach this stage even after it was started again.
            worker.Tell(new GpuWorkerCommands.Run(new StageCall(_batchId, _stage.Name, file, attempt, machine), Context.Parent));
        }
    }

    private bool Fits(FileWork file, string machine) =>
        !_avoid.TryGetValue(file.FileId, out var avoided) || avoided != machine || !_workers.HasOtherLive(machine);

    /// <summary>retry-failed: drop these files' failed or skipped records, so that the files handed on again are processed again.</summary>
    private void OnRequeue(StageCommands.Requeue requeue)
    {
        var sender = Sender;
        // A file done here keeps its result; metadata's row is written again, as it sums up every stage.
        var ids = requeue.FileIds
            .Where(id => _state.Records.TryGetValue(id, out var record) && (record.Status != FileStatus.Done || _stage.Kind == StageKind.Metadata))
            .ToList();
        if (ids.Count == 0)
        {
            sender.Tell(new StageReplies.Requeued(_stage.Name, 0));
            return;
        }
        var failed = ids.Count(id => _state.Records[id].Status == FileStatus.Failed);
        Persist(new StageEvents.FilesRequeued(_batchId, _stage.Name, ids, _clock.GetUtcNow(), failed), e =>
        {
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
            _finishAnnounced = false;
            SnapshotIfDue();
            Publish();
            sender.Tell(new StageReplies.Requeued(_stage.Name, ids.Count));
        });
    }

    private void DispatchLocally()
    {
        while (_localFree > 0 && _queue.TryTake(out var file, out var attempt))
        {
            _localFree--;
            _inFlight[file.FileId] = new InFlight(null, attempt, "coordinator");
            var call = new StageCall(_batchId, _stage.Name, file, attempt, "coordinator");
            var started = _clock.GetTimestamp();
            var clock = _clock;
            GuardedCall.RunAsync(_localExecutor!, call, _stage.Timeout, _shutdown.Token).PipeTo(Self, Self, outcome =>
                new StageCommands.Report(call.File.FileId, call.Attempt, outcome, call.Machine, (long)clock.GetElapsedTime(started).TotalMilliseconds));
        }
    }

    /// <summary>A held stage answers once nothing is in flight, after the outcomes not yet recorded are.</summary>
    private void AnswerHold()
    {
        if (_holders.Count == 0 || _inFlight.Count > 0) return;
        Flush();
        var holders = _holders.ToList();
        _holders.Clear();
        // Deferred until the journal has stored what Flush (or an earlier flush) handed it.
        DeferAsync(_stage.Name, stage =>
        {
            foreach (var holder in holders) holder.Tell(new StageReplies.Held(stage));
        });
    }

    private void CheckFinished()
    {
        if (_total is not { } total || _finishAnnounced || _unrecorded.Count > 0 || _state.Settled < total) return;
        if (!_state.Completed)
        {
            Persist(new StageEvents.StageCompleted(_batchId, _stage.Name, _state.Done, _state.Failed, _state.Skipped, _clock.GetUtcNow()), e =>
            {
                _state = _state.Apply(e);
                Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
                Publish();
                AnnounceFinished(total);
            });
            return;
        }
        AnnounceFinished(total);
    }

    private void AnnounceFinished(int total)
    {
        _finishAnnounced = true;
        foreach (var worker in _workers.All) worker.Tell(new GpuWorkerCommands.StageFinished(_stage.Name));
        _next?.Tell(new StageCommands.UpstreamCompleted(total));
        _supervisor.Tell(new StageSignals.Finished(_stage.Name, Counts()));
    }

    private void SnapshotIfDue()
    {
        if (!_snapshots.IsDue(LastSequenceNr, _state.Settled)) return;
        _snapshots.Taken(LastSequenceNr, _state.Settled);
        SaveSnapshot(_state.ToSnapshot());
    }

    private StageCounts Counts() => new(_batchId, _stage.Name, _state.Done, _state.Failed, _state.Skipped,
        _inFlight.Count, _queue.Ready + _queue.Waiting, _total, _state.Completed);

    private void Publish(IReadOnlyList<FileRecord>? recorded = null) => Context.System.EventStream.Publish(new StageProgress(Counts(), _clock.GetUtcNow(),
        recorded, _inFlight.Values.Where(f => f.Worker is not null).GroupBy(f => f.Machine).ToDictionary(g => g.Key, g => g.Count())));
}
