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
/// slots — GPU machines' workers for <c>gpu</c> stages, its own <see cref="LocalWorker"/> for the others. What goes
/// where is decided by its <see cref="StageDispatcher{TWorker}"/>; the actor persists, applies and tells. When the
/// process stops, a hold ends the handing out and is answered once the calls in flight are back and recorded.
/// </summary>
public sealed class StageActor : ReceivePersistentActor, IWithTimers
{
    private sealed record FlushTick
    {
        public static readonly FlushTick Instance = new();
    }

    /// <summary>How often a stage with speculative attempts looks for stragglers while calls are in flight.</summary>
    private static readonly TimeSpan SpeculationCheck = TimeSpan.FromMilliseconds(250);

    private sealed record RetryTick
    {
        public static readonly RetryTick Instance = new();
    }

    private readonly long _batchId;
    private readonly StageSettings _stage;
    private readonly PipelineMode _mode;
    private readonly RecordingSettings _persistence;
    private readonly IActorRef? _next;
    private readonly IActorRef _supervisor;
    private readonly IExecutorProvider _executors;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CofiMetrics _metrics = CofiMetrics.Get(Context.System);
    private readonly StageDispatcher<IActorRef> _dispatcher;
    private readonly OutcomeBuffer _outcomes = new();
    private readonly SnapshotPolicy _snapshots;
    // Who asked for a hold and waits for the calls in flight to be back and recorded.
    private readonly List<IActorRef> _holders = new();

    private StageState _state;
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
        _executors = executors;
        _clock = clock;
        _dispatcher = new StageDispatcher<IActorRef>(stage);
        _state = StageState.For(handsOn: next is not null);
        _snapshots = new SnapshotPolicy(persistence.SnapshotEvery, persistence.SnapshotPhase);

