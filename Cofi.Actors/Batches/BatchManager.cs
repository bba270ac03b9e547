using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Cofi.Actors.Persistence;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.ReadModel;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Batches;

/// <summary>
/// The persistent queue of batches. Starts up to <c>max-concurrent-batches</c> BatchSupervisors, restarts the
/// running ones after a crash (they resume from the journal), and answers who is waiting for a batch to end. It purges
/// ended batches: forgets them (a recorded event), then has a child delete their data (<see cref="PurgeDeletions"/>);
/// a prune purges every batch that ended before a cut-off the same way (<see cref="PruneRun"/>). Started held (a
/// maintenance command on the database), it starts no batch.
/// </summary>
public sealed class BatchManager : ReceivePersistentActor, IWithTimers
{
    public const string Name = "batch-manager";

    private sealed record RestartSupervisor(long BatchId);

    private readonly CofiSettings _settings;
    private readonly DatabaseSettings _database;
    private readonly IReadOnlyList<string> _machines;
    private readonly IExecutorProvider _executors;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<long, IActorRef> _supervisors = new();
    private readonly Dictionary<long, List<IActorRef>> _waiters = new();
    // Who asked for each purge that waits for its batch's supervisor to stop.
    private readonly Dictionary<long, List<(BatchCommands.Purge, IActorRef)>> _purgesAfterStop = new();
    private readonly IActorRef _deletions;
    // In a cluster: attaches the GPU members' machines to every batch this manager runs.
    private readonly IActorRef? _membership;
    // The slots and circuit breaker of each machine the coordinator serves itself, shared by every batch.
    private readonly Dictionary<string, Gpu.SharedMachine> _shared = new(StringComparer.OrdinalIgnoreCase);
    private BatchManagerState _state = BatchManagerState.Empty;
    // The process is stopping (or only maintains the database): no batch starts, and no supervisor starts again.
    private bool _holding;

