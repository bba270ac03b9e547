using Akka.Actor;
using Akka.Event;
using Cofi.Actors.Persistence;
using Cofi.Actors.ReadModel;

namespace Cofi.Actors.Batches;

/// <summary>
/// One prune, a short-lived child of the BatchManager: purges the ended batches it was given one after the other
/// through the manager (each recorded as purged there, then deleted as <see cref="BatchCommands.Purge"/> does), then
/// deletes the read model's rows older than the cut-off of batches the manager does not know, answers whoever asked
/// and stops. A dry run counts the same rows instead.
/// </summary>
public sealed class PruneRun : ReceiveActor
{
    private sealed record Unbatched(IReadOnlyDictionary<string, long> Rows);

    private sealed record Counted(IReadOnlyDictionary<string, long> Rows, IReadOnlyDictionary<string, long> Unbatched);

    private sealed record Failed(string Reason);

    private readonly BatchCommands.Prune _prune;
    private readonly Queue<BatchSummary> _pending;
    private readonly int _batches;
    private readonly Func<long, bool> _isKnown;
    private readonly DatabaseSettings _database;
    private readonly IActorRef _asker;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<BatchSummary> _purged = [];
    private readonly Dictionary<string, long> _rows = new(StringComparer.Ordinal);
    private BatchSummary? _current;

    /// <param name="batches">the batches that ended before the cut-off, oldest first.</param>
    /// <param name="isKnown">whether the manager knows a batch id (its rows are its purge's, not the by-age deletion's).</param>
    public PruneRun(BatchCommands.Prune prune, IReadOnlyList<BatchSummary> batches, Func<long, bool> isKnown, DatabaseSettings database, IActorRef asker)
    {
        _prune = prune;
        _pending = new Queue<BatchSummary>(batches);
        _batches = batches.Count;
        _isKnown = isKnown;
        _database = database;
        _asker = asker;
        Receive<BatchReplies.PurgeReport>(m =>
        {
            foreach (var (table, rows) in m.Deleted) _rows[table] = _rows.GetValueOrDefault(table) + rows;
            _purged.Add(_current!);
            var sofar = _rows.Values.Sum();
            _log.Info("Prune: batch {0} purged ({1} of {2}), {3:N0} rows deleted so far", m.BatchId, _purged.Count, _batches, sofar);
            Context.System.EventStream.Publish(new BatchPruneProgress(_purged.Count, _batches, sofar));
            PurgeNext();
        });
        // Queued again by a retry-failed since the prune chose it, or purged by another request meanwhile: not this prune's.
        Receive<BatchReplies.ControlRefused>(_ => PurgeNext());
        Receive<BatchReplies.NotFound>(_ => PurgeNext());
        Receive<BatchReplies.PurgeFailed>(m => Finish(new Dictionary<string, long>(), $"batch {m.BatchId} could not be purged: {m.Reason}"));
        Receive<Unbatched>(m => Finish(m.Rows, null));
        Receive<Counted>(m =>
        {
            _asker.Tell(new BatchReplies.PruneReport(_prune.EndedBefore, true, [.. _pending], m.Rows, m.Unbatched));
            Context.Stop(Self);
        });
        Receive<Failed>(m => Finish(new Dictionary<string, long>(), m.Reason));
    }

    public static Props Props(BatchCommands.Prune prune, IReadOnlyList<BatchSummary> batches, Func<long, bool> isKnown, DatabaseSettings database, IActorRef asker) =>
        Akka.Actor.Props.Create(() => new PruneRun(prune, batches, isKnown, database, asker));

    protected override void PreStart()
    {
        if (!_prune.DryRun)
        {
            _log.Info("Prune: {0} batches ended before {1:u}", _batches, _prune.EndedBefore);
            PurgeNext();
            return;
        }
        var (database, cutoff, isKnown, ids) = (_database, _prune.EndedBefore.UtcDateTime, _isKnown, _pending.Select(b => b.BatchId).ToList());
        Task.Run(() => new Counted(BatchPurge.Count(database, ids), ReadModelRetention.Prune(database, cutoff, isKnown, dryRun: true)))
            .PipeTo(Self, Self, failure: e => new Failed(e.Message));
    }

    private void PurgeNext()
    {
        if (_pending.TryDequeue(out var next))
        {
            _current = next;
            Context.Parent.Tell(new BatchCommands.Purge(next.BatchId, _prune.ChunkRows));
            return;
        }
        var (database, cutoff, isKnown, chunk, events, before) =
            (_database, _prune.EndedBefore.UtcDateTime, _isKnown, _prune.ChunkRows, Context.System.EventStream, _rows.Values.Sum());
        var (purged, batches) = (_purged.Count, _batches);
        Task.Run(() => new Unbatched(ReadModelRetention.Prune(database, cutoff, isKnown, dryRun: false, chunk,
                rows => events.Publish(new BatchPruneProgress(purged, batches, before + rows)))))
            .PipeTo(Self, Self, failure: e => new Failed($"the rows of unknown batches could not be deleted: {e.Message}"));
    }

    private void Finish(IReadOnlyDictionary<string, long> unbatched, string? incomplete)
    {
        var report = new BatchReplies.PruneReport(_prune.EndedBefore, false, _purged, _rows, unbatched, incomplete);
        if (incomplete is null)
            _log.Info("Prune done: {0} batches ended before {1:u} purged, {2:N0} rows of theirs and {3:N0} older rows of unknown batches deleted",
                _purged.Count, _prune.EndedBefore, _rows.Values.Sum(), unbatched.Values.Sum());
        else _log.Error("Prune stopped after {0} of {1} batches: {2}; pruning again finishes it", _purged.Count, _batches, incomplete);
        _asker.Tell(report);
        Context.Stop(Self);
    }
}
