using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Cofi.Actors.Configuration;
using Cofi.Actors.Inputs;
using Cofi.Actors.Persistence;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Distribution;

/// <summary>
/// The first stage of a batch: scans and validates the input in the background, records the entries in
/// groups, and hands each on — valid files to the next stage, invalid ones as failed here with their reason.
/// </summary>
public sealed class DistributionActor : ReceivePersistentActor
{
    private sealed record Scanned(IReadOnlyList<InputFile> Files);

    private sealed record ScanDone(int Total);

    private sealed record ScanError(string Reason);

    private readonly long _batchId;
    private readonly string _input;
    private readonly IReadOnlyList<string> _inputRoots;
    private readonly StageSettings _stage;
    private readonly RecordingSettings _persistence;
    private readonly IActorRef _next;
    private readonly IActorRef _supervisor;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _scanCancel = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private DistributionState _state = DistributionState.Empty;
    private readonly SnapshotPolicy _snapshots;
    private bool _scanning;

    /// <param name="inputRoots">the web API's input roots: an input under one is scanned confined to them.</param>
    public DistributionActor(long batchId, string input, IReadOnlyList<string> inputRoots, StageSettings stage, RecordingSettings persistence,
        IActorRef next, IActorRef supervisor, TimeProvider clock)
    {
        _batchId = batchId;
        _input = input;
        _inputRoots = inputRoots;
        _stage = stage;
        _persistence = persistence;
        _next = next;
        _supervisor = supervisor;
        _clock = clock;
        _snapshots = new SnapshotPolicy(persistence.SnapshotEvery, persistence.SnapshotPhase);

        Recover<SnapshotOffer>(offer =>
        {
            _state = DistributionState.FromSnapshot((DistributionSnapshot)offer.Snapshot);
            _snapshots.Taken(offer.Metadata.SequenceNr, _state.Files.Count);
        });
        Recover<IStageEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => _supervisor.Tell(new StageSignals.Ready(_stage.Name, Counts())));

        Command<DistributionCommands.Start>(_ =>
        {
            HandOn(_state.Files);
            if (_state.FailedReason is not null) _supervisor.Tell(new StageSignals.Halted(_stage.Name, _state.FailedReason));
            else if (_state.Completed) Finish();
            else StartScan();
        });
        Command<DistributionCommands.Replay>(_ =>
        {
            HandOn(_state.Files);
            if (_state.Completed) Finish();
        });
        Command<Scanned>(m => Persist(new DistributionEvents.FilesScanned(_batchId, _stage.Name, m.Files, _clock.GetUtcNow()), e =>
        {
            var before = _state.Files.Count;
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
            HandOn(_state.Files.Skip(before));
            SnapshotIfDue();
            Publish();
        }));
        Command<ScanDone>(m => Persist(new DistributionEvents.ScanCompleted(_batchId, _stage.Name, m.Total, _state.Valid, _clock.GetUtcNow()), e =>
        {
            _scanning = false;
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
            Publish();
            Finish();
        }));
        Command<ScanError>(m => Persist(new DistributionEvents.ScanFailed(_batchId, _stage.Name, m.Reason, _clock.GetUtcNow()), e =>
        {
            _scanning = false;
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new JournalRecorded(PersistenceId, LastSequenceNr, e));
            _log.Error("Batch {0}: input {1} could not be scanned: {2}", _batchId, _input, m.Reason);
            _supervisor.Tell(new StageSignals.Halted(_stage.Name, m.Reason));
        }));
        Command<StageQueries.GetCounts>(_ => Sender.Tell(Counts()));
        Command<SaveSnapshotSuccess>(m => DeleteSnapshots(new SnapshotSelectionCriteria(m.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(m => _log.Warning(m.Cause, "Snapshot of {0} failed; the journal still holds every event", PersistenceId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public static Props Props(long batchId, string input, IReadOnlyList<string> inputRoots, StageSettings stage, RecordingSettings persistence,
        IActorRef next, IActorRef supervisor, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new DistributionActor(batchId, input, inputRoots, stage, persistence, next, supervisor, clock));

    public override string PersistenceId => PersistenceIds.Stage(_batchId, _stage.Name);

    protected override void PostStop()
    {
        _scanCancel.Cancel();
        _scanCancel.Dispose();
        base.PostStop();
    }

    private void StartScan()
    {
        if (_scanning) return;
        _scanning = true;
        var self = Self;
        var skip = _state.Files.Count;
        var groupSize = _persistence.RecordGroupSize;
        var input = _input;
        var roots = _inputRoots;
        var token = _scanCancel.Token;
        Task.Run(() =>
        {
            try
            {
                var group = new List<InputFile>(groupSize);
                var total = 0;
                // Entries keep their scan position as FileId, so a resumed scan skips what was registered.
                foreach (var file in InputScanner.Scan(input, InputConfinement.For(input, roots)))
                {
                    token.ThrowIfCancellationRequested();
                    total++;
                    if (file.FileId < skip) continue;
                    group.Add(file);
                    if (group.Count < groupSize) continue;
                    self.Tell(new Scanned(group));
                    group = new List<InputFile>(groupSize);
                }
                if (group.Count > 0) self.Tell(new Scanned(group));
                self.Tell(new ScanDone(total));
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                self.Tell(new ScanError(e is InputUnavailableException ? e.Message : $"{e.GetType().Name}: {e.Message}"));
            }
        }, token);
    }

    private void HandOn(IEnumerable<InputFile> files)
    {
        var work = files.Select(f => DistributionState.ToWork(_stage.Name, f)).ToList();
        if (work.Count > 0) _next.Tell(new StageCommands.Admit(work));
    }

    private void Finish()
    {
        if (_state.Valid == 0)
        {
            _supervisor.Tell(new StageSignals.Halted(_stage.Name, _state.Files.Count == 0
                ? $"no input files found in {_input}"
                : $"no valid input file: all {_state.Files.Count} entries were rejected"));
            return;
        }
        _next.Tell(new StageCommands.UpstreamCompleted(_state.Files.Count));
        _supervisor.Tell(new StageSignals.Finished(_stage.Name, Counts()));
    }

    private void SnapshotIfDue()
    {
        if (!_snapshots.IsDue(LastSequenceNr, _state.Files.Count)) return;
        _snapshots.Taken(LastSequenceNr, _state.Files.Count);
        SaveSnapshot(_state.ToSnapshot());
    }

    private StageCounts Counts() => new(_batchId, _stage.Name, _state.Valid, _state.Invalid, 0, 0, 0,
        _state.Completed ? _state.Files.Count : null, _state.Completed);

    private void Publish()
    {
        var counts = Counts();
        _supervisor.Tell(new StageSignals.Progress(counts));
        Context.System.EventStream.Publish(new StageProgress(counts, _clock.GetUtcNow()));
    }
}