    /// <param name="held">start no batch: the process only maintains the database (<c>db prune</c>).</param>
    public BatchManager(CofiSettings settings, DatabaseSettings database, IReadOnlyList<string> machines, IExecutorProvider executors, TimeProvider clock,
        bool held = false)
    {
        _holding = held;
        _settings = settings;
        _database = database;
        _machines = machines;
        _executors = executors;
        _clock = clock;
        if (((ExtendedActorSystem)Context.System).Provider is Akka.Cluster.IClusterActorRefProvider)
            _membership = Context.ActorOf(GpuMembership.Props(), GpuMembership.Name);
        _deletions = Context.ActorOf(PurgeDeletions.Props(database), PurgeDeletions.Name);
        Context.ActorOf(ManagerLock.Props(database), ManagerLock.ActorName);

        Recover<SnapshotOffer>(offer => _state = (BatchManagerState)offer.Snapshot);
        Recover<IBatchEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            if (!_holding) foreach (var running in _state.Running) StartSupervisor(running.Summary.BatchId);
            foreach (var purged in _state.UnfinishedPurges) _deletions.Tell(new PurgeDeletions.Delete(purged, BatchPurge.DefaultChunkRows), ActorRefs.Nobody);
            StartQueued();
        });

        Command<BatchCommands.Submit>(OnSubmit);
        Command<BatchCommands.Pause>(m => Control(m, m.BatchId));
        Command<BatchCommands.Resume>(m => Control(m, m.BatchId));
        Command<BatchCommands.Cancel>(m => Control(m, m.BatchId));
        Command<BatchCommands.AwaitCompletion>(m =>
        {
            if (!_state.Batches.TryGetValue(m.BatchId, out var entry)) Sender.Tell(new BatchReplies.NotFound(m.BatchId));
            else if (!entry.IsUnfinished) Sender.Tell(FinishedReply(entry));
            else AddWaiter(m.BatchId, Sender);
        });
        Command<BatchQueries.GetBatches>(_ => Sender.Tell(new BatchReplies.List(_state.Batches.Values.Select(b => b.Summary).ToList())));
        Command<BatchQueries.GetStatus>(m =>
        {
            if (!_state.Batches.TryGetValue(m.BatchId, out var entry)) Sender.Tell(new BatchReplies.NotFound(m.BatchId));
            // An ended batch's counts are final; its supervisor may still be stopping, and answers nothing then.
            else if (entry.IsUnfinished && _supervisors.TryGetValue(m.BatchId, out var supervisor)) supervisor.Forward(new SupervisorCommands.GetStatus(entry.Summary));
            else Sender.Tell(new BatchReplies.Status(entry.Summary, entry.FinalStages));
        });
        Command<BatchQueries.GetStragglers>(m =>
        {
            if (!_state.Batches.TryGetValue(m.BatchId, out var entry)) Sender.Tell(new BatchReplies.NotFound(m.BatchId));
            else if (entry.IsUnfinished && _supervisors.TryGetValue(m.BatchId, out var supervisor)) supervisor.Forward(new SupervisorCommands.GetStragglers(m.Limit));
            else Sender.Tell(BatchStragglers.None(m.BatchId));
        });
        Command<BatchFinished>(OnFinished);
        Command<BatchCommands.RetryFailed>(OnRetryFailed);
        Command<BatchCommands.AddMachine>(OnAddMachine);
        Command<BatchCommands.Hold>(m =>
        {
            _holding = true;
            BatchSupervisor.HoldAll(_supervisors.Values.ToList(), m.Grace).PipeTo(Sender);
        });
        Command<BatchCommands.RemoveMachine>(OnRemoveMachine);
        Command<BatchCommands.SetPriority>(OnSetPriority);
        Command<BatchCommands.Purge>(OnPurge);
        Command<PurgeDeletions.Deleted>(OnDataDeleted);
        Command<BatchCommands.Prune>(m =>
        {
            // A batch submitted from now on has no row older than the cut-off: the batches known now are all the prune must leave to their purge.
            var known = _state.Batches.Keys.ToHashSet();
            Context.ActorOf(PruneRun.Props(m, _state.EndedBefore(m.EndedBefore), known.Contains, _database, Sender));
        });
        Command<Terminated>(m =>
        {
            var batch = _supervisors.FirstOrDefault(s => s.Value.Equals(m.ActorRef));
            if (batch.Value is null) return;
            _supervisors.Remove(batch.Key);
            if (_state.Batches[batch.Key].IsUnfinished)
            {
                _log.Warning("Supervisor of batch {0} stopped before the batch finished; starting it again", batch.Key);
                Timers.StartSingleTimer($"restart-{batch.Key}", new RestartSupervisor(batch.Key), TimeSpan.FromSeconds(1));
            }
            if (_purgesAfterStop.Remove(batch.Key, out var purges))
                foreach (var (purge, asker) in purges) Self.Tell(purge, asker);
        });
        Command<RestartSupervisor>(m =>
        {
            if (_state.Batches[m.BatchId].IsUnfinished && !_supervisors.ContainsKey(m.BatchId) && !_holding) StartSupervisor(m.BatchId);
        });
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(m => _log.Warning(m.Cause, "Snapshot of the batch queue failed"));
    }

    public static Props Props(CofiSettings settings, DatabaseSettings database, IReadOnlyList<string> machines, IExecutorProvider executors, TimeProvider clock,
        bool held = false) =>
        Akka.Actor.Props.Create(() => new BatchManager(settings, database, machines, executors, clock, held));

    public override string PersistenceId => PersistenceIds.BatchManager;

    public ITimerScheduler Timers { get; set; } = null!;

    private void OnSubmit(BatchCommands.Submit submit)
    {
        var (reply, decided) = _state.Decide(submit, _clock.GetUtcNow());
        if (decided is null)
        {
            Sender.Tell(reply);
            return;
        }
        var sender = Sender;
        Persist(decided, e =>
        {
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
            sender.Tell(reply);
            Announce(((BatchReplies.Accepted)reply).BatchId);
            SnapshotIfDue();
            StartQueued();
        });
    }

    private void StartQueued()
    {
        if (_holding) return;
        var now = _clock.GetUtcNow();
        var started = _state.Startable(_settings.MaxConcurrentBatches).Select(id => new BatchEvents.Started(id, now)).ToList();
        if (started.Count == 0) return;
        PersistAll(started, e =>
        {
            _state = _state.Apply(e);
            Announce(e.BatchId);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
            StartSupervisor(e.BatchId);
        });
    }

    private void OnRetryFailed(BatchCommands.RetryFailed retry)
    {
        if (!_state.Batches.TryGetValue(retry.BatchId, out var entry))
        {
            Sender.Tell(new BatchReplies.NotFound(retry.BatchId));
            return;
        }
        var sender = Sender;
        var wasFinished = !entry.IsUnfinished;
        Persist(new BatchEvents.RetryRequested(retry.BatchId, _clock.GetUtcNow(), retry.Stage, retry.IncludeQuarantined), e =>
        {
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
            sender.Tell(new BatchReplies.RetryFailedAccepted(e.BatchId, wasFinished));
            Announce(e.BatchId);
            if (!wasFinished && _supervisors.TryGetValue(e.BatchId, out var supervisor))
                supervisor.Tell(new SupervisorCommands.RetryFailed(_state.Batches[e.BatchId].RetryRequests, e.Stage, e.IncludeQuarantined));
            SnapshotIfDue();
            StartQueued();
        });
    }

    private void OnAddMachine(BatchCommands.AddMachine add)
    {
        var machine = add.Machine.Trim();
        if (Uri.CheckHostName(machine) == UriHostNameType.Unknown)
        {
            Sender.Tell(new BatchReplies.MachineRejected(add.Machine, "not a host name or address"));
            return;
        }
        if (Machines.Contains(machine, StringComparer.OrdinalIgnoreCase))
        {
            Sender.Tell(new BatchReplies.MachineRejected(machine, "already serves the pipeline"));
            return;
        }
        var sender = Sender;
        Persist(new BatchEvents.MachineAdded(machine, _clock.GetUtcNow()), e =>
        {
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
            foreach (var supervisor in _supervisors.Values) supervisor.Tell(new SupervisorCommands.AddMachine(e.Machine, SharedOf(e.Machine)));
            sender.Tell(new BatchReplies.MachineAccepted(e.Machine, _supervisors.Count));
            SnapshotIfDue();
        });
    }

    private void OnRemoveMachine(BatchCommands.RemoveMachine remove)
    {
        var machine = remove.Machine.Trim();
        if (!Machines.Contains(machine, StringComparer.OrdinalIgnoreCase))
        {
            Sender.Tell(new BatchReplies.MachineRejected(machine, "the coordinator serves no such machine"));
            return;
        }
        var sender = Sender;
        Persist(new BatchEvents.MachineRemoved(Machines.First(m => string.Equals(m, machine, StringComparison.OrdinalIgnoreCase)), _clock.GetUtcNow()), e =>
        {
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
            foreach (var supervisor in _supervisors.Values) supervisor.Tell(new SupervisorCommands.RemoveMachine(e.Machine));
            sender.Tell(new BatchReplies.MachineWithdrawn(e.Machine, _supervisors.Count));
            SnapshotIfDue();
        });
    }

    private void OnSetPriority(BatchCommands.SetPriority change)
    {
        if (!_state.Batches.ContainsKey(change.BatchId))
        {
            Sender.Tell(new BatchReplies.NotFound(change.BatchId));
            return;
        }
        var sender = Sender;
        var current = _state.Batches[change.BatchId].Summary;
        Persist(new BatchEvents.PriorityChanged(change.BatchId, change.Priority ?? current.Priority, _clock.GetUtcNow(), change.Weight ?? current.Weight), e =>
        {
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
            var ranked = _state.Batches[e.BatchId].Summary;
            if (_supervisors.TryGetValue(e.BatchId, out var supervisor)) supervisor.Tell(new SupervisorCommands.Rerank(ranked.Priority, ranked.Weight));
            sender.Tell(new BatchUpdated(_state.Batches[e.BatchId].Summary));
            Announce(e.BatchId);
            SnapshotIfDue();
        });
    }

    /// <summary>
    /// Forgets an ended batch (recorded first, so it stays forgotten after a restart), then has its data deleted. A
    /// batch purged before has its data deleted again: whatever an interrupted purge left goes now.
    /// </summary>
    private void OnPurge(BatchCommands.Purge purge)
    {
        var batchId = purge.BatchId;
        if (_state.PurgeRefusal(batchId) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }
        if (_supervisors.ContainsKey(batchId))
        {
            // The ended batch's supervisor is still stopping, and its stages with it: the purge goes on once it has stopped.
            Add(_purgesAfterStop, batchId, (purge, Sender));
            return;
        }
        var delete = new PurgeDeletions.Delete(batchId, purge.ChunkRows);
        if (!_state.Batches.ContainsKey(batchId))
        {
            _deletions.Forward(delete);
            return;
        }
        var sender = Sender;
        Persist(new BatchEvents.Purged(batchId, _clock.GetUtcNow()), e =>
        {
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
            Context.System.EventStream.Publish(new BatchForgotten(e.BatchId));
            SnapshotIfDue();
            _deletions.Tell(delete, sender);
        });
    }

    private void OnDataDeleted(PurgeDeletions.Deleted deleted)
    {
        var report = new BatchReplies.PurgeReport(deleted.BatchId, deleted.Rows);
        _log.Info("Batch {0} purged: {1}", deleted.BatchId, string.Join(", ", deleted.Rows.Where(d => d.Value > 0).Select(d => $"{d.Value} {d.Key} rows")));
        if (_state.Purged.GetValueOrDefault(deleted.BatchId))
        {
            foreach (var asker in deleted.Askers) asker.Tell(report);
            return;
        }
        Persist(new BatchEvents.PurgeCompleted(deleted.BatchId, _clock.GetUtcNow()), e =>
        {
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
            foreach (var asker in deleted.Askers) asker.Tell(report);
            SnapshotIfDue();
        });
    }

    private IReadOnlyList<string> Machines => _state.Serving(_machines);

    private Gpu.SharedMachine SharedOf(string machine)
    {
        if (!_shared.TryGetValue(machine, out var shared))
            _shared[machine] = shared = Gpu.SharedMachine.Create(Context, machine, _settings.Pipeline, _settings.Gpu.Breaker, _clock);
        return shared;
    }

    private void StartSupervisor(long batchId)
    {
        // The supervisor of a finished batch may still be stopping; once it has, the batch is started again (Terminated).
        if (_supervisors.ContainsKey(batchId)) return;
        var entry = _state.Batches[batchId];
        var supervisor = Context.ActorOf(BatchSupervisor.Props(batchId, entry.Summary.Input, entry.Summary.Status == BatchStatus.Paused,
            _settings, Machines.ToDictionary(m => m, SharedOf), entry.RetryRequests, _membership, _executors, _clock, entry.RetryStage,
            entry.Summary.Priority, entry.RetryQuarantined, entry.Summary.Weight), $"batch-{batchId}");
        Context.Watch(supervisor);
        _supervisors[batchId] = supervisor;
        Context.System.EventStream.Publish(new BatchSupervising(batchId, entry.Summary.Input));
    }

    private void OnFinished(BatchFinished finished)
    {
        if (!_state.Batches.TryGetValue(finished.BatchId, out var entry) || !entry.IsUnfinished) return;
        Persist(new BatchEvents.Finished(finished.BatchId, finished.Status, finished.Reason, finished.Stages, finished.At), e =>
        {
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
            if (_waiters.Remove(e.BatchId, out var waiters))
                foreach (var waiter in waiters) waiter.Tell(finished);
            Context.System.EventStream.Publish(finished);
            Announce(e.BatchId);
            SnapshotIfDue();
            StartQueued();
        });
    }

    /// <summary>Pause and resume are recorded here and passed to the batch's supervisor; cancel ends the batch through it.</summary>
    private void Control(IBatchCommand command, long batchId)
    {
        if (!_state.Batches.TryGetValue(batchId, out var entry))
        {
            Sender.Tell(new BatchReplies.NotFound(batchId));
            return;
        }
        if (_state.Refusal(command, batchId) is { } refusal)
        {
            Sender.Tell(new BatchReplies.ControlRefused(batchId, refusal));
            return;
        }
        var sender = Sender;
        var now = _clock.GetUtcNow();
        switch (command)
        {
            case BatchCommands.Cancel when _supervisors.TryGetValue(batchId, out var supervisor):
                AddWaiter(batchId, sender);
                supervisor.Tell(SupervisorCommands.Cancel.Instance);
                break;
            case BatchCommands.Cancel:
                AddWaiter(batchId, sender);
                Self.Tell(new BatchFinished(batchId, BatchStatus.Cancelled, "cancelled by an operator", entry.FinalStages, now));
                break;
            case BatchCommands.Pause:
                Persist(new BatchEvents.Paused(batchId, now), e => Controlled(e, sender, SupervisorCommands.Pause.Instance));
                break;
            case BatchCommands.Resume:
                Persist(new BatchEvents.Resumed(batchId, now), e => Controlled(e, sender, SupervisorCommands.Resume.Instance));
                break;
        }
    }

    private void Controlled(IBatchEvent e, IActorRef sender, object supervisorCommand)
    {
        _state = _state.Apply(e);
        var batchId = ((IWithBatchId)e).BatchId;
        if (_supervisors.TryGetValue(batchId, out var supervisor)) supervisor.Tell(supervisorCommand);
        sender.Tell(new BatchUpdated(_state.Batches[batchId].Summary));
        Announce(batchId);
        SnapshotIfDue();
    }

    private void AddWaiter(long batchId, IActorRef waiter) => Add(_waiters, batchId, waiter);

    private static void Add<T>(Dictionary<long, List<T>> waiting, long batchId, T asker)
    {
        if (!waiting.TryGetValue(batchId, out var askers)) waiting[batchId] = askers = [];
        askers.Add(asker);
    }

    private void Announce(long batchId) => Context.System.EventStream.Publish(new BatchUpdated(_state.Batches[batchId].Summary));

    private static BatchFinished FinishedReply(BatchEntry entry) =>
        new(entry.Summary.BatchId, entry.Summary.Status, entry.Summary.Reason, entry.FinalStages, entry.Summary.FinishedAt ?? entry.Summary.SubmittedAt);

    private void SnapshotIfDue()
    {
        if (LastSequenceNr % _settings.Persistence.SnapshotEvery == 0) SaveSnapshot(_state);
    }
}