        Recover<SnapshotOffer>(offer =>
        {
            _state = StageState.FromSnapshot((StageSnapshot)offer.Snapshot, handsOn: _next is not null);
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
            if (!_dispatcher.KnowsWorker(m.Worker)) Context.Watch(m.Worker);
            _dispatcher.Offer(m.Worker, m.Machine, m.Slots);
            Dispatch();
        });
        Command<StageCommands.Report>(m => OnReport(m, Sender));
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
        Command<StageCommands.Withdraw>(m => _dispatcher.Withdraw(m.Worker));
        Command<StageCommands.Suspend>(m => _dispatcher.Suspend(m.Worker));
        Command<StageCommands.Resume>(m =>
        {
            if (!_dispatcher.KnowsWorker(m.Worker)) Context.Watch(m.Worker);
            _dispatcher.Resume(m.Worker, m.Machine, m.Slots);
            Dispatch();
        });
        Command<StageCommands.Requeue>(OnRequeue);
        Command<StageQueries.GetFailed>(m => Sender.Tell(new StageReplies.FailedFiles(_stage.Name, _state.FailedFileIds(m.IncludeQuarantined))));
        Command<StageCommands.NodeLost>(m =>
        {
            foreach (var worker in _dispatcher.WorkersWhere(w => w.Path.Address.ToString() == m.Address)) OnWorkerLost(worker);
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
        Command<StageQueries.GetStragglers>(m => Sender.Tell(Stragglers(m.Limit)));
        Command<SaveSnapshotSuccess>(m =>
            DeleteSnapshots(new SnapshotSelectionCriteria(m.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(m => _log.Warning(m.Cause, "Snapshot of {0} failed; the journal still holds every event", PersistenceId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(m => _log.Warning(m.Cause, "Deleting old snapshots of {0} failed", PersistenceId));
    }

    public static Props Props(long batchId, StageSettings stage, PipelineMode mode, RecordingSettings persistence,
        IActorRef? next, IActorRef supervisor, IExecutorProvider executors, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new StageActor(batchId, stage, mode, persistence, next, supervisor, executors, clock));

    public override string PersistenceId => PersistenceIds.Stage(_batchId, _stage.Name);

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(WriterPressure));
        // The stages that run on the coordinator are served by a worker of their own, exactly as GPU machines serve theirs.
        if (!_stage.RunsOnGpuMachines) Context.ActorOf(LocalWorker.Props(_stage, _executors, _clock), "local-worker");
        base.PreStart();
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
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
            if (_dispatcher.Knows(file.FileId)) continue;
            if (!file.IsActive && _stage.Kind != StageKind.Metadata)
            {
                _dispatcher.Track(file);
                Stage(StageDecisions.PassThrough(file, file.Disposition!));
            }
            else _dispatcher.Enqueue(file);
        }
        if (handOn.Count > 0) _next?.Tell(new StageCommands.Admit(handOn));
        Dispatch();
    }

    private void OnReport(StageCommands.Report report, IActorRef worker)
    {
        if (report.Outcome is not CallOutcome.Declined)
            _metrics.CallDuration.Record(report.DurationMs / 1000.0, new("stage", _stage.Name), new("machine", report.Machine),
                new("outcome", CallLabels.Outcome(report.Outcome)));
        var verdict = _dispatcher.Report(worker, report, id => _outcomes.IsPending(id) || _state.IsSettled(id), _clock.GetUtcNow(), Random.Shared.NextDouble());
        foreach (var cancel in _dispatcher.TakeCancellations())
            cancel.Worker.Tell(new GpuWorkerCommands.Cancel(_stage.Name, cancel.FileId, cancel.Attempt));
        switch (verdict)
        {
            case ReportVerdict.Record r:
                Stage(r.FileRecord);
                break;
            case ReportVerdict.Retry retry:
                if (report.Outcome is CallOutcome.TransientFailure transient)
                    _metrics.Retries.Add(1, new("stage", _stage.Name), new("cause", CallLabels.Cause(transient)));
                _log.Debug("{0}: {1} attempt {2} failed transiently, retrying in {3}", _stage.Name, retry.File.Name, report.Attempt, retry.After);
                break;
        }
        Dispatch();
    }

    private void OnWorkerLost(IActorRef worker)
    {
        _dispatcher.Lose(worker);
        Dispatch();
    }

    /// <summary>Adds a settled file to the next group to be recorded.</summary>
    private void Stage(FileRecord record)
    {
        if (!_outcomes.Stage(record)) return;
        if (_outcomes.Staged >= _persistence.RecordGroupSize) Flush();
        else if (!Timers.IsTimerActive("flush")) Timers.StartSingleTimer("flush", FlushTick.Instance, _persistence.RecordFlushInterval);
    }

    private void Flush()
    {
        Timers.Cancel("flush");
        // A group too large for one event is written as several, in order.
        while (_outcomes.Staged > 0) Record(_outcomes.TakeGroup(_persistence.MaxEventBytes));
    }

    private void Record(IReadOnlyList<FileRecord> group)
    {
        var started = _clock.GetTimestamp();
        Persist(new StageEvents.OutcomesRecorded(_batchId, _stage.Name, group, _clock.GetUtcNow()), recorded =>
        {
            _metrics.JournalWriteDuration.Record(_clock.GetElapsedTime(started).TotalSeconds);
            _state = _state.Apply(recorded);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, recorded));
            var handOn = new List<FileWork>(recorded.Records.Count);
            foreach (var record in recorded.Records)
            {
                _outcomes.Stored(record.FileId);
                if (_dispatcher.Settle(record.FileId) is { } file) handOn.Add(StageDecisions.HandOn(_stage.Name, file, record));
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
        if (_paused || _writerBehind || (_mode == PipelineMode.Barrier && _total is null)) return;
        var now = _clock.GetUtcNow();
        foreach (var call in _dispatcher.Assign(now))
        {
            if (call.BackupOf is { } backedUp)
            {
                _log.Info("{0}: {1} attempt {2} runs long on its machine; backup attempt {3} on {4}", _stage.Name, call.File.Name, backedUp, call.Attempt, call.Machine);
                _metrics.BackupAttempts.Add(1, new KeyValuePair<string, object?>("stage", _stage.Name));
            }
            // Reports go through the backoff supervisor, so they reach this stage even after it was started again.
            call.Worker.Tell(new GpuWorkerCommands.Run(new StageCall(_batchId, _stage.Name, call.File, call.Attempt, call.Machine), Context.Parent));
        }
        if (_dispatcher.NextRetryDue is { } due)
            Timers.StartSingleTimer("retry", RetryTick.Instance, due - now > TimeSpan.Zero ? due - now : TimeSpan.FromMilliseconds(1));
        // A call may become a straggler while nothing else happens at the stage: look again shortly.
        if (_stage.Speculation is not null && _dispatcher.InFlight > 0 && !Timers.IsTimerActive("speculate"))
            Timers.StartSingleTimer("speculate", RetryTick.Instance, SpeculationCheck);
    }

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

    /// <summary>A held stage answers once nothing is in flight, after the outcomes not yet recorded are.</summary>
    private void AnswerHold()
    {
        if (_holders.Count == 0 || _dispatcher.InFlight > 0) return;
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
        if (_total is not { } total || _finishAnnounced || _outcomes.Staged > 0 || _state.Settled < total) return;
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
        foreach (var worker in _dispatcher.Workers) worker.Tell(new GpuWorkerCommands.StageFinished(_stage.Name));
        _next?.Tell(new StageCommands.UpstreamCompleted(total));
        _supervisor.Tell(new StageSignals.Finished(_stage.Name, Counts()));
    }

    private void SnapshotIfDue()
    {
        if (!_snapshots.IsDue(LastSequenceNr, _state.Settled)) return;
        _snapshots.Taken(LastSequenceNr, _state.Settled);
        SaveSnapshot(_state.ToSnapshot());
    }

    private StageReplies.Stragglers Stragglers(int limit)
    {
        var now = _clock.GetUtcNow();
        var (backups, calls) = _dispatcher.Speculated;
        return new StageReplies.Stragglers(new StageSpeculation(_stage.Name, backups, calls), _dispatcher.Running(now).Take(limit)
            .Select(c => new Straggler(_stage.Name, c.FileId, _dispatcher.NameOf(c.FileId) ?? "", c.Attempt, c.Machine, c.Started,
                (long)(now - c.Started).TotalMilliseconds, c.Speculation))
            .ToList());
    }

    private StageCounts Counts() => new(_batchId, _stage.Name, _state.Done, _state.Failed, _state.Skipped,
        _dispatcher.InFlight, _dispatcher.Queued, _total, _state.Completed);

    private void Publish(IReadOnlyList<FileRecord>? recorded = null)
    {
        var counts = Counts();
        _supervisor.Tell(new StageSignals.Progress(counts));
        Context.System.EventStream.Publish(new StageProgress(counts, _clock.GetUtcNow(), recorded,
            _stage.RunsOnGpuMachines ? _dispatcher.BusyByMachine() : new Dictionary<string, int>()));
    }
}
